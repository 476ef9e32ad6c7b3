"""Chinese personal and enterprise names, and the ways clerks mistype them.

Surnames follow the national frequency table, tilted towards the clans common in
Hunan; each village also has a few dominant surnames (single-clan villages are the
rule in the south), so the same full name recurs inside a village the way it does in
real registers. Given names draw on older or younger character pools by birth year.

>>> import numpy as np
>>> rng = np.random.Generator(np.random.PCG64(1))
>>> names = given_names(rng, np.array([True, False]), np.array([1960, 2010]))
>>> [len(n) in (1, 2) for n in names]
[True, True]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pypinyin import lazy_pinyin

# Share (per cent) in the national population; the Hunan clans carry a bonus.
_SURNAMES = (
    "王7.1 李7.0 张6.6 刘5.4 陈4.5 杨3.1 黄2.5 赵2.3 吴2.0 周1.9 徐1.6 孙1.4 马1.3 朱1.3 "
    "胡1.2 郭1.1 何1.1 高1.1 林1.0 罗0.9 郑0.9 梁0.9 谢0.8 宋0.8 唐0.8 许0.7 韩0.7 冯0.7 "
    "邓0.7 曹0.7 彭0.6 曾0.6 肖0.6 田0.6 董0.6 袁0.5 潘0.5 于0.5 蒋0.5 蔡0.5 余0.5 杜0.5 "
    "叶0.5 程0.5 苏0.4 魏0.4 吕0.4 丁0.4 任0.4 沈0.4 姚0.4 卢0.4 姜0.4 崔0.35 钟0.35 谭0.35 "
    "陆0.34 汪0.33 范0.33 金0.32 石0.31 廖0.30 贾0.30 夏0.29 韦0.29 付0.28 方0.28 白0.27 "
    "邹0.27 孟0.27 熊0.26 秦0.26 邱0.26 江0.25 尹0.25 薛0.24 闫0.24 段0.23 雷0.23 侯0.23 "
    "龙0.22 史0.22 陶0.21 黎0.21 贺0.21 顾0.21 毛0.20 郝0.20 龚0.20 邵0.20 万0.19 钱0.19 "
    "严0.18 覃0.18 武0.18 戴0.18 莫0.17 孔0.17 向0.16 汤0.16 欧阳0.06 伍0.15 阳0.12 旷0.06"
)
_HUNAN_BONUS = dict.fromkeys("刘李陈彭罗谭唐曾邓周肖廖贺龙向谢欧阳伍旷", 2.0)

SURNAMES: tuple[str, ...] = tuple(
    "".join(ch for ch in item if not (ch.isdigit() or ch == ".")) for item in _SURNAMES.split()
)
_weights = np.array(
    [float("".join(ch for ch in item if ch.isdigit() or ch == ".")) for item in _SURNAMES.split()]
)
_weights *= np.array([_HUNAN_BONUS.get(s[0], 1.0) for s in SURNAMES])
SURNAME_P: npt.NDArray[np.float64] = _weights / _weights.sum()

# Given-name characters: (older generation, younger generation) per gender.
_MALE_OLD = "建国军华明德福贵富春桂平生清林志成海强勇伟忠红东新文光荣兵武云斌刚辉松长发金庆祥学"
_MALE_YOUNG = "浩宇轩涛鹏杰俊博泽晨睿磊超凯航宁宸皓然子一俊杰亮波峰阳洋梓佳"
_FEMALE_OLD = "秀英兰珍凤芳桂玉华红梅菊花琴霞翠莲云春丽敏娟平燕萍芬秋香容"
_FEMALE_YOUNG = "欣怡诗雨梦佳思涵婷琪雯静悦萱妍嘉颖丹璐晓琳洁玲倩蕾彤薇馨"
MALE_OLD = np.array(list(_MALE_OLD), dtype=object)
MALE_YOUNG = np.array(list(_MALE_YOUNG), dtype=object)
FEMALE_OLD = np.array(list(_FEMALE_OLD), dtype=object)
FEMALE_YOUNG = np.array(list(_FEMALE_YOUNG), dtype=object)

# Same pinyin with the same tone (checked with pypinyin in the tests).
HOMOPHONES: dict[str, str] = {
    p[0]: p[1]
    for p in [
        "明鸣",
        "军君",
        "丽莉",
        "红宏",
        "芳方",
        "伟玮",
        "平萍",
        "林琳",
        "杰洁",
        "勇永",
        "斌彬",
        "静婧",
        "燕艳",
        "玲铃",
        "英瑛",
        "霞侠",
        "建健",
        "志智",
        "文雯",
        "峰锋",
        "辉晖",
        "涛滔",
        "鹏朋",
        "国帼",
        "秀绣",
        "兰岚",
        "梅玫",
        "春椿",
        "桂贵",
        "芬纷",
        "娟鹃",
        "云芸",
        "凤奉",
        "波玻",
        "亮谅",
        "超钞",
        "刚钢",
        "俊骏",
        "浩昊",
        "宇雨",
        "婷亭",
        "欣馨",
        "涵含",
        "洋阳",
        "佳家",
        "琪琦",
        "敏闽",
        "磊垒",
    ]
}
# Simplified -> traditional, for the clerk who typed a name from an old document.
TRADITIONAL: dict[str, str] = {
    p[0]: p[1]
    for p in [
        "国國",
        "华華",
        "军軍",
        "红紅",
        "丽麗",
        "伟偉",
        "东東",
        "兰蘭",
        "龙龍",
        "凤鳳",
        "刚剛",
        "荣榮",
        "辉輝",
        "贵貴",
        "杰傑",
        "涛濤",
        "庆慶",
        "长長",
        "发發",
        "叶葉",
        "刘劉",
        "陈陳",
        "张張",
        "杨楊",
        "黄黃",
        "赵趙",
        "吴吳",
        "郑鄭",
        "罗羅",
        "谢謝",
        "邓鄧",
        "冯馮",
        "韩韓",
        "孙孫",
        "马馬",
        "许許",
        "邹鄒",
        "贺賀",
        "龚龔",
        "谭譚",
        "钟鍾",
        "卢盧",
        "汤湯",
        "阳陽",
        "强強",
        "艳艷",
        "云雲",
        "静靜",
        "鹏鵬",
        "兴興",
        "凯凱",
        "莲蓮",
        "银銀",
        "义義",
        "爱愛",
        "卫衛",
        "坚堅",
        "庞龐",
        "宁寧",
        "颖穎",
        "书書",
        "梦夢",
        "诗詩",
        "轩軒",
        "苏蘇",
        "萧蕭",
    ]
}

BRAND_CHARS = np.array(
    list("鑫达兴隆恒通顺宏盛昌泰富源丰华永安康瑞祥和众诚信利宇洪湘衡蒸湖鸿运金力凯旭新宏远博"),
    dtype=object,
)


def surnames(rng: np.random.Generator, size: int) -> npt.NDArray[np.object_]:
    """Surnames drawn from the national (Hunan-tilted) frequency table."""
    idx = rng.choice(len(SURNAMES), size=size, p=SURNAME_P)
    return np.asarray(SURNAMES, dtype=object)[idx]


def village_surnames(
    rng: np.random.Generator, village: npt.NDArray[np.int64], n_villages: int
) -> npt.NDArray[np.object_]:
    """Surnames for household heads: about half from the village's own three clans."""
    clans = surnames(rng, n_villages * 3).reshape(n_villages, 3)
    own = clans[village, rng.choice(3, size=len(village), p=[0.5, 0.3, 0.2])]
    general = surnames(rng, len(village))
    return np.where(rng.random(len(village)) < 0.5, own, general)


