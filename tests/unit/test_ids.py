"""Tests for graph.ids: known answers, one test per reject reason, and property tests.

python-stdnum serves as an independent oracle for the two check-character algorithms.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric as stdnum_ric
from stdnum.cn import uscc as stdnum_uscc

from graph.errors import InvalidValue
from graph.ids import (
    ResidentId,
    clean,
    division_contains,
    division_level,
    division_parent,
    is_resident_id,
    is_uscc,
    mask,
    normalise_cert_no,
    normalise_division_code,
    normalise_party_id,
    normalise_plate,
    normalise_resident_id,
    normalise_uscc,
    parse_bool,
    parse_date,
    parse_money_fen,
    parse_month,
    parse_ratio,
    parse_resident_id,
    resident_id_check_char,
    to_halfwidth,
    uscc_check_char,
)

ON = datetime.date(2024, 6, 30)
# fmt: off
PROVINCES = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",
]
# fmt: on
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
PLATE_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领"


def fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def reason_of(func: object, value: object) -> str:
    assert callable(func)
    with pytest.raises(InvalidValue) as info:
        func(value)
    return info.value.reason


def with_check(body17: str) -> str:
    return body17 + resident_id_check_char(body17)


# ------------------------------------------------------------------ strategies


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    province = draw(st.sampled_from(PROVINCES))
    rest = draw(st.text("0123456789", min_size=4, max_size=4))
    birth = draw(st.dates(datetime.date(1900, 1, 1), ON))
    sequence = draw(st.text("0123456789", min_size=3, max_size=3))
    return with_check(f"{province}{rest}{birth:%Y%m%d}{sequence}")


@st.composite
def usccs(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from("123456789ANY"))
    category = draw(st.sampled_from("123456789Y"))
    rest = draw(st.text(USCC_CHARSET, min_size=15, max_size=15))
    body = authority + category + rest
    return body + uscc_check_char(body)


@st.composite
def plates(draw: st.DrawFn) -> str:
    alnum = PLATE_LETTERS + "0123456789"
    head = draw(st.sampled_from(PLATE_PROVINCES)) + draw(st.sampled_from(PLATE_LETTERS))
    tail = draw(
        st.one_of(
            st.text(alnum, min_size=5, max_size=5),
            st.tuples(st.text(alnum, min_size=4, max_size=4), st.sampled_from("学警挂领港澳")).map(
                "".join
            ),
            st.tuples(
                st.sampled_from("DF"),
                st.sampled_from(alnum),
                st.text("0123456789", min_size=4, max_size=4),
            ).map("".join),
            st.tuples(st.text("0123456789", min_size=5, max_size=5), st.sampled_from("DF")).map(
                "".join
            ),
        )
    )
    return head + tail


# ------------------------------------------------------------- text cleaning


def test_to_halfwidth_maps_fullwidth_ascii_and_ideographic_space() -> None:
    assert to_halfwidth("ＡＢＣ１２３\u3000（ｘ）！～") == "ABC123 (x)!~"
    assert to_halfwidth("湘Ｄ·Ａ１２３４") == "湘D·A1234"


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_to_halfwidth_inverts_fullwidth(text: str) -> None:
    assert to_halfwidth(fullwidth(text)) == text


@pytest.mark.parametrize(
    "value", [None, float("nan"), pd.NA, pd.NaT, Decimal("NaN"), "", "  ", "\u3000", "\ufeff"]
)
def test_clean_missing_is_empty(value: object) -> None:
    assert clean(value) == ""


def test_clean_text_and_numbers() -> None:
    assert clean("  ４３０４２２\u3000") == "430422"
    assert clean("\ufeff430422\u200b") == "430422"
    assert clean(430422) == "430422"
    assert clean(20190105.0) == "20190105"
    assert clean(0.35) == "0.35"


# ----------------------------------------------------------------- resident ID


@pytest.mark.parametrize(
    "number",
    ["11010519491231002X", "360426199101010071", "43042219900101123X", "430422200002290029"],
)
def test_resident_id_check_char_known_answers(number: str) -> None:
    assert resident_id_check_char(number[:17]) == number[17]
    assert stdnum_ric.calc_check_digit(number) == number[17]


@given(st.text("0123456789", min_size=17, max_size=17))
def test_resident_id_check_char_matches_stdnum(body: str) -> None:
    assert resident_id_check_char(body) == stdnum_ric.calc_check_digit(body + "0")


def test_parse_resident_id_extracts_fields() -> None:
    rid = parse_resident_id("360426199101010071", on=ON)
    assert rid == ResidentId(
        number="360426199101010071",
        division_code="360426",
        birth_date=datetime.date(1991, 1, 1),
        gender="男",
        upgraded_from_15=False,
        warnings=(),
    )
    female = parse_resident_id("430422200002290029", on=ON)
    assert (female.gender, female.birth_date) == ("女", datetime.date(2000, 2, 29))


def test_resident_id_normalises_case_space_and_fullwidth() -> None:
    expected = "43042219900101123X"
    assert normalise_resident_id("43042219900101123x") == expected
    assert normalise_resident_id(" 43042219900101123X\t") == expected
    assert normalise_resident_id(fullwidth("43042219900101123x")) == expected


def test_resident_id_15_digit_upgrade() -> None:
    rid = parse_resident_id("430422900101123")
    assert rid.number == "43042219900101123X"
    assert rid.upgraded_from_15
    assert rid.birth_date == datetime.date(1990, 1, 1)
    assert rid.gender == "男"
    assert stdnum_ric.calc_check_digit(rid.number) == "X"


def test_resident_id_warnings_do_not_reject() -> None:
    permit = parse_resident_id(with_check("81000019900101123"))
    assert permit.warnings
    assert "residence permit" in permit.warnings[0]
    province = parse_resident_id(with_check("43000019900101123"))
    assert province.warnings
    assert "province" in province.warnings[0]


def test_resident_id_birth_date_bounds() -> None:
    born_on = with_check(f"430422{ON:%Y%m%d}123")
    assert parse_resident_id(born_on, on=ON).birth_date == ON
    assert reason_of(lambda v: parse_resident_id(v, on=ON - datetime.timedelta(1)), born_on) == (
        "bad_birth_date"
    )
    assert reason_of(parse_resident_id, with_check("43042229990101123")) == "bad_birth_date"
    assert reason_of(parse_resident_id, with_check("43042218991231123")) == "bad_birth_date"
    assert reason_of(parse_resident_id, with_check("43042219000229123")) == "bad_birth_date"
    assert reason_of(parse_resident_id, "430422901301123") == "bad_birth_date"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "empty"),
        ("", "empty"),
        (float("nan"), "empty"),
        ("43042219900101123", "bad_length"),
        ("43042219900101123XX", "bad_length"),
        ("4304221990010112", "bad_length"),
        ("43042219900101123Y", "bad_chars"),
        ("430422199X0101123X", "bad_chars"),
        ("43042219900101123 X", "bad_length"),
        ("43042219900101-23X", "bad_chars"),
        ("43042290010112X", "bad_chars"),
        (with_check("99042219900101123"), "bad_division"),
        (with_check("00042219900101123"), "bad_division"),
        ("430422199001011231", "bad_check_char"),
        ("430422199002301230", "bad_birth_date"),
    ],
)
def test_resident_id_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(parse_resident_id, value) == reason
    assert not is_resident_id(value)


def test_invalid_value_message_names_the_value() -> None:
    with pytest.raises(InvalidValue, match="430422199001011231") as info:
        normalise_resident_id("430422199001011231")
    assert isinstance(info.value, ValueError)
    assert info.value.value == "430422199001011231"


@given(resident_ids(), st.booleans(), st.booleans())
def test_generated_resident_ids_round_trip(number: str, lower: bool, wide: bool) -> None:
    assert stdnum_ric.calc_check_digit(number) == number[-1]
    text = number.lower() if lower else number
    text = fullwidth(text) if wide else text
    rid = parse_resident_id(f" {text} ", on=ON)
    assert rid.number == number
    assert normalise_resident_id(rid.number) == number
    assert rid.birth_date.strftime("%Y%m%d") == number[6:14]
    assert rid.gender == ("男" if int(number[16]) % 2 else "女")
    assert rid.division_code == number[:6]


@given(resident_ids())
def test_every_single_char_corruption_of_a_resident_id_fails(number: str) -> None:
    for position in range(18):
        alphabet = "0123456789X" if position == 17 else "0123456789"
        for char in alphabet.replace(number[position], ""):
            corrupt = number[:position] + char + number[position + 1 :]
            with pytest.raises(InvalidValue) as info:
                parse_resident_id(corrupt, on=ON)
            if 2 <= position < 6 or position >= 14:
                assert info.value.reason == "bad_check_char"
            else:
                assert info.value.reason in {"bad_check_char", "bad_birth_date", "bad_division"}


@given(
    st.sampled_from(PROVINCES),
    st.text("0123456789", min_size=4, max_size=4),
    st.dates(datetime.date(1900, 1, 1), datetime.date(1999, 12, 31)),
    st.text("0123456789", min_size=3, max_size=3),
)
def test_15_digit_numbers_upgrade_consistently(
    province: str, rest: str, birth: datetime.date, sequence: str
) -> None:
    old = f"{province}{rest}{birth:%y%m%d}{sequence}"
    rid = parse_resident_id(old)
    assert rid.upgraded_from_15
    assert rid.number == with_check(f"{province}{rest}{birth:%Y%m%d}{sequence}")
    assert rid.birth_date == birth
    again = parse_resident_id(rid.number)
    assert (again.number, again.gender, again.upgraded_from_15) == (rid.number, rid.gender, False)


# ------------------------------------------------------------------------ USCC


def test_uscc_known_answers() -> None:
    assert uscc_check_char("91110000600037341") == "L"
    assert normalise_uscc("91110000600037341L") == "91110000600037341L"
    assert normalise_uscc(" 91110000600037341l ") == "91110000600037341L"
    assert normalise_uscc(fullwidth("91110000600037341L")) == "91110000600037341L"
    assert stdnum_uscc.is_valid("91110000600037341L")


def test_uscc_accepts_letters_in_region_part_unlike_stdnum() -> None:
    code = "Y1ABCDEF" + "123456789"
    code += uscc_check_char(code)
    assert normalise_uscc(code) == code
    assert not stdnum_uscc.is_valid(code)


def test_uscc_accepts_village_collective_codes() -> None:
    code = "N2430422" + "MA4L12345"
    code += uscc_check_char(code)
    assert is_uscc(code)


@given(st.text(USCC_CHARSET, min_size=17, max_size=17))
def test_uscc_check_char_matches_stdnum(body: str) -> None:
    assert uscc_check_char(body) == stdnum_uscc.calc_check_digit(body)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        (None, "empty"),
        ("91110000600037341", "bad_length"),
        ("91110000600037341LL", "bad_length"),
        ("9111000060003734IL", "bad_chars"),
        ("9111000060003734OL", "bad_chars"),
        ("9111000060003734ZL", "bad_chars"),
        ("9111000060003734SL", "bad_chars"),
        ("9111000060003734VL", "bad_chars"),
        ("9111000060003734-L", "bad_chars"),
        ("B1110000600037341L", "bad_authority"),
        ("01110000600037341L", "bad_authority"),
        ("90110000600037341L", "bad_category"),
        ("9A110000600037341L", "bad_category"),
        ("91110000600037341M", "bad_check_char"),
    ],
)
def test_uscc_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(normalise_uscc, value) == reason
    assert not is_uscc(value)


@given(usccs(), st.booleans())
def test_generated_usccs_round_trip(code: str, lower: bool) -> None:
    text = code.lower() if lower else code
    assert normalise_uscc(fullwidth(f" {text}")) == code
    assert normalise_uscc(code) == code


@given(usccs())
def test_every_single_char_corruption_of_a_uscc_fails(code: str) -> None:
    for position in range(18):
        for char in USCC_CHARSET.replace(code[position], ""):
            corrupt = code[:position] + char + code[position + 1 :]
            expected = "bad_check_char"
            if position == 0 and char not in "123456789ANY":
                expected = "bad_authority"
            elif position == 1 and char not in "123456789Y":
                expected = "bad_category"
            assert reason_of(normalise_uscc, corrupt) == expected


# -------------------------------------------------------------------- party ID


def test_party_id_kinds() -> None:
    assert normalise_party_id("43042219900101123x") == ("43042219900101123X", "person")
    assert normalise_party_id("430422900101123") == ("43042219900101123X", "person")
    assert normalise_party_id("91110000600037341l") == ("91110000600037341L", "enterprise")


def test_party_id_valid_as_both_is_a_person() -> None:
    both = next(
        number
        for sequence in range(1000)
        if is_uscc(number := with_check(f"11010519900101{sequence:03d}"))
    )
    assert normalise_party_id(both) == (both, "person")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("12345", "bad_length"),
        ("430422199001011231", "bad_check_char"),  # looks like an ID: the ID's reason
        ("430422199002301230", "bad_birth_date"),
        ("91110000600037341M", "bad_check_char"),  # looks like a USCC: the USCC's reason
        ("9111000060003734IL", "bad_chars"),
    ],
)
def test_party_id_reject_reasons(value: object, reason: str) -> None:
    with pytest.raises(InvalidValue, match=r"neither|empty") as info:
        normalise_party_id(value)
    assert info.value.reason == reason


# ---------------------------------------------------------------------- plates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("湘DA1234", "湘DA1234"),
        ("湘D·A1234", "湘DA1234"),
        ("湘D・A1234", "湘DA1234"),
        ("湘D.A1234", "湘DA1234"),
        ("湘D-A1234", "湘DA1234"),
        ("湘d a1234", "湘DA1234"),
        ("湘Ｄ．Ａ１２３４", "湘DA1234"),
        ("湘DD12345", "湘DD12345"),
        ("湘DF12345", "湘DF12345"),
        ("粤B12345F", "粤B12345F"),
        ("湘A1234警", "湘A1234警"),
        ("粤Z1234港", "粤Z1234港"),
        ("湘D1234学", "湘D1234学"),
    ],
)
def test_plate_known_answers(value: str, expected: str) -> None:
    assert normalise_plate(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("湘IA1234", "bad_format"),
        ("湘DA12O4", "bad_format"),
        ("湘DA123", "bad_format"),
        ("湘DA123456", "bad_format"),
        ("湘DA12345", "bad_format"),
        ("湘D12345A", "bad_format"),
        ("港DA1234", "bad_format"),
        ("DA12345", "bad_format"),
        ("湘DA123警4", "bad_format"),
    ],
)
def test_plate_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(normalise_plate, value) == reason


@given(plates(), st.sampled_from(["", "·", "・", ".", "-", " "]), st.booleans())
def test_generated_plates_round_trip(plate: str, separator: str, lower: bool) -> None:
    text = plate[:2] + separator + plate[2:]
    assert normalise_plate(text.lower() if lower else text) == plate
    assert normalise_plate(plate) == plate


# ------------------------------------------------------------------- divisions


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("430422", "430422"),
        ("430422101", "430422101"),
        ("430422101201", "430422101201"),
        ("430422101000", "430422101"),
        ("430422000000", "430422"),
        ("430422000", "430422"),
        (430422101201.0, "430422101201"),
        (" ４３０４２２ ", "430422"),
    ],
)
def test_division_code_normalisation(value: object, expected: str) -> None:
    assert normalise_division_code(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        ("43042", "bad_length"),
        ("4304221", "bad_length"),
        ("43042a", "bad_chars"),
        ("990422", "bad_division"),
        ("430422000201", "bad_division"),
    ],
)
def test_division_code_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(normalise_division_code, value) == reason


def test_division_hierarchy() -> None:
    village, township, county = "430422101201", "430422101", "430422"
    assert [division_level(c) for c in (village, township, county)] == [
        "village",
        "township",
        "county",
    ]
    assert division_parent(village) == township
    assert division_parent(township) == county
    assert division_parent(county) is None
    assert division_level("430422101000") == "township"
    assert division_contains(county, village)
    assert division_contains(township, village)
    assert division_contains(village, village)
    assert not division_contains(village, county)
    assert not division_contains("430422102", village)
    assert not division_contains("430421", village)
    assert reason_of(division_level, "4304") == "bad_length"


@given(
    st.sampled_from(PROVINCES),
    st.integers(0, 9999),
    st.integers(1, 999),
    st.integers(1, 999),
)
def test_village_belongs_to_its_township_and_county(
    province: str, county: int, township: int, village: int
) -> None:
    code = f"{province}{county:04d}{township:03d}{village:03d}"
    assert division_level(code) == "village"
    parent = division_parent(code)
    assert parent is not None
    assert division_level(parent) == "township"
    assert division_parent(parent) == code[:6]
    assert division_contains(code[:6], code)
    assert division_contains(parent, code)


# ----------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("value", "fen"),
    [
        ("1,234.50", 123450),
        ("1234.5元", 123450),
        ("1234.5 元", 123450),
        ("0.12万元", 120000),
        ("3万", 3000000),
        ("¥12", 1200),
        ("￥12.00", 1200),
        ("１，２３４．５０", 123450),
        ("-1,234.50", -123450),
        ("-¥12", -1200),
        ("¥-12", -1200),
        ("0", 0),
        ("-0", 0),
        (".5", 50),
        ("12.", 1200),
        (12, 1200),
        (1234.56, 123456),
        (Decimal("0.01"), 1),
        (Decimal("1E+3"), 100000),
        ("0.123456万元", 123456),
    ],
)
def test_money_known_answers(value: object, fen: int) -> None:
    assert parse_money_fen(value) == fen


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        (None, "empty"),
        (float("nan"), "empty"),
        ("abc", "bad_amount"),
        ("12-", "bad_amount"),
        ("(12)", "bad_amount"),
        ("--12", "bad_amount"),
        ("-¥-12", "bad_amount"),
        ("+12", "bad_amount"),
        ("1,23", "bad_amount"),
        ("1,2345.00", "bad_amount"),
        ("1e5", "bad_amount"),
        ("12 34", "bad_amount"),
        ("12美元", "bad_amount"),
        (True, "bad_amount"),
        (float("inf"), "bad_amount"),
        ("1" * 60, "bad_amount"),
        ("1.005", "bad_precision"),
        ("0.1234567万元", "bad_precision"),
        (0.1 + 0.2, "bad_precision"),
    ],
)
def test_money_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(parse_money_fen, value) == reason


def money_styles(amount: Decimal) -> list[str]:
    plain = format(amount, "f")
    sign, magnitude = ("-", -amount) if amount < 0 else ("", amount)
    return [
        plain,
        format(amount, ",f"),
        plain + "元",
        f"{sign}¥{format(magnitude, ',f')}",
        f"¥{plain}",
        format(amount.scaleb(-4), "f") + "万元",
        fullwidth(plain),
    ]


@given(st.integers(-(10**14), 10**14))
def test_money_round_trips_in_every_style(fen: int) -> None:
    amount = Decimal(fen).scaleb(-2)
    for text in money_styles(amount):
        assert parse_money_fen(text) == fen, text
    assert parse_money_fen(amount) == fen


# ----------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "value",
    [
        "2019-01-05",
        "2019/01/05",
        "2019/1/5",
        "2019.1.5",
        "20190105",
        "2019年1月5日",
        "2019年01月05日",
        "２０１９年１月５日",
        "2019-01-05 00:00:00",
        "2019-01-05T08:30:00.000000000",
        20190105,
        datetime.date(2019, 1, 5),
        datetime.datetime(2019, 1, 5, 23, 59),
        pd.Timestamp("2019-01-05 12:00"),
    ],
)
def test_date_known_answers(value: object) -> None:
    assert parse_date(value) == "2019-01-05"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        (pd.NaT, "empty"),
        ("2019-1", "bad_format"),
        ("05/01/2019", "bad_format"),
        ("2019-01/05", "bad_format"),
        ("2019-01-05x", "bad_format"),
        ("2019年1月5", "bad_format"),
        ("2019-02-29", "bad_date"),
        ("20190230", "bad_date"),
        ("2019年13月1日", "bad_date"),
        ("0000-01-01", "bad_date"),
    ],
)
def test_date_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(parse_date, value) == reason


@given(st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)))
def test_dates_round_trip_in_every_style(day: datetime.date) -> None:
    iso = day.isoformat()
    y, m, d = day.year, day.month, day.day
    for text in (
        iso,
        iso.replace("-", "/"),
        f"{y}/{m}/{d}",
        iso.replace("-", ""),
        f"{y}年{m}月{d}日",
        f"{y}年{m:02d}月{d:02d}日",
        fullwidth(iso),
    ):
        assert parse_date(text) == iso, text
    assert parse_date(day) == iso


@pytest.mark.parametrize(
    "value",
    [
        "2019-03",
        "2019/03",
        "2019/3",
        "201903",
        "2019年3月",
        "2019-03-31",
        "20190331",
        "2019年3月1日",
    ],
)
def test_month_known_answers(value: object) -> None:
    assert parse_month(value) == "2019-03"
    assert parse_month(datetime.date(2019, 3, 9)) == "2019-03"


@pytest.mark.parametrize(
    ("value", "reason"),
    [("", "empty"), ("2019", "bad_format"), ("03/2019", "bad_format"), ("2019-13", "bad_date")],
)
def test_month_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(parse_month, value) == reason
    assert reason_of(parse_month, "201900") == "bad_date"
    assert reason_of(parse_month, "2019-02-30") == "bad_date"


@given(st.dates(datetime.date(1000, 1, 1), datetime.date(9999, 12, 31)))
def test_months_round_trip_in_every_style(day: datetime.date) -> None:
    month = day.isoformat()[:7]
    for text in (
        month,
        month.replace("-", "/"),
        month.replace("-", ""),
        f"{day.year}年{day.month}月",
    ):
        assert parse_month(text) == month, text
    assert parse_month(day.isoformat()) == month


# ----------------------------------------------------------- booleans, ratios


@pytest.mark.parametrize(
    "value", ["是", "Y", "y", "yes", "YES", "true", "True", "1", "已", 1, 1.0, True]
)
def test_bool_true(value: object) -> None:
    assert parse_bool(value) is True


@pytest.mark.parametrize("value", ["否", "N", "no", "FALSE", "0", "未", " 否 ", 0, False])
def test_bool_false(value: object) -> None:
    assert parse_bool(value) is False


@pytest.mark.parametrize(
    ("value", "reason"), [("", "empty"), ("maybe", "bad_bool"), (2, "bad_bool")]
)
def test_bool_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(parse_bool, value) == reason


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.35", 0.35),
        ("35%", 0.35),
        ("35", 0.35),
        ("35 %", 0.35),
        ("３５％", 0.35),
        ("1", 1.0),
        ("100", 1.0),
        ("100%", 1.0),
        ("0", 0.0),
        ("1.5", 0.015),
        ("0.5%", 0.005),
        (0.35, 0.35),
        (35, 0.35),
    ],
)
def test_ratio_known_answers(value: object, expected: float) -> None:
    assert parse_ratio(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        (None, "empty"),
        ("abc", "bad_format"),
        ("35%%", "bad_format"),
        ("150", "bad_ratio"),
        ("101%", "bad_ratio"),
        ("-5", "bad_ratio"),
        (True, "bad_ratio"),
    ],
)
def test_ratio_reject_reasons(value: object, reason: str) -> None:
    assert reason_of(parse_ratio, value) == reason


# ------------------------------------------------------ certificates, masking


@pytest.mark.parametrize(
    "value",
    [
        "湘(2019)衡阳市不动产权第0012345号",
        "湘（2019）衡阳市不动产权第0012345号",
        " 湘 (2019) 衡阳市不动产权第 0012345 号 ",
        "湘〔2019〕衡阳市不动产权第0012345号",
        "湘[2019]衡阳市不动产权第００１２３４５号",
        "湘【2019】衡阳市不动产权第0012345号",
    ],
)
def test_cert_no_canonical_form(value: str) -> None:
    canonical = "湘（2019）衡阳市不动产权第0012345号"
    assert normalise_cert_no(value) == canonical
    assert normalise_cert_no(canonical) == canonical


def test_cert_no_empty() -> None:
    assert reason_of(normalise_cert_no, " ") == "empty"


def test_mask_known_answers() -> None:
    assert mask("430422199001011234") == "430422********1234"
    assert mask("13800138000") == "138******00"
    assert mask("13800138000", keep_head=3, keep_tail=4) == "138****8000"
    assert mask("ab") == "*b"
    assert mask("a") == "*"
    assert mask("") == ""
    assert mask("abcdef", 0, 0) == "******"
    with pytest.raises(ValueError, match="negative"):
        mask("abc", -1)


@given(st.text("0123456789X", max_size=40), st.integers(0, 10), st.integers(0, 10))
def test_mask_keeps_length_and_reveals_little(value: str, head: int, tail: int) -> None:
    masked = mask(value, head, tail)
    assert len(masked) == len(value)
    shown = [i for i, c in enumerate(masked) if c != "*"]
    assert all(masked[i] == value[i] for i in shown)
    assert len(shown) <= max(head + tail, 0)
    if value:
        assert len(shown) < len(value)
    if len(value) - head - tail < max(head, tail, 1):
        assert len(shown) <= len(value) // 2
