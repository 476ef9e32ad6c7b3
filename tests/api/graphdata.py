"""Two counties built with Cypher through the store: the API tests' graph.

County A (衡南县 430422) and county B (衡阳县 430423). A's household HA1 receives
subsistence while the spouse owns a car (a ``recipient_vehicle`` finding); one bank account
collects benefits for three households across both counties (``shared_bank_account``); an
enterprise has a legal representative in A and a shareholder in B; a programme has 500
disbursements (a supernode); complaints carry a reporter's name and phone.
"""

from __future__ import annotations

import json
from typing import Any

from graph.ids import resident_id_check_char, uscc_check_char
from graph.store import GraphStore


def rid(division: str, birth: str, seq: str) -> str:
    body = division + birth + seq
    return body + resident_id_check_char(body)


def uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)


A, B = "430422", "430423"
VA, VA2, VB = "430422101201", "430422101202", "430423101201"
P_A1 = rid(A, "19600101", "123")  # 张三, head of HA1, subsistence recipient
P_A2 = rid(A, "19620202", "224")  # 李秀英, spouse, owns a car
P_A3 = rid(A, "19700303", "315")  # 赵四, village secretary, legal rep of E1
P_A4 = rid(A, "19800404", "416")  # 孙七, household HA2 (village A2)
P_B1 = rid(B, "19650505", "517")  # 王五, county B, shareholder of E1, legal rep of E2
P_B2 = rid(B, "19900606", "618")  # 张三 of county B (same name as P_A1)
E1 = uscc("91430422MA4L00001")  # 衡南县恒通建筑有限公司: A and B
E2 = uscc("91430423MA4L00002")  # 衡阳县顺达劳务有限公司: B only
PLATE_A = "湘DA1234"  # owned by P_A2
PLATE_B = "湘DB5678"  # owned by P_B1
PLATE_E1 = "湘DC0001"  # owned by E1 (two hops from A's secretary)
ACCOUNT = "6217000010001234567"
CONTRACT = "HT-A-001"
VOUCHER = "PZ001"  # a Payment and an Income share it
MENTION = "enterprise_roles#5#person_name"
# Entity resolution's evidence as graph.resolve writes it: the runner-up is county B's 张三.
FEATURES = json.dumps(
    [
        {"feature": "name", "level": "similar", "bits": 3.1, "detail": "张叁: 2 residents"},
        {"feature": "employer", "level": "agree", "bits": 4.0, "detail": E1},
        {"feature": "runner_up", "level": "similar", "bits": 1.2, "detail": P_B2},
    ],
    ensure_ascii=False,
)
CONTEXT = json.dumps({"employer": E1, "village": "大山村"}, ensure_ascii=False)
REPORTER_NAME = "举报人甲乙"
REPORTER_PHONE = "13912345678"
SUPERNODE_DISBURSEMENTS = 500
AS_OF = "2024-06-30"

_DIVISIONS = """
CREATE (:Division {code: '430400', name: '衡阳市', level: 'city'}),
       (:Division {code: $A, name: '衡南县', level: 'county', parent_code: '430400'}),
       (:Division {code: $B, name: '衡阳县', level: 'county', parent_code: '430400'}),
       (:Division {code: '430422101', name: '车江镇', level: 'township', parent_code: $A}),
       (:Division {code: $VA, name: '大山村', level: 'village', parent_code: '430422101'}),
       (:Division {code: $VA2, name: '小河村', level: 'village', parent_code: '430422101'}),
       (:Division {code: $VB, name: '西渡村', level: 'village', parent_code: $B})
"""