def given_names(
    rng: np.random.Generator, male: npt.NDArray[np.bool_], birth_year: npt.NDArray[np.int64]
) -> npt.NDArray[np.object_]:
    """Given names of one or two characters; the young draw on the younger pools."""
    n = len(male)
    young = rng.random(n) < np.clip((birth_year - 1960) / 45.0, 0.05, 0.95)
    out = np.empty(n, dtype=object)
    parts = []
    for _ in range(2):
        ch = np.where(
            male,
            np.where(
                young,
                MALE_YOUNG[rng.integers(0, len(MALE_YOUNG), n)],
                MALE_OLD[rng.integers(0, len(MALE_OLD), n)],
            ),
            np.where(
                young,
                FEMALE_YOUNG[rng.integers(0, len(FEMALE_YOUNG), n)],
                FEMALE_OLD[rng.integers(0, len(FEMALE_OLD), n)],
            ),
        )
        parts.append(ch)
    single = rng.random(n) < 0.15
    out[:] = np.where(single, parts[0], parts[0] + parts[1])
    return out


def homophone(name: str) -> str | None:
    """The name with its last replaceable given-name character swapped for a homophone."""
    for i in range(len(name) - 1, 0, -1):
        if name[i] in HOMOPHONES:
            return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]
    return None


def traditional(name: str) -> str | None:
    """The name with every character that has a traditional form written traditionally."""
    out = "".join(TRADITIONAL.get(c, c) for c in name)
    return out if out != name else None


def typo(name: str, rng: np.random.Generator) -> str:
    """The name with one given-name character replaced by an unrelated one (a typing slip)."""
    pool = _MALE_OLD + _FEMALE_OLD
    i = len(name) - 1
    sound = lazy_pinyin(name[i])
    while True:
        c = pool[int(rng.integers(0, len(pool)))]
        if c != name[i] and lazy_pinyin(c) != sound:
            return name[:i] + c + name[i + 1 :]
