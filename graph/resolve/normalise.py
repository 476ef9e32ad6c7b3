"""Names, enterprise names, addresses and phones as entity resolution compares them.

Registers are typed by clerks: a name may come full-width, with spaces, in traditional
characters (copied from an old document) or with a homophone (typed by sound through a
pinyin input method). Comparison works on the normalised forms below; the originals stay
on the nodes.

>>> person_name(" 劉 國華 ")
'刘国华'
>>> name_pinyin("刘国华") == name_pinyin("刘帼华")
True
>>> enterprise_name("衡阳市祁东县鑫达建筑工程有限责任公司")
'鑫达建筑工程'
>>> enterprise_name("鑫达建筑工程（衡阳）有限公司")
'鑫达建筑工程'
>>> phone("+86 139-0734-0000")
'13907340000'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pypinyin import lazy_pinyin

from graph.ids import to_halfwidth

try:  # OpenCC's full table; without it, the small table below covers common name characters.
    import opencc

    _T2S = opencc.OpenCC("t2s")

    def _to_simplified(text: str) -> str:
        return str(_T2S.convert(text))

except ImportError:  # pragma: no cover - opencc is a declared dependency
    _SMALL = str.maketrans(
        "國華軍紅麗偉東蘭龍鳳剛榮輝貴傑濤慶長發葉劉陳張楊黃趙吳鄭羅謝鄧馮韓孫馬許鄒賀龔譚鍾盧湯陽"
        "強艷雲靜鵬興凱蓮銀義愛衛堅龐寧穎書夢詩軒蘇蕭",
        "国华军红丽伟东兰龙凤刚荣辉贵杰涛庆长发叶刘陈张杨黄赵吴郑罗谢邓冯韩孙马许邹贺龚谭钟卢汤阳"
        "强艳云静鹏兴凯莲银义爱卫坚庞宁颖书梦诗轩苏萧",
    )

    def _to_simplified(text: str) -> str:
        return text.translate(_SMALL)


_SPACE = re.compile(r"[\s\u200b\ufeff]+")
_DOTS = re.compile(r"[•・‧∙⋅･.]")  # the middle dot of minority names, typed many ways


def simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC ``t2s``).

    >>> simplified("鄧麗君")
    '邓丽君'
    """
    return _to_simplified(text)


# Names are converted character by character through tables filled once per character:
# a million names then cost one ``str.translate`` each. Character by character is also
# what a name needs (OpenCC's phrase tables are made for running text, not names).
_NAME_T2S: dict[int, str] = {}
_PINYIN: dict[int, str] = {}


def _learn(chars: Iterable[str]) -> None:
    for c in chars:
        o = ord(c)
        if o not in _NAME_T2S:
            t = simplified(c)
            _NAME_T2S[o] = t if len(t) == 1 else c
        if o not in _PINYIN:
            _PINYIN[o] = lazy_pinyin(c)[0].lower() + "-"


def _clean_name(name: str) -> str:
    return _DOTS.sub("·", _SPACE.sub("", to_halfwidth(name))).lower()


def person_name(name: str | None) -> str:
    """A person's name for comparison: half-width, simplified, no spaces, one middle dot.

    >>> person_name("阿卜杜・热合曼"), person_name("ＺＨＡＮＧ　San"), person_name("劉 國華")
    ('阿卜杜·热合曼', 'zhangsan', '刘国华')
    """
    if not name:
        return ""
    text = _clean_name(name)
    _learn(set(text))
    return text.translate(_NAME_T2S)


def person_names(names: list[str]) -> list[str]:
    """:func:`person_name` of many names at once (the characters are learnt in one pass)."""
    cleaned = [_clean_name(n) if n else "" for n in names]
    _learn(set("".join(cleaned)))
    return [c.translate(_NAME_T2S) for c in cleaned]


def name_pinyin(norm: str) -> str:
    """Toneless pinyin of a normalised name, syllables joined by ``-`` (homophones agree).

    Characters are read one by one, so a polyphonic surname is read the same way in
    both names being compared, which is all that matching needs.

    >>> name_pinyin("张明"), name_pinyin("张鸣")
    ('zhang-ming', 'zhang-ming')
    """
    _learn(set(norm))
    return norm.translate(_PINYIN)[:-1]


def names_pinyin(norms: list[str]) -> list[str]:
    """:func:`name_pinyin` of many normalised names at once."""
    _learn(set("".join(norms)))
    return [n.translate(_PINYIN)[:-1] for n in norms]


