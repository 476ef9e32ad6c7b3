"""Entity resolution without a store: normalisation, scoring, the decision rule."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.resolve import normalise as nz
from graph.resolve.blocking import Block
from graph.resolve.context import Divisions, MentionRecord, PersonRecord
from graph.resolve.decide import MARGIN, THRESHOLD, Scored, decide
from graph.resolve.model import Contribution
from graph.resolve.score import Stats, compare, relation_fit, total

VILLAGE, OTHER_VILLAGE = "430428101201", "430428102203"

# -- normalisation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "norm"),
    [
        ("劉國華", "刘国华"),  # traditional
        (" 刘 国华 ", "刘国华"),  # spaces
        ("刘\u3000国华", "刘国华"),  # ideographic space
        ("ＬＩＵ　Ｇｕｏ", "liuguo"),  # full-width latin
        ("阿卜杜•热合曼", "阿卜杜·热合曼"),  # the middle dot typed another way
        ("", ""),
    ],
)
def test_person_name(raw: str, norm: str) -> None:
    assert nz.person_name(raw) == norm


def test_pinyin_joins_homophones_not_others() -> None:
    assert nz.name_pinyin("王明") == nz.name_pinyin("王鸣") == "wang-ming"
    assert nz.name_pinyin("李丽") == nz.name_pinyin("李莉")
    assert nz.name_pinyin("张建国") != nz.name_pinyin("张建华")


@pytest.mark.parametrize(
    "variant",
    [
        "衡阳市鑫达建筑工程有限公司",
        "鑫达建筑工程有限责任公司",
        "湖南省衡阳市鑫达建筑工程有限公司",
        "鑫达建筑工程（衡阳）有限公司",
        "鑫达建筑工程(湖南省)有限公司",
        " 鑫达 建筑工程 有限公司",
        "蒸阳县鑫达建筑工程有限公司",
        "衡阳市蒸阳县鑫达建筑工程股份有限公司",
    ],
)
def test_enterprise_variants_meet(variant: str) -> None:
    assert nz.enterprise_name(variant) == "鑫达建筑工程"


def test_enterprise_names_that_differ_stay_apart() -> None:
    assert nz.enterprise_name("鑫达建筑工程有限公司") != nz.enterprise_name("鑫达路桥工程有限公司")
    # a branch in brackets is part of the name, not a place
    assert nz.enterprise_name("鑫达建筑工程有限公司(石塘分公司)") != nz.enterprise_name(
        "鑫达建筑工程有限公司"
    )
    # the county's own township names are stripped only when given
    assert nz.enterprise_name("蒸阳县石塘镇兴隆百货店", ("石塘镇",)) == "兴隆百货店"


def test_address_tokens_and_similarity() -> None:
    a = nz.address_tokens(nz.address("湖南省蒸阳县石塘镇枫桥村３组１２号"))
    b = nz.address_tokens(nz.address("湖南省 蒸阳县 石塘镇 枫桥村3组14号"))
    assert a[:5] == b[:5] == ["湖南省", "蒸阳县", "石塘镇", "枫桥村", "3组"]
    assert nz.address_similarity(a, b) == pytest.approx(5 / 7)
    assert nz.address_similarity(a, []) == 0.0


def test_phone() -> None:
    assert nz.phone("+86 139 0734 0000") == "13907340000"
    assert nz.phone("０７３４－２０００１２３") == "07342000123"
    assert nz.phone(None) == ""


_names = st.text(alphabet="张王李刘建国华明丽英红军", min_size=1, max_size=4)
# A one-character "name" is a surname alone: it would share the empty key with every
# other one, so it is only ever matched exactly.
_full_names = st.text(alphabet="张王李刘建国华明丽英红军", min_size=2, max_size=4)


@settings(deadline=None)  # a loaded CI machine is no reason to fail
@given(_full_names, _full_names)
def test_names_one_edit_apart_share_a_deletion_key(a: str, b: str) -> None:
    if nz.edit_distance(a, b) <= 1:
        assert nz.deletion_keys(a) & nz.deletion_keys(b)


@settings(deadline=None)
@given(_names, _names)
def test_edit_distance_is_symmetric_and_capped(a: str, b: str) -> None:
    d = nz.edit_distance(a, b)
    assert d == nz.edit_distance(b, a)
    assert 0 <= d <= 2
    assert (d == 0) == (a == b)


def test_division_hints_from_text() -> None:
    d = Divisions(
        villages={"枫桥村": [VILLAGE], "新塘村": ["430428102201", "430428101205"]},
        townships={"石塘镇": ["430428101"]},
    )
    assert d.hints("湖南省蒸阳县石塘镇枫桥村3组") == ({VILLAGE}, {"430428101"})
    # a village name two townships share is read in the township the text names
    assert d.hints("石塘镇新塘村") == ({"430428101205"}, {"430428101"})
    assert d.hints("新塘村") == ({"430428102201", "430428101205"}, {"430428102", "430428101"})


# -- scoring -----------------------------------------------------------------------------

STATS = Stats(
    population=1_000_000,
    divisions={VILLAGE: 2_000, OTHER_VILLAGE: 2_500, VILLAGE[:9]: 20_000, OTHER_VILLAGE[:9]: 1},
)


def _mention(**kw: object) -> MentionRecord:
    base: dict[str, object] = {"mention_id": "m", "name": "张建国", "kind": "legal_rep"}
    base.update(kw)
    return MentionRecord(**base)  # type: ignore[arg-type]


def _person(**kw: object) -> PersonRecord:
    base: dict[str, object] = {
        "id_number": "430428198001011234",
        "name": "张建国",
        "norm": "张建国",
        "village": VILLAGE,
    }
    base.update(kw)
    return PersonRecord(**base)  # type: ignore[arg-type]


def _score(m: MentionRecord, p: PersonRecord, level: str = "exact", n: int = 1) -> float:
    block = Block(counts={"exact": n, "pinyin": 0, "edit1": 0})
    return total(compare(m, p, level, block, STATS))


def test_a_rare_name_weighs_more_than_a_common_one() -> None:
    m, p = _mention(), _person()
    assert _score(m, p, n=1) - _score(m, p, n=64) == pytest.approx(6.0)


def test_village_agreement_adds_and_disagreement_subtracts() -> None:
    p = _person()
    bare = _score(_mention(), p)
    assert _score(_mention(villages={VILLAGE}), p) > bare + 8
    assert _score(_mention(villages={OTHER_VILLAGE}), p) < bare - 2


def test_phone_agreement_is_strong_and_explained() -> None:
    m = _mention(phones={"13907340000"})
    block = Block(counts={"exact": 40, "pinyin": 0, "edit1": 0}, phone_counts={"13907340000": 1})
    cs = compare(m, _person(phone="13907340000"), "exact", block, STATS)
    phone = next(c for c in cs if c.feature == "phone")
    assert phone.level == "agree"
    assert phone.bits > 15
    assert json.loads(json.dumps([c.as_json() for c in cs]))[0]["feature"] == "prior"


def test_name_levels_order() -> None:
    m, p = _mention(), _person()
    exact, pinyin, edit1 = (_score(m, p, lvl) for lvl in ("exact", "pinyin", "edit1"))
    assert exact > pinyin
    assert exact > edit1


def test_unique_name_in_the_village_clears_the_threshold_a_shared_one_does_not() -> None:
    m = _mention(villages={VILLAGE})
    # 30 namesakes in the county, one in the village: linked
    assert _score(m, _person(), n=30) >= THRESHOLD
    # the same name with no context and 30 namesakes: not enough
    assert _score(_mention(), _person(), n=30) < THRESHOLD


def test_relation_fit() -> None:
    m = _mention(kind="relative", relation="子女", anchor_birth="1960-05-01", anchor_gender="男")
    assert relation_fit(m, _person(birth_date="1988-01-01")) is True
    assert relation_fit(m, _person(birth_date="1958-01-01")) is False
    spouse = _mention(
        kind="relative", relation="配偶", anchor_birth="1960-05-01", anchor_gender="男"
    )
    assert relation_fit(spouse, _person(birth_date="1962-01-01", gender="男")) is False
    assert relation_fit(spouse, _person(birth_date="1962-01-01", gender="女")) is True
    assert relation_fit(_mention(), _person(birth_date="1962-01-01")) is None


def test_household_of_the_declaring_official_counts() -> None:
    m = _mention(kind="relative", relation="配偶", villages={VILLAGE}, households={"H1"})
    with_h = total(compare(m, _person(households={"H1"}), "exact", Block(), STATS))
    without = total(compare(m, _person(households={"H2"}), "exact", Block(), STATS))
    assert with_h - without > 8


# -- the decision rule ---------------------------------------------------------------------


def _scored(pid: str, bits: float, level: str = "exact") -> Scored:
    return Scored(pid, level, [Contribution("name", level, bits)])


def test_link_when_clear_of_threshold_and_margin() -> None:
    d = decide("m", [_scored("A", 5.0), _scored("B", 5.0 - MARGIN - 0.1)])
    assert (d.status, d.person_id) == ("linked", "A")
    assert d.margin == pytest.approx(MARGIN + 0.1)


def test_runner_up_within_margin_leaves_it_unresolved() -> None:
    d = decide("m", [_scored("A", 5.0), _scored("B", 5.0 - MARGIN + 0.1)])
    assert (d.status, d.person_id) == ("ambiguous", None)
    assert json.loads(d.features_json())[-1]["feature"] == "runner_up"


def test_below_threshold_is_weak() -> None:
    d = decide("m", [_scored("A", THRESHOLD - 0.01)])
    assert (d.status, d.person_id) == ("weak", None)


def test_no_candidate() -> None:
    assert decide("m", []).status == "no_candidate"


def test_a_different_name_is_never_linked_and_never_competes() -> None:
    # a relative's phone: high score, different name
    d = decide("m", [_scored("spouse", 30.0, "other"), _scored("A", 2.0)])
    assert (d.status, d.person_id) == ("linked", "A")
    assert decide("m", [_scored("spouse", 30.0, "other")]).status == "no_candidate"


def test_rejected_pair_is_out_and_no_longer_competes() -> None:
    cands = [_scored("A", 5.0), _scored("B", 4.0)]
    assert decide("m", cands).status == "ambiguous"
    assert decide("m", cands, rejected={"A"}).person_id == "B"
    assert decide("m", cands, rejected={"A", "B"}).status == "no_candidate"


def test_ties_break_the_same_way_every_run() -> None:
    a = decide("m", [_scored("B", 1.0), _scored("A", 1.0)], margin=0.0)
    b = decide("m", [_scored("A", 1.0), _scored("B", 1.0)], margin=0.0)
    assert a.person_id == b.person_id == "A"


def test_positional_edit_keys_find_exactly_the_names_one_edit_away() -> None:
    from graph.resolve.blocking import Residents, name_blocks

    people = ["张建国", "张建华", "张国", "张建国强", "建国张", "李建国", "张见国", "張建國"]
    residents = Residents([f"id{i}" for i in range(len(people))], people, [VILLAGE] * len(people))
    block = name_blocks(residents, [MentionRecord("m", "张建国")])["m"]
    # exact: 张建国 and 張建國; homophone: 张见国 (jian); one edit: 张建华 张国 张建国强 李建国
    assert block.counts == {"exact": 2, "pinyin": 1, "edit1": 4}
    # names one edit away are only counted; homophones are kept near the mention's places
    assert block.levels == {"id0": "exact", "id7": "exact"}
    near = MentionRecord("m", "张建国", villages={VILLAGE})
    assert name_blocks(residents, [near])["m"].levels == {
        "id0": "exact",
        "id7": "exact",
        "id6": "pinyin",
    }
