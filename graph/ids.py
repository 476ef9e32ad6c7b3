"""Identifiers and value types: every register cell is cleaned and checked here, once.

Loaders never re-implement parsing: they call these functions and turn an
:class:`~graph.errors.InvalidValue` into a rejects-file row. Each failure carries a
short ``reason`` code (``empty``, ``bad_length``, ``bad_chars``, ``bad_division``,
``bad_birth_date``, ``bad_check_char``, ``bad_authority``, ``bad_category``,
``bad_format``, ``bad_date``, ``bad_amount``, ``bad_precision``, ``bad_bool``,
``bad_ratio``) so a report can group by it.

>>> normalise_resident_id(" 43042219900101123x ")
'43042219900101123X'
>>> normalise_plate("湘D·a1234")
'湘DA1234'
>>> parse_money_fen("0.12万元")
120000
"""

from __future__ import annotations

import datetime
import operator
import re
from dataclasses import dataclass
from decimal import Context, Decimal, Inexact, InvalidOperation, localcontext

from graph.errors import InvalidValue

# Province-level prefixes of GB/T 2260; 81-83 appear on residence permits for
# Hong Kong, Macao and Taiwan residents, which share the resident ID format.
# fmt: off
_PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
})
# fmt: on
_RESIDENCE_PERMITS = frozenset({"81", "82", "83"})

_HALFWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}
_EDGE_JUNK = re.compile(r"^[\s\u200b\ufeff]+|[\s\u200b\ufeff]+$")
_INVISIBLE = "\u200b\ufeff"


def to_halfwidth(s: str) -> str:
    """Map full-width ASCII forms (U+FF01-U+FF5E) and the ideographic space to ASCII.

    >>> to_halfwidth("４３０４２２\u3000ＡＢｃ（１）")
    '430422 ABc(1)'
    """
    return s.translate(_HALFWIDTH)


def _is_missing(value: object) -> bool:
    if value is None or type(value).__name__ in {"NAType", "NaTType"}:
        return True
    try:
        return bool(value != value)  # NaN of any numeric type, without importing pandas
    except (TypeError, ValueError, ArithmeticError):
        return False


def clean(value: object) -> str:
    """Return a cell as stripped half-width text; missing values (None, NaN, NA) become "".

    A whole-number float is written without ``.0``, because spreadsheet readers
    turn integer columns with gaps into floats.

    >>> clean(None), clean(float("nan")), clean("　１２３ "), clean(20190105.0)
    ('', '', '123', '20190105')
    """
    if type(value) is str:  # nearly every cell: skip the missing-value checks
        text = value
    elif _is_missing(value):
        return ""
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    if not text.isascii():
        text = text.translate(_HALFWIDTH)
    text = text.strip()
    # str.strip() leaves zero-width spaces and byte-order marks; they are rare.
    if text and (text[0] in _INVISIBLE or text[-1] in _INVISIBLE):
        text = _EDGE_JUNK.sub("", text)
    return text


def _required(value: object, what: str) -> str:
    text = clean(value)
    if not text:
        raise InvalidValue("empty", f"{what} is empty", value)
    return text


# ----------------------------------------------------------------- resident ID

_RID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_RID_ZEROS = ord("0") * sum(_RID_WEIGHTS)
_RID_BODY = re.compile(r"[0-9]{17}")
_RID_18 = re.compile(r"[0-9]{17}[0-9X]")
_RID_15 = re.compile(r"[0-9]{15}")


