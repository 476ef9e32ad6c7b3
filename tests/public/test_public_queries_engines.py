"""Every public query on each engine (the embedded one here, Neo4j under `make test`), on
one hand-made village: the same published rows, masked and scrubbed alike."""

from __future__ import annotations

from graph.store import GraphStore
from public import queries as Q
from public.queries import PublicReader
from tests.public.test_public_policy_property import COUNTY, TOWN, VILLAGE, write_village

ID = "430428199001011234"


def village() -> dict[str, object]:
    person = {
        "id": ID,
        "name": "张小三",
        "phone": "13800001111",
        "address": "住址某街1号",
        "household": VILLAGE + "0001",
        "account": "6222020012345678",
    }
    firm = {
        "uscc": "91430428MA4L0000X1",
        "phone": "13900002222",
        "rep": "李四",
        "address": "地址某路2号",
        "name": "蒸阳县某某建筑有限公司",
    }
    return {
        "code": VILLAGE,
        "people": [person],
        "firms": [firm],
        "paid": [
            {
                "record": "R1",
                "who": person,
                "programme": "农村低保",
                "pcode": "DB01",
                "amount": 44000,
                "period": "2024-01",
            }
        ],
        "payments": [
            {
                "no": "PZ1",
                "purpose": f"付{ID}工资",
                "amount": 131400,
                "day": "2024-01-11",
                "to_person": True,
                "person": person,
                "firm": firm,
            },
            {
                "no": "PZ2",
                "purpose": "工程款",
                "amount": 500000,
                "day": "2024-01-12",
                "to_person": False,
                "person": person,
                "firm": firm,
            },
        ],
        "incomes": [
            {
                "no": "SR1",
                "source": "上级转移支付",
                "amount": 1000000,
                "day": "2024-01-05",
                "from_person": False,
                "person": person,
                "firm": firm,
            }
        ],
        "contracts": [
            {
                "id": "HT1",
                "project": "山塘清淤工程",
                "amount": 10550000,
                "signed": "2024-01-06",
                "to_person": False,
                "person": person,
                "firm": firm,
                "unit": "口",
            }
        ],
        "aid": {"student": person, "school": "某中学", "category": "建档立卡", "amount": 62500},
        "complaint": {"reporter": "王五", "phone": "13700003333", "summary": "反映问题"},
    }


def test_public_queries_on_each_engine(store: GraphStore) -> None:
    store.write(
        "CREATE (:Division {code: $c, name: '测试县', level: 'county'}), "
        "(:Division {code: $t, name: '测试镇', level: 'township', parent_code: $c})",
        {"c": COUNTY, "t": TOWN},
    )
    write_village(store, village(), TOWN)
    r = PublicReader(store, [TOWN])
    assert [d["code"] for d in r.children(None)] == [COUNTY]
    assert [d["code"] for d in r.trail(VILLAGE)] == [COUNTY, TOWN, VILLAGE]
    assert r.run(Q.PROGRAMMES, {"v": VILLAGE}) == [
        {
            "program_code": "DB01",
            "programme": "农村低保",
            "month": "2024-01",
            "households": 1,
            "amount": 44000,
            "payments": 1,
        }
    ]
    listing = r.run(Q.PAYMENT_LIST, {"v": VILLAGE, "period": "2024-01"})
    assert listing == [
        {
            "recipient": "张*三",
            "programme": "农村低保",
            "amount": 44000,
            "period": "2024-01",
            "paid_date": "2024-01-10",
        }
    ]
    spending = r.run(Q.SPENDING, {"v": VILLAGE, "month": "2024-01"})
    assert [(x["purpose"], x["payee"]) for x in spending] == [
        ("付***工资", "张*三"),
        ("工程款", "蒸阳县某某建筑有限公司"),
    ]
    income = r.run(Q.INCOME, {"v": VILLAGE, "month": "2024-01"})
    assert [(x["source"], x["payer"], x["amount"]) for x in income] == [
        ("上级转移支付", "蒸阳县某某建筑有限公司", 1000000)
    ]
    months = r.run(Q.SPENDING_BY_MONTH, {"v": VILLAGE})
    assert [(m["month"], int(m["amount"]), m["vouchers"]) for m in months] == [
        ("2024-01", 631400, 2)
    ]
    contracts = r.run(Q.CONTRACTS, {"v": VILLAGE})
    assert [(c["project"], c["contractor"], c["unit"]) for c in contracts] == [
        ("山塘清淤工程", "蒸阳县某某建筑有限公司", "口")
    ]
    own = r.household("张小三", ID)
    assert [(b["programme"], b["recipient"]) for b in own["benefits"]] == [("农村低保", "张*三")]
    assert [(a["year"], a["amount"], a["school"]) for a in own["aid"]] == [
        ("2023-2024", 62500, "某中学")
    ]
    assert r.household("张小四", ID) == {"benefits": [], "aid": []}
    assert PublicReader(store, ["430428101"]).household("张小三", ID) == {
        "benefits": [],
        "aid": [],
    }