def deletion_keys(norm: str) -> set[str]:
    """The name and the name less each one character: two names within edit distance 1
    (one substitution, insertion or deletion) always share a key.

    >>> sorted(deletion_keys("张建国"))
    ['建国', '张国', '张建', '张建国']
    """
    keys = {norm}
    if len(norm) >= 2:
        keys.update(norm[:i] + norm[i + 1 :] for i in range(len(norm)))
    return keys


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Levenshtein distance of two short strings, capped at ``limit``.

    >>> edit_distance("张建国", "张建华"), edit_distance("张国", "张建国")
    (1, 1)
    >>> edit_distance("张三", "李四")
    2
    """
    if a == b:
        return 0
    if abs(len(a) - len(b)) >= limit:
        return limit
    # What both share at the ends costs nothing; only the middle needs the table.
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    a, b = a[i:], b[i:]
    while a and b and a[-1] == b[-1]:
        a, b = a[:-1], b[:-1]
    if not a or not b:
        return min(max(len(a), len(b)), limit)
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [limit] * len(b)
        # Only cells within ``limit`` of the diagonal can stay under it (Ukkonen's band).
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != b[j - 1]))
        if min(cur[max(0, i - limit) : i + limit + 1]) >= limit:
            return limit
        prev = cur
    return min(prev[-1], limit)


# -- enterprises ---------------------------------------------------------------------------

# Longest first: "有限责任公司" must go before "有限公司" and "公司".
_LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "责任公司",
    "公司",
)
_BRACKETED = re.compile(r"\(([^()]*)\)")
# Dropped: a place ("(衡阳)", "(湖南省)") or a partnership form; kept: anything longer.
_BRACKET_DROP = re.compile(r"^.{0,3}$|(省|市|县|区|州|旗|普通合伙|有限合伙|个人独资)$")
# A division prefix: two or three characters and a province / city / county suffix.
_PLACE_PREFIX = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:省|自治区|市|自治州|地区|县|自治县|区)")


def _strip_places(text: str, places: Iterable[str]) -> str:
    changed = True
    while changed:
        changed = False
        for p in places:
            if p and text.startswith(p) and len(text) - len(p) >= 2:
                text, changed = text[len(p) :], True
        m = _PLACE_PREFIX.match(text)
        if m and len(text) - m.end() >= 4:
            text, changed = text[m.end() :], True
    return text


def enterprise_name(name: str | None, places: tuple[str, ...] = ()) -> str:
    """An enterprise name for comparison: brackets unified, legal form and leading
    division names (province, city, county; ``places`` adds the county's own) removed.

    Two names that normalise alike are taken to be the same enterprise when no USCC
    tells them apart. Bracketed place names (up to three characters, or ending in a
    division suffix) and partnership forms are dropped; longer bracketed text (a
    branch, a trade name) is kept without the brackets.

    >>> enterprise_name("湖南省衡阳市 宏达 商贸有限公司"), enterprise_name("宏达商贸(普通合伙)")
    ('宏达商贸', '宏达商贸')
    >>> enterprise_name("蒸阳县石塘镇兴隆百货店", ("蒸阳县", "石塘镇"))
    '兴隆百货店'
    """
    if not name:
        return ""
    text = _SPACE.sub("", simplified(to_halfwidth(name))).lower()
    text = text.replace("【", "(").replace("】", ")").replace("〔", "(").replace("〕", ")")
    text = _BRACKETED.sub(lambda m: "" if _BRACKET_DROP.search(m.group(1)) else m.group(1), text)
    for form in _LEGAL_FORMS:
        if text.endswith(form) and len(text) > len(form) + 1:
            text = text[: -len(form)]
            break
    return _strip_places(text, places)


# What relatives' declarations write under 工作单位 when there is no employer.
_NO_EMPLOYER = frozenset(
    [
        "务农",
        "农民",
        "在家",
        "个体",
        "个体经营",
        "个体户",
        "外出务工",
        "务工",
        "打工",
        "退休",
        "离休",
        "无",
        "无业",
        "待业",
        "学生",
        "在校",
        "在读",
        "自由职业",
        "家务",
        "灵活就业",
        "不详",
        "其他",
        "-",
    ]
)


def employer(name: str | None, places: tuple[str, ...] = ()) -> str:
    """An employer for comparison, or "" when the text names an occupation, not a body.

    >>> employer("衡阳市鑫达建筑工程有限公司"), employer("务农"), employer(" 外出务工 ")
    ('鑫达建筑工程', '', '')
    """
    if not name or _SPACE.sub("", name) in _NO_EMPLOYER:
        return ""
    return enterprise_name(name, places)


# -- addresses and phones ------------------------------------------------------------------

_ADDRESS_TOKEN = re.compile(
    r".+?(?:自治区|自治州|自治县|街道|社区|单元|省|市|县|区|镇|乡|村|组|号|路|街|巷|弄|栋|幢|室|楼)"
    r"|[^省市县区镇乡村组号路街巷弄栋幢室楼]+$"
)


def address(text: str | None) -> str:
    """An address for comparison: half-width, simplified, no spaces or punctuation.

    >>> address(" 湖南省蒸阳县 石塘镇 枫桥村３组１２号 ")
    '湖南省蒸阳县石塘镇枫桥村3组12号'
    """
    if not text:
        return ""
    t = _SPACE.sub("", simplified(to_halfwidth(text))).lower()
    return re.sub(r"[,，、#\-—()]", "", t)


def address_tokens(norm: str) -> list[str]:
    """An address cut after each administrative or street suffix.

    >>> address_tokens("湖南省蒸阳县石塘镇枫桥村3组12号")
    ['湖南省', '蒸阳县', '石塘镇', '枫桥村', '3组', '12号']
    """
    return _ADDRESS_TOKEN.findall(norm) if norm else []


def address_similarity(a: list[str], b: list[str]) -> float:
    """Jaccard similarity of two token lists (0 when either is empty).

    >>> address_similarity(["蒸阳县", "枫桥村", "3组", "12号"], ["蒸阳县", "枫桥村", "3组", "14号"])
    0.6
    """
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def phone(text: str | None) -> str:
    """Digits of a phone number; a leading +86/86 on an 11-digit mobile is dropped.

    >>> phone("0734-2000123"), phone("86 13907340000")
    ('07342000123', '13907340000')
    """
    if not text:
        return ""
    digits = "".join(c for c in to_halfwidth(text) if c.isdigit())
    if len(digits) == 13 and digits.startswith("861"):
        digits = digits[2:]
    return digits