def resident_id_check_char(body17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID.

    >>> resident_id_check_char("11010519491231002")
    'X'
    """
    if not _RID_BODY.fullmatch(body17):
        raise InvalidValue("bad_chars", f"resident ID body {body17!r} is not 17 digits", body17)
    # The digits' ASCII codes times the weights, less what the code of "0" added: every
    # row of the household register is checked, and int() per digit took twice as long.
    total = sum(map(operator.mul, body17.encode("ascii"), _RID_WEIGHTS)) - _RID_ZEROS
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


@dataclass(frozen=True)
class ResidentId:
    """A checked 18-character resident ID number and what it encodes."""

    number: str
    division_code: str
    birth_date: datetime.date
    gender: str
    upgraded_from_15: bool
    warnings: tuple[str, ...]


def parse_resident_id(value: object, *, on: datetime.date | None = None) -> ResidentId:
    """Check a GB 11643 resident ID number; a 15-digit legacy number is upgraded to 18.

    The birth date may not lie after ``on`` (default today). Only the province of the
    division code is checked, because a number keeps the code in force when it was
    issued and retired codes stay valid.

    >>> rid = parse_resident_id("430422900101123")
    >>> rid.number, rid.birth_date.isoformat(), rid.gender, rid.upgraded_from_15
    ('43042219900101123X', '1990-01-01', '男', True)
    """
    text = _required(value, "resident ID number").upper()
    what = f"resident ID number {text!r}"
    if len(text) not in (15, 18):
        raise InvalidValue("bad_length", f"{what} has {len(text)} characters, not 18 or 15", value)
    if not (_RID_18 if len(text) == 18 else _RID_15).fullmatch(text):
        raise InvalidValue("bad_chars", f"{what} has characters other than digits", value)
    upgraded = len(text) == 15
    body = text[:6] + "19" + text[6:] if upgraded else text[:17]
    division = body[:6]
    if division[:2] not in _PROVINCES:
        raise InvalidValue("bad_division", f"{what} does not start with a province code", value)
    birth = _calendar_date(body[6:10], body[10:12], body[12:14])
    today = on or datetime.date.today()
    if birth is None or birth.year < 1900 or birth > today:
        message = f"{what} has birth date {body[6:14]}, not a date from 1900 to {today}"
        raise InvalidValue("bad_birth_date", message, value)
    check = resident_id_check_char(body)
    if not upgraded and text[17] != check:
        message = f"{what} ends in {text[17]!r} but its check character is {check!r}"
        raise InvalidValue("bad_check_char", message, value)
    warnings: list[str] = []
    if division[:2] in _RESIDENCE_PERMITS:
        warnings.append(f"division code {division} is a Hong Kong/Macao/Taiwan residence permit")
    elif division[2:] == "0000":
        warnings.append(f"division code {division} names a province, not a county")
    return ResidentId(
        number=body + check,
        division_code=division,
        birth_date=birth,
        gender="男" if int(body[16]) % 2 else "女",
        upgraded_from_15=upgraded,
        warnings=tuple(warnings),
    )


def normalise_resident_id(value: object) -> str:
    """Return the canonical 18-character form of a resident ID number.

    >>> normalise_resident_id("４３０４２２１９９００１０１１２３ｘ")
    '43042219900101123X'
    """
    return parse_resident_id(value).number


def is_resident_id(value: object) -> bool:
    """Tell whether ``value`` is a valid resident ID number (15 or 18 characters).

    >>> is_resident_id("43042219900101123X"), is_resident_id("430422199001011231")
    (True, False)
    """
    try:
        parse_resident_id(value)
    except InvalidValue:
        return False
    return True


# ------------------------------------------------------------------------ USCC

_USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(_USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 32100 started with 1 (机构编制), 5 (民政), 9 (工商) and Y (其他); later notices added
# authorities that our registers do meet: 3 (司法行政, law firms), 8 (工会) and N (农业,
# village collective economic organisations, which pay and receive village money).
_USCC_AUTHORITIES = frozenset("123456789ANY")
_USCC_CATEGORIES = frozenset("123456789Y")


def uscc_check_char(body17: str) -> str:
    """GB 32100 MOD 31 check character of the first 17 characters of a USCC.

    >>> uscc_check_char("91110000600037341")
    'L'
    """
    if len(body17) != 17 or any(c not in _USCC_VALUE for c in body17):
        raise InvalidValue("bad_chars", f"USCC body {body17!r} is not 17 code characters", body17)
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARSET[(31 - total % 31) % 31]


def normalise_uscc(value: object) -> str:
    """Check a unified social credit code and return it upper-cased.

    Characters 3-8 are not required to be digits: authority ``Y`` and older codes
    carry letters there.

    >>> normalise_uscc(" 91110000600037341l ")
    '91110000600037341L'
    """
    text = _required(value, "USCC").upper()
    what = f"USCC {text!r}"
    if len(text) != 18:
        raise InvalidValue("bad_length", f"{what} has {len(text)} characters, not 18", value)
    if any(c not in _USCC_VALUE for c in text):
        raise InvalidValue("bad_chars", f"{what} has characters outside {_USCC_CHARSET}", value)
    if text[0] not in _USCC_AUTHORITIES:
        raise InvalidValue("bad_authority", f"{what}: no registration authority {text[0]}", value)
    if text[1] not in _USCC_CATEGORIES:
        raise InvalidValue("bad_category", f"{what}: no entity category {text[1]}", value)
    check = uscc_check_char(text[:17])
    if text[17] != check:
        message = f"{what} ends in {text[17]!r} but its check character is {check!r}"
        raise InvalidValue("bad_check_char", message, value)
    return text


def is_uscc(value: object) -> bool:
    """Tell whether ``value`` is a valid USCC.

    >>> is_uscc("91110000600037341L"), is_uscc("91110000600037341M")
    (True, False)
    """
    try:
        normalise_uscc(value)
    except InvalidValue:
        return False
    return True


def normalise_party_id(value: object) -> tuple[str, str]:
    """Normalise an owner/payee number that may be a resident ID or a USCC.

    Returns ``(number, "person")`` or ``(number, "enterprise")``. About 1 in 31
    resident IDs from provinces 11-15 and 50-54 also pass the USCC check, so a value
    valid as both is read as a resident ID (its birth date makes that likelier).

    >>> normalise_party_id("91110000600037341L")
    ('91110000600037341L', 'enterprise')
    >>> normalise_party_id("43042219900101123x")
    ('43042219900101123X', 'person')
    """
    text = _required(value, "party ID number").upper()
    try:
        return normalise_resident_id(text), "person"
    except InvalidValue as id_error:
        try:
            return normalise_uscc(text), "enterprise"
        except InvalidValue as uscc_error:
            id_like = bool(_RID_18.fullmatch(text) or _RID_15.fullmatch(text))
            error = id_error if id_like and text[:2] in _PROVINCES else uscc_error
            message = f"{text!r} is neither a resident ID number nor a USCC ({error})"
            raise InvalidValue(error.reason, message, value) from error


# ---------------------------------------------------------------------- plates

_PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"
_PLATE_SEPARATORS = re.compile(r"[\s·・･•.\-]")
_L = "A-HJ-NP-Z"  # plates never use I or O, which read as 1 and 0
_PLATE = re.compile(
    rf"[{_PLATE_PROVINCES}][{_L}]"
    rf"(?:[{_L}0-9]{{5}}|[{_L}0-9]{{4}}[学警挂领港澳]"  # ordinary, special-use
    rf"|[DF][{_L}0-9][0-9]{{4}}|[0-9]{{5}}[DF])"  # new energy: small car, large vehicle
)


def normalise_plate(value: object) -> str:
    """Return a GA 36 plate number without separators, upper-cased.

    >>> normalise_plate("湘d.a1234"), normalise_plate("粤B 12345F")
    ('湘DA1234', '粤B12345F')
    >>> normalise_plate("湘DD12345")
    '湘DD12345'
    """
    text = _PLATE_SEPARATORS.sub("", _required(value, "plate number")).upper()
    if not _PLATE.fullmatch(text):
        raise InvalidValue("bad_format", f"{text!r} is not a GA 36 plate number", value)
    return text


# ------------------------------------------------------------------- divisions

_LEVELS = {6: "county", 9: "township", 12: "village"}


def normalise_division_code(value: object) -> str:
    """Return a 6 (county), 9 (township) or 12 (village) digit division code.

    Statistical codes pad higher levels to 12 digits with zeros; those zeros are cut
    so one division has one key. The 6-digit level is called county, though GB/T 2260
    gives provinces and prefectures codes of the same width.

    >>> normalise_division_code("430422101000"), normalise_division_code("430422000000")
    ('430422101', '430422')
    """
    text = _required(value, "division code")
    if not re.fullmatch(r"[0-9]+", text):
        raise InvalidValue("bad_chars", f"division code {text!r} has non-digits", value)
    if len(text) not in _LEVELS:
        raise InvalidValue("bad_length", f"division code {text!r} is not 6, 9 or 12 digits", value)
    if text[:2] not in _PROVINCES:
        raise InvalidValue("bad_division", f"division code {text!r} has no province", value)
    while len(text) > 6 and text.endswith("000"):
        text = text[:-3]
    if len(text) == 12 and text[6:9] == "000":
        raise InvalidValue("bad_division", f"village code {text!r} has no township part", value)
    return text


def division_level(code: str) -> str:
    """Return ``'county'``, ``'township'`` or ``'village'`` for a division code.

    >>> division_level("430422"), division_level("430422101"), division_level("430422101201")
    ('county', 'township', 'village')
    """
    return _LEVELS[len(normalise_division_code(code))]


def division_parent(code: str) -> str | None:
    """Return the division one level up, or None for a county.

    >>> division_parent("430422101201"), division_parent("430422101"), division_parent("430422")
    ('430422101', '430422', None)
    """
    normalised = normalise_division_code(code)
    return normalised[:-3] if len(normalised) > 6 else None


def division_contains(outer: str, inner: str) -> bool:
    """Tell whether division ``inner`` lies within ``outer`` (a division contains itself).

    >>> division_contains("430422", "430422101201"), division_contains("430422102", "430422101201")
    (True, False)
    """
    return normalise_division_code(inner).startswith(normalise_division_code(outer))


# ----------------------------------------------------------- money and numbers

_MONEY = re.compile(
    r"(?P<sign>-?)\s*[¥￥]?\s*(?P<sign2>-?)\s*"
    r"(?P<number>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?|[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
    r"\s*(?P<unit>万元|万|元)?"
)


def _exact_decimal(value: object, what: str, reason: str) -> Decimal | None:
    """A number given as a number, or None if it must be parsed from text."""
    if _is_missing(value):
        return None
    if isinstance(value, bool):
        raise InvalidValue(reason, f"{what} {value!r} is a boolean, not a number", value)
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not number.is_finite():
            raise InvalidValue(reason, f"{what} {value!r} is not finite", value)
        return number
    return None


def _yuan(value: object, text: str) -> Decimal:
    yuan = _exact_decimal(value, "amount", "bad_amount")
    if yuan is not None:
        return yuan
    if not text:
        raise InvalidValue("empty", "amount is empty", value)
    match = _MONEY.fullmatch(text)
    if not match or (match["sign"] and match["sign2"]):
        raise InvalidValue("bad_amount", f"{text!r} is not an amount in yuan", value)
    yuan = Decimal(match["number"].replace(",", ""))
    if match["unit"] in ("万", "万元"):
        yuan = yuan.scaleb(4)
    return -yuan if match["sign"] or match["sign2"] else yuan


def parse_money_fen(value: object) -> int:
    """Parse an amount in yuan to integer fen (1 yuan = 100 fen), exactly.

    >>> parse_money_fen("1,234.50"), parse_money_fen("1234.5元"), parse_money_fen("¥-12")
    (123450, 123450, -1200)
    >>> parse_money_fen("1.005")
    Traceback (most recent call last):
    graph.errors.InvalidValue: amount '1.005' is not a whole number of fen
    """
    text = clean(value)
    # Exact arithmetic: any rounding (an absurdly long number) is an error, not a guess.
    with localcontext(Context(prec=40, traps=[Inexact, InvalidOperation])):
        try:
            fen = _yuan(value, text).scaleb(2) + 0
        except (Inexact, InvalidOperation) as error:
            message = f"amount {text!r} has too many digits"
            raise InvalidValue("bad_amount", message, value) from error
    if fen != fen.to_integral_value():
        raise InvalidValue("bad_precision", f"amount {text!r} is not a whole number of fen", value)
    return int(fen)


_RATIO = re.compile(r"(?P<number>-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*(?P<percent>%?)")


def parse_ratio(value: object) -> float:
    """Parse a share as a fraction in 0..1; a bare number above 1 is a percentage.

    >>> parse_ratio("0.35"), parse_ratio("35%"), parse_ratio("35"), parse_ratio("1")
    (0.35, 0.35, 0.35, 1.0)
    """
    number = _exact_decimal(value, "ratio", "bad_ratio")
    percent = False
    if number is None:
        text = _required(value, "ratio")
        match = _RATIO.fullmatch(text)
        if not match:
            raise InvalidValue("bad_format", f"{text!r} is not a ratio or percentage", value)
        number, percent = Decimal(match["number"]), bool(match["percent"])
    if percent or number > 1:
        number /= 100
    if not 0 <= number <= 1:
        raise InvalidValue("bad_ratio", f"ratio {clean(value)!r} is not between 0 and 100%", value)
    return float(number)


_TRUE = frozenset({"是", "y", "yes", "true", "t", "1", "已"})
_FALSE = frozenset({"否", "n", "no", "false", "f", "0", "未"})


def parse_bool(value: object) -> bool:
    """Parse 是/否, Y/N, yes/no, true/false, 1/0 or 已/未 (case-insensitive).

    >>> parse_bool("是"), parse_bool("N"), parse_bool(1.0), parse_bool("未")
    (True, False, True, False)
    """
    if isinstance(value, bool):
        return value
    text = _required(value, "yes/no value").lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InvalidValue("bad_bool", f"{text!r} is not a yes/no value", value)


# ----------------------------------------------------------------------- dates

# pandas writes timestamps as '2019-01-05 00:00:00' when a sheet is saved as CSV.
_TIME = r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
_DATES = (
    re.compile(
        rf"(?P<y>[0-9]{{4}})(?P<s>[-/.])(?P<m>[0-9]{{1,2}})(?P=s)(?P<d>[0-9]{{1,2}}){_TIME}"
    ),
    re.compile(rf"(?P<y>[0-9]{{4}})(?P<m>[0-9]{{2}})(?P<d>[0-9]{{2}}){_TIME}"),
    re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月\s*(?P<d>[0-9]{1,2})\s*日"),
)
_MONTHS = (
    re.compile(r"(?P<y>[0-9]{4})[-/.](?P<m>[0-9]{1,2})"),
    re.compile(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})"),
    re.compile(r"(?P<y>[0-9]{4})\s*年\s*(?P<m>[0-9]{1,2})\s*月"),
)


def _calendar_date(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    return next((m for p in patterns if (m := p.fullmatch(text))), None)


def parse_date(value: object) -> str:
    """Return an ISO date from the register formats or a date/datetime/Timestamp cell.

    >>> parse_date("2019/1/5"), parse_date("20190105"), parse_date("2019年1月5日")
    ('2019-01-05', '2019-01-05', '2019-01-05')
    >>> parse_date(datetime.datetime(2019, 1, 5, 8, 30))
    '2019-01-05'
    """
    text = _required(value, "date")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    match = _match(_DATES, text)
    if not match:
        raise InvalidValue("bad_format", f"{text!r} is not a date (YYYY-MM-DD)", value)
    parsed = _calendar_date(match["y"], match["m"], match["d"])
    if parsed is None:
        raise InvalidValue("bad_date", f"{text!r} is not a calendar date", value)
    return parsed.isoformat()


def parse_month(value: object) -> str:
    """Return ``YYYY-MM`` from a month or a full date in any accepted format.

    >>> parse_month("2019/3"), parse_month("201903"), parse_month("2019年3月")
    ('2019-03', '2019-03', '2019-03')
    >>> parse_month("2019-03-31")
    '2019-03'
    """
    text = _required(value, "month")
    if isinstance(value, datetime.date):
        return f"{value.year:04d}-{value.month:02d}"
    match = _match(_MONTHS, text)
    if not match:
        if _match(_DATES, text):
            return parse_date(value)[:7]
        raise InvalidValue("bad_format", f"{text!r} is not a month (YYYY-MM)", value)
    if not (1 <= int(match["m"]) <= 12 and int(match["y"]) >= 1):
        raise InvalidValue("bad_date", f"{text!r} is not a calendar month", value)
    return f"{int(match['y']):04d}-{int(match['m']):02d}"


# ---------------------------------------------------------------- other values

_BRACKETS = str.maketrans("([【〔)]】〕", "（（（（））））")


def normalise_cert_no(value: object) -> str:
    """Normalise a property certificate number: no spaces, brackets as full-width （）.

    The full-width form is canonical because certificates print it; everything else
    is half-width.

    >>> normalise_cert_no(" 湘(2019)衡阳市 不动产权第００１２３４５号")
    '湘（2019）衡阳市不动产权第0012345号'
    """
    text = _required(value, "certificate number")
    return re.sub(r"\s+", "", text).translate(_BRACKETS)


def mask(value: str, keep_head: int = 6, keep_tail: int = 4) -> str:
    """Hide the middle of an identifier for display, keeping its length.

    The head and tail are kept when at least as many characters stay hidden as the
    longer of the two; a shorter value shows at most half of itself, split between
    head and tail in the same proportion.

    >>> mask("43042219900101123X"), mask("13800138000"), mask("13800138000", 3, 4)
    ('430422********123X', '138******00', '138****8000')
    """
    if keep_head < 0 or keep_tail < 0:
        raise ValueError("keep_head and keep_tail must not be negative")
    length, kept = len(value), keep_head + keep_tail
    if length - kept < max(keep_head, keep_tail, 1):
        shown = length // 2
        keep_head = shown * keep_head // kept if kept else 0
        keep_tail = shown - keep_head if kept else 0
    return value[:keep_head] + "*" * (length - keep_head - keep_tail) + value[length - keep_tail :]