_PEOPLE = """
MATCH (va:Division {code: $VA}) MATCH (va2:Division {code: $VA2}) MATCH (vb:Division {code: $VB})
CREATE (a1:Person {id_number: $P_A1, name: '张三', gender: '男', birth_date: '1960-01-01',
                   village_code: $VA, phone: '13800138000', address: '大山村1组',
                   in_register: true, src: ['persons#2']}),
       (a2:Person {id_number: $P_A2, name: '李秀英', gender: '女', village_code: $VA,
                   phone: '13800138001', in_register: true, src: ['persons#3']}),
       (a3:Person {id_number: $P_A3, name: '赵四', gender: '男', village_code: $VA,
                   in_register: true, src: ['persons#4']}),
       (a4:Person {id_number: $P_A4, name: '孙七', village_code: $VA2, in_register: true,
                   src: ['persons#5']}),
       (b1:Person {id_number: $P_B1, name: '王五', village_code: $VB, phone: '13700137000',
                   in_register: true, src: ['persons#6']}),
       (b2:Person {id_number: $P_B2, name: '张三', village_code: $VB, in_register: true,
                   src: ['persons#7']}),
       (ha1:Household {household_id: 'HA1', village_code: $VA}),
       (ha2:Household {household_id: 'HA2', village_code: $VA2}),
       (ha3:Household {household_id: 'HA3', village_code: $VA}),
       (hb1:Household {household_id: 'HB1', village_code: $VB}),
       (hb2:Household {household_id: 'HB2', village_code: $VB}),
       (a1)-[:MEMBER_OF {relation_to_head: '户主'}]->(ha1),
       (a2)-[:MEMBER_OF {relation_to_head: '配偶'}]->(ha1),
       (a3)-[:MEMBER_OF {relation_to_head: '户主'}]->(ha3),
       (a4)-[:MEMBER_OF {relation_to_head: '户主'}]->(ha2),
       (b1)-[:MEMBER_OF {relation_to_head: '户主'}]->(hb1),
       (b2)-[:MEMBER_OF {relation_to_head: '户主'}]->(hb2),
       (ha1)-[:LIVES_IN]->(va), (ha2)-[:LIVES_IN]->(va2), (ha3)-[:LIVES_IN]->(va),
       (hb1)-[:LIVES_IN]->(vb), (hb2)-[:LIVES_IN]->(vb),
       (a2)-[:OWNS {valid_from: '2020-01-01'}]->(:Vehicle {plate: $PLATE_A,
            vehicle_type: '小型轿车', brand: '大众', src: ['vehicles#2']}),
       (b1)-[:OWNS {valid_from: '2021-01-01'}]->(:Vehicle {plate: $PLATE_B,
            vehicle_type: '小型轿车'}),
       (post:Post {post_id: '大山村委会|村党支部书记|' + $VA, organisation: '大山村委会',
                   position: '村党支部书记', kind: 'village_cadre', jurisdiction_code: $VA}),
       (a3)-[:HOLDS {valid_from: '2018-01-01'}]->(post),
       (post)-[:GOVERNS]->(va),
       (e1:Enterprise {uscc: $E1, name: '衡南县恒通建筑有限公司', legal_rep_name: '赵四',
                       phone: '07348888888', src: ['enterprises#2']}),
       (e2:Enterprise {uscc: $E2, name: '衡阳县顺达劳务有限公司', legal_rep_name: '王五'}),
       (a3)-[:LEGAL_REP_OF]->(e1), (b1)-[:ROLE_IN {role: '股东', share_ratio: 0.4}]->(e1),
       (b1)-[:LEGAL_REP_OF]->(e2),
       (e1)-[:OWNS {valid_from: '2022-01-01'}]->(:Vehicle {plate: $PLATE_E1,
            vehicle_type: '重型货车'}),
       (m:Mention {mention_id: $MENTION, name: '张叁', context: $CONTEXT}),
       (m)-[:RESOLVED_TO {score: 0.91, method: 'fellegi_sunter', features: $FEATURES}]->(a1),
       (m)-[:ROLE_IN {role: '监事'}]->(e1),
       (c:Contract {contract_id: $CONTRACT, project_name: '大山村安全饮水工程', village_code: $VA,
                    amount: 9600000, signed: '2023-03-01', quantity: 13, delivered_quantity: 12}),
       (c)-[:AWARDED_TO]->(e1), (c)-[:APPROVED_BY]->(a3), (c)-[:IN_DIVISION]->(va),
       (pay:Payment {voucher_no: $VOUCHER, payer_code: $VA, amount: 3000000,
                     paid_date: '2023-07-01', booked: true}),
       (pay)-[:PAID_TO]->(e1), (pay)-[:FOR_CONTRACT]->(c), (pay)-[:PAID_BY]->(va),
       (inc:Income {voucher_no: $VOUCHER, village_code: $VA, source: '租金', amount: 120000}),
       (inc)-[:RECEIVED_BY]->(va)
"""

