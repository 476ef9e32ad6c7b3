"""Entity resolution on a real store, both engines: links, copies, judgements, conflicts.

A hand-made village whose registers name people without ID numbers in each way the
loaders keep as a Mention (legal representative, shareholder, declared relative).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from graph.errors import NotFound
from graph.ids import resident_id_check_char, uscc_check_char
from graph.loaders import load_folder
from graph.resolve import confirm, reject, resolve
from graph.store import GraphStore

V1, V2, TOWN = "430428101201", "430428101202", "430428101"


def rid(body17: str) -> str:
    return body17 + resident_id_check_char(body17)


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


ZHANG = rid("43042819800101123")  # 张建国, 枫桥村
ZHANG2 = rid("43042819750303123")  # 张建国, 柳湾村
LI_A = rid("43042819700202124")  # 李秀英, 枫桥村
LI_B = rid("43042819720606124")  # 李秀英, 枫桥村 too: a mention of her is ambiguous
LIU = rid("43042819650505123")  # 刘德华, official, 枫桥村 household H2
CHEN = rid("43042819680707124")  # 陈丽, his wife, household H2
SON = rid("43042819920909123")  # 刘志明, his son
WANG = rid("43042819551111123")  # 王明, 柳湾村
OLD = "432428551111123"  # 王明's legacy 15-digit number under a retired division code
E1 = uscc("91430428MA4L00011")
E2 = uscc("93430428MA4L00022")
ADDR1 = "湖南省蒸阳县石塘镇枫桥村3组12号"

REGISTERS: dict[str, list[dict[str, str]]] = {
    "divisions": [
        {"code": "430428", "name": "蒸阳县", "level": "county", "parent_code": ""},
        {"code": TOWN, "name": "石塘镇", "level": "township", "parent_code": "430428"},
        {"code": V1, "name": "枫桥村", "level": "village", "parent_code": TOWN},
        {"code": V2, "name": "柳湾村", "level": "village", "parent_code": TOWN},
    ],
    "persons": [
        {
            "id_number": ZHANG,
            "name": "张建国",
            "household_id": "H1",
            "relation_to_head": "户主",
            "village_code": V1,
            "address": ADDR1,
            "phone": "13907340001",
        },
        {
            "id_number": ZHANG2,
            "name": "张建国",
            "household_id": "H5",
            "relation_to_head": "户主",
            "village_code": V2,
            "address": "湖南省蒸阳县石塘镇柳湾村1组1号",
        },
        {
            "id_number": LI_A,
            "name": "李秀英",
            "household_id": "H3",
            "relation_to_head": "户主",
            "village_code": V1,
            "address": "湖南省蒸阳县石塘镇枫桥村5组2号",
        },
        {
            "id_number": LI_B,
            "name": "李秀英",
            "household_id": "H4",
            "relation_to_head": "户主",
            "village_code": V1,
            "address": "湖南省蒸阳县石塘镇枫桥村6组9号",
        },
        {
            "id_number": LIU,
            "name": "刘德华",
            "household_id": "H2",
            "relation_to_head": "户主",
            "village_code": V1,
            "address": "湖南省蒸阳县石塘镇枫桥村2组7号",
        },
        {
            "id_number": CHEN,
            "name": "陈丽",
            "household_id": "H2",
            "relation_to_head": "配偶",
            "village_code": V1,
            "address": "湖南省蒸阳县石塘镇枫桥村2组7号",
        },
        {
            "id_number": SON,
            "name": "刘志明",
            "household_id": "H2",
            "relation_to_head": "子",
            "village_code": V1,
            "address": "湖南省蒸阳县石塘镇枫桥村2组7号",
        },
        {
            "id_number": WANG,
            "name": "王明",
            "household_id": "H6",
            "relation_to_head": "户主",
            "village_code": V2,
            "address": "湖南省蒸阳县石塘镇柳湾村4组4号",
        },
        # 王明 again in another household: a conflict to report
        {
            "id_number": WANG,
            "name": "王明",
            "household_id": "H7",
            "relation_to_head": "其他",
            "village_code": V2,
            "address": "湖南省蒸阳县石塘镇柳湾村4组5号",
        },
    ],
    "officials": [
        {
            "id_number": LIU,
            "name": "刘德华",
            "organisation": "枫桥村村民委员会",
            "position": "村委会主任",
            "kind": "village_cadre",
            "jurisdiction_code": V1,
            "start_date": "2021-01-01",
            "end_date": "",
        },
    ],
    "declared_relations": [
        # 陈莉: a homophone of 陈丽; 刘志明 with no ID
        {
            "official_id_number": LIU,
            "relative_id_number": "",
            "relative_name": "陈莉",
            "relation": "配偶",
            "employer": "",
        },
        {
            "official_id_number": LIU,
            "relative_id_number": "",
            "relative_name": "劉志明",
            "relation": "子女",
            "employer": "",
        },
    ],
    "enterprises": [
        # legal representative in traditional characters, at his home address and phone
        {
            "uscc": E1,
            "name": "蒸阳县鑫达建筑工程有限公司",
            "legal_rep_id_number": "",
            "legal_rep_name": "張建國",
            "address": ADDR1,
            "phone": "13907340001",
            "status": "存续",
        },
        # legal representative with an ID and another name: a conflict
        {
            "uscc": E2,
            "name": "蒸阳县枫桥村兴隆种养专业合作社",
            "legal_rep_id_number": LIU,
            "legal_rep_name": "刘德水",
            "address": "湖南省蒸阳县石塘镇枫桥村",
            "status": "存续",
        },
    ],
    "enterprise_roles": [
        {
            "uscc": E1,
            "person_id_number": "",
            "person_name": "张建国",
            "role": "股东",
            "share_ratio": "0.6",
        },
        {
            "uscc": E1,
            "person_id_number": "",
            "person_name": "李秀英",
            "role": "监事",
            "share_ratio": "",
        },
    ],
    # 王明 died; the crematorium typed his legacy number
    "deaths": [{"id_number": OLD, "name": "王明", "death_date": "2024-03-01"}],
}


def _filler() -> list[dict[str, str]]:
    """Neighbours with names of their own, so that the villages have a realistic size."""
    sur, given = "赵钱孙周吴郑冯褚卫蒋沈韩", "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉"
    rows = []
    for i in range(600):
        name = sur[i % len(sur)] + given[(i // len(sur)) % len(given)] + given[i % 7]
        rows.append(
            {
                "id_number": rid(f"430428{1950 + i % 50}0{1 + i % 9}1{i % 10}{500 + i}"[:17]),
                "name": name,
                "household_id": f"F{i // 3}",
                "relation_to_head": "户主" if i % 3 == 0 else "其他",
                "village_code": V1 if i % 2 else V2,
                "address": f"湖南省蒸阳县石塘镇{'枫桥村' if i % 2 else '柳湾村'}9组{i // 3}号",
            }
        )
    return rows


REGISTERS["persons"] += _filler()

M_REP = "enterprises#2#legal_rep_name"
M_SHARE = "enterprise_roles#2#person_name"
M_AMBIG = "enterprise_roles#3#person_name"
M_WIFE = "declared_relations#2#relative_name"
M_SON = "declared_relations#3#relative_name"


def write_registers(folder: Path) -> Path:
    for name, rows in REGISTERS.items():
        cols = list(dict.fromkeys(k for r in rows for k in r))
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
    return folder


def links_of(store: GraphStore) -> dict[str, tuple[str, str]]:
    rows = store.read(
        "MATCH (m:Mention)-[r:RESOLVED_TO]->(p:Person) "
        "RETURN m.mention_id AS m, p.id_number AS p, r.judgement AS j"
    )
    return {r["m"]: (r["p"], r["j"] or "") for r in rows}


def copies(store: GraphStore, person: str) -> set[tuple[str, str]]:
    rows = store.read(
        "MATCH (p:Person {id_number: $p})-[r]-() WHERE r.via_mention IS NOT NULL "
        "RETURN type(r) AS t, r.via_mention AS m",
        {"p": person},
    )
    return {(r["t"], r["m"]) for r in rows}


@pytest.fixture
def village(store: GraphStore, tmp_path: Path) -> GraphStore:
    load_folder(store, write_registers(tmp_path), progress=False)
    return store


def test_links_copies_and_explanations(village: GraphStore) -> None:
    rep = resolve(village)
    links = links_of(village)
    assert links[M_REP] == (ZHANG, "")  # traditional name + address + phone
    assert links[M_SHARE] == (ZHANG, "")  # same name, same enterprise as its legal rep
    assert links[M_WIFE] == (CHEN, "")  # homophone, the official's household
    assert links[M_SON] == (SON, "")
    assert M_AMBIG not in links  # two 李秀英 in the village
    assert rep.decisions[M_AMBIG].status == "ambiguous"
    assert rep.linked == 4
    assert rep.unresolved == {"ambiguous": 1}
    status = {
        r["m"]: r["s"]
        for r in village.read("MATCH (m:Mention) RETURN m.mention_id AS m, m.status AS s")
    }
    assert status[M_AMBIG] == "ambiguous"
    assert status[M_REP] == "linked"
    # an unresolved mention keeps its leading candidates for an investigator to choose from
    cands = village.read(
        "MATCH (m:Mention {mention_id: $m}) RETURN m.candidates AS c", {"m": M_AMBIG}
    )[0]["c"]
    assert {c["id_number"] for c in json.loads(cands)[:2]} == {LI_A, LI_B}
    # the mention's relationships now also start at the person
    assert copies(village, ZHANG) == {("LEGAL_REP_OF", M_REP), ("ROLE_IN", M_SHARE)}
    assert copies(village, CHEN) == {("RELATIVE_OF", M_WIFE)}
    role = village.read(
        "MATCH (p:Person {id_number: $p})-[r:ROLE_IN]->(e:Enterprise) RETURN r.role AS role, "
        "r.share_ratio AS s, e.uscc AS u",
        {"p": ZHANG},
    )
    assert role == [{"role": "股东", "s": 0.6, "u": E1}]
    # every link explains itself
    row = village.read(
        "MATCH (:Mention {mention_id: $m})-[r:RESOLVED_TO]->() "
        "RETURN r.score AS score, r.features AS f, r.method AS method",
        {"m": M_REP},
    )[0]
    features = {c["feature"]: c for c in json.loads(row["f"]) if c["feature"] != "runner_up"}
    assert {"prior", "name", "village", "phone", "address"} <= set(features)
    assert features["phone"]["level"] == "agree"
    assert row["score"] == pytest.approx(sum(c["bits"] for c in features.values()), abs=0.05)
    assert row["method"].startswith("fellegi-sunter")


def test_second_run_changes_nothing(village: GraphStore) -> None:
    resolve(village)
    before = links_of(village), village.count_relationships()
    rep = resolve(village)
    assert (rep.created, rep.removed) == (0, 0)
    assert (links_of(village), village.count_relationships()) == before


def test_rejected_pair_stays_apart_and_loses_its_copies(village: GraphStore) -> None:
    resolve(village)
    reject(village, M_WIFE, CHEN, "inspector 1", "陈莉 is his second wife, not in the register")
    assert copies(village, CHEN) == set()
    rep = resolve(village)
    assert links_of(village)[M_WIFE] == (CHEN, "rejected")
    assert rep.decisions[M_WIFE].person_id is None
    assert copies(village, CHEN) == set()
    rejected = village.read(
        "MATCH (m:Mention {mention_id: $m}) RETURN m.rejected_ids AS r", {"m": M_WIFE}
    )
    assert rejected[0]["r"] == [CHEN]


def test_confirmed_link_is_kept_whatever_the_score(village: GraphStore) -> None:
    resolve(village)
    confirm(village, M_AMBIG, LI_B, "inspector 2", "checked the shareholder register")
    for _ in range(2):
        rep = resolve(village)
        assert links_of(village)[M_AMBIG] == (LI_B, "confirmed")
        assert rep.confirmed == 1
        assert M_AMBIG not in rep.decisions
    assert ("ROLE_IN", M_AMBIG) in copies(village, LI_B)
    judged = village.read(
        "MATCH (:Mention {mention_id: $m})-[r:RESOLVED_TO]->() "
        "RETURN r.judged_by AS u, r.note AS n",
        {"m": M_AMBIG},
    )
    assert judged == [{"u": "inspector 2", "n": "checked the shareholder register"}]


def test_confirming_another_person_moves_the_link(village: GraphStore) -> None:
    resolve(village)
    confirm(village, M_SHARE, ZHANG2, "inspector 3")
    assert links_of(village)[M_SHARE] == (ZHANG2, "confirmed")
    assert ("ROLE_IN", M_SHARE) not in copies(village, ZHANG)
    assert ("ROLE_IN", M_SHARE) in copies(village, ZHANG2)
    resolve(village)
    assert links_of(village)[M_SHARE] == (ZHANG2, "confirmed")


def test_judging_what_does_not_exist(village: GraphStore) -> None:
    with pytest.raises(NotFound):
        confirm(village, "nope#1#x", ZHANG, "u")
    with pytest.raises(NotFound):
        reject(village, M_REP, "430428000000000000", "u")


def test_conflicts_are_reported(village: GraphStore) -> None:
    rep = resolve(village)
    kinds = {(c.kind, c.subjects) for c in rep.conflicts}
    assert ("two_households", (WANG,)) in kinds
    assert ("id_two_names", (LIU,)) in kinds
    upgraded = rid("43242819551111123")
    assert ("id_15_18", tuple(sorted((WANG, upgraded)))) in kinds
    assert rep.conflicts_by_kind["two_households"] == 1
    table = rep.render()
    assert table.row_count >= 6