_FUNDS = """
MATCH (a1:Person {id_number: $P_A1}) MATCH (a4:Person {id_number: $P_A4})
MATCH (b1:Person {id_number: $P_B1})
CREATE (pg:Program {program_code: 'DB01', name: '农村低保', kind: 'subsistence'}),
       (old:Program {program_code: 'GL01', name: '高龄津贴', kind: 'elderly'}),
       (acct:BankAccount {account_no: $ACCOUNT}),
       (a1)-[:RECEIVED]->(d1:Disbursement {record_id: 'DA1', program_code: 'DB01',
            amount: 50000, period: '2023-05', village_code: $VA})-[:UNDER]->(pg),
       (a4)-[:RECEIVED]->(d2:Disbursement {record_id: 'DA4', program_code: 'DB01',
            amount: 50000, period: '2023-05', village_code: $VA2})-[:UNDER]->(pg),
       (b1)-[:RECEIVED]->(d3:Disbursement {record_id: 'DB1', program_code: 'DB01',
            amount: 50000, period: '2023-05', village_code: $VB})-[:UNDER]->(pg),
       (d1)-[:INTO_ACCOUNT]->(acct), (d2)-[:INTO_ACCOUNT]->(acct), (d3)-[:INTO_ACCOUNT]->(acct)
"""

_SUPERNODE = """
MATCH (old:Program {program_code: 'GL01'}) MATCH (a1:Person {id_number: $P_A1})
UNWIND range(1, $n) AS i
CREATE (a1)-[:RECEIVED]->(:Disbursement {record_id: 'GL-' + toString(i), program_code: 'GL01',
        amount: 10000, period: '2023-06', village_code: $VA})-[:UNDER]->(old)
"""

_COMPLAINTS = """
MATCH (a3:Person {id_number: $P_A3}) MATCH (b1:Person {id_number: $P_B1})
CREATE (c1:Complaint {complaint_id: 'JB-A-1', received: '2024-01-02', channel: '平台',
                      village_code: $VA, summary: '反映村支书赵四虚报饮水工程量',
                      reporter_name: $REPORTER_NAME, reporter_phone: $REPORTER_PHONE}),
       (c2:Complaint {complaint_id: 'JB-A-2', received: '2024-01-02', accepted: '2024-01-05',
                      closed: '2024-03-01', village_code: $VA, summary: '反映低保优亲厚友',
                      reporter_name: '举报人丙', reporter_phone: '13900000002'}),
       (c3:Complaint {complaint_id: 'JB-B-1', received: '2024-02-01', village_code: $VB,
                      summary: '反映王五套取资金', reporter_name: '举报人丁',
                      reporter_phone: '13900000003'}),
       (c1)-[:ABOUT]->(a3), (c3)-[:ABOUT]->(b1)
"""

_MANUAL_FINDING = """
MATCH (b1:Person {id_number: $P_B1})
CREATE (f:Finding {finding_id: 'manual:b1', pattern: 'deceased_recipient', severity: 'high',
                   title: '死亡人员仍领取补贴', explanation: '王五（' + $P_B1 + '）死亡后仍领取。',
                   subjects: [$P_B1], score: 0.9, status: 'new', division_code: $VB,
                   detected_at: $AS_OF}),
       (f)-[:CONCERNS]->(b1)
"""


def params() -> dict[str, Any]:
    return {
        "A": A, "B": B, "VA": VA, "VA2": VA2, "VB": VB,
        "P_A1": P_A1, "P_A2": P_A2, "P_A3": P_A3, "P_A4": P_A4, "P_B1": P_B1, "P_B2": P_B2,
        "E1": E1, "E2": E2, "PLATE_A": PLATE_A, "PLATE_B": PLATE_B, "PLATE_E1": PLATE_E1,
        "ACCOUNT": ACCOUNT, "CONTRACT": CONTRACT, "VOUCHER": VOUCHER, "MENTION": MENTION,
        "FEATURES": FEATURES, "CONTEXT": CONTEXT,
        "REPORTER_NAME": REPORTER_NAME, "REPORTER_PHONE": REPORTER_PHONE, "AS_OF": AS_OF,
        "n": SUPERNODE_DISBURSEMENTS,
    }  # fmt: skip


def build(store: GraphStore) -> None:
    """Write the two counties, then detect two patterns so that real findings exist."""
    from graph.queries import detect

    p = params()
    for stmt in (_DIVISIONS, _PEOPLE, _FUNDS, _SUPERNODE, _COMPLAINTS, _MANUAL_FINDING):
        store.write(stmt, p)
    store.write(
        "MATCH (c:Division) WHERE c.parent_code IS NOT NULL "
        "MATCH (p:Division {code: c.parent_code}) MERGE (c)-[:PART_OF]->(p)"
    )
    detect(store, ["recipient_vehicle", "shared_bank_account"], as_of=AS_OF)
