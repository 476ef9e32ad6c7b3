# ruff: noqa: E501  (register rows are written as the CSV lines they are)
"""Write ``mini/``: a hand-made county of a dozen people with every register of the contract.

Run from the repository root: ``python tests/data/registers/build_mini.py``. The files
are committed; this script is how they were made (the XLSX and the GB18030 file cannot
be written by hand). Each bad row and each warning is planted on purpose; ``EXPECTED``
in ``tests/unit/test_loaders_mini.py`` lists them.

People (resident IDs with valid check characters):
A 430422198001011235 张三, village party secretary (two terms) and approver
B 430422198203041248 李梅, A's wife; legal rep of E2 without ID; shareholder without ID
C 430422200506071313 张小明, their son, a student
D 430422195001011119 王老汉, subsistence recipient who died 2023-03-01
E 430422197905051550 赵四, contractor; the gender column disagrees with the ID
F 430421198508081623 钱芳, E's wife, born in another county (430421)
G 430422199009091713 孙七, payroll clerk who handles payments; not in persons
J 43042219920202191X, lives in a village code the divisions register lacks
K 430422197003032019, receives subsistence money; not in persons
L 430422197505051578, in persons under the 15-digit legacy number 430422750505157
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

OUT = Path(__file__).parent / "mini"
A, B, C, D = "430422198001011235", "430422198203041248", "430422200506071313", "430422195001011119"
E, F, G = "430422197905051550", "430421198508081623", "430422199009091713"
J, K = "43042219920202191X", "430422197003032019"
E1, E2, E3 = "91430422MA4L00001X", "92430422MA4L00002X", "93430422MA4L00003X"
V1, V2 = "430422101201", "430422101202"

FILES: dict[str, str] = {
    "divisions.csv": f"""code,name,level,parent_code
430422,衡南县,county,
430422101,某某镇,township,430422
{V1},甲村,village,430422101
{V2},乙村,村,
430422101203,丙村,village,430422102
4304221012,坏码村,village,430422101
""",
    # Chinese headers, one padded and one full-width, a column the contract lacks (备注).
    "persons.csv": f"""\ufeff 公民身份号码 ,\u3000姓名\u3000,性别,出生日期,户号,与户主关系,村社区代码,住址,联系电话,备注
{A},张三,男,1980-01-01,H001,户主,{V1},甲村1组,13800000001,
{B},李梅,女,1982/03/04,H001,配偶,{V1},甲村1组,,
{C},张小明,男,20050607,H001,子,{V1},甲村1组,,在校
{D},王老汉,男,1950年1月1日,H002,户主,{V2},乙村2组,,低保户
{E},赵四,女,1979-05-05,H003,户主,{V1},甲村3组,13900000005,
{F},钱芳,女,1985-08-08,H003,配偶,{V1},甲村3组,,
430422196010101810,周八,男,,H004,户主,{V2},乙村5组,,
430422196010101815,,男,,H004,户主,{V2},乙村5组,,
{J},吴九,男,,H005,户主,430422101299,不明村,,
430422750505157,郑十,男,,H006,户主,{V2},乙村6组,,
{K},冯十一,男,,H007,户主,{V2},乙村7组,,,多出来的
""",
    "declared_relations.csv": f"""official_id_number,relative_id_number,relative_name,relation,employer
{A},{B},李梅,配偶,
{A},,张小红,子女,衡南县某某建筑有限公司
{A},{E},赵四,表兄弟,衡南县某某建筑有限公司
""",
    "enterprises.csv": f"""uscc,name,legal_rep_id_number,legal_rep_name,kind,industry,address,phone,established,status,deregistered,registered_capital
{E1},衡南县某某建筑有限公司,{E},赵四,有限责任公司,建筑业,甲村3组,13900000005,2015-06-01,存续,,"500,000.00"
{E2},某某农资店,,李梅,个体工商户,零售业,甲村1组,13800000001,2016-03-01,存续,,0.5万元
{E3},某某种养合作社,,王老汉,农民专业合作社,农业,乙村,,2010-01-01,注销,2019-12-31,10万元
91430422MA4L00001Y,坏代码公司,,某人,有限责任公司,,,,,,,
""",
    "enterprise_roles.csv": f"""uscc,person_id_number,person_name,role,share_ratio
{E1},{E},赵四,股东,60%
{E1},,李梅,股东,0.4
{E1},{E},赵四,执行董事,
{E1},{B},李梅,监事,150%
""",
    "properties.csv": f"""cert_no,owner_id_number,owner_name,co_owner_id_numbers,address,usage,area_m2,registered
湘(2019)衡南县不动产权第0000001号,{A},张三,{B},县城某小区1栋,住宅,120.5,2019-05-01
湘(2020)衡南县不动产权第0000002号,{E1},衡南县某某建筑有限公司,,县城商铺,商业,80,2020-01-01
湘(2021)衡南县不动产权第0000003号,{D},王老汉,,县城某小区2栋,住宅,abc,2021-01-01
""",
    "vehicles.csv": f"""plate,owner_id_number,owner_name,vehicle_type,brand,registered,status,deregistered
湘D·A1234,{D},王老汉,小型轿车,大众,2022-06-01,正常,
湘DB5678,{E1},衡南县某某建筑有限公司,重型货车,东风,2018-01-01,正常,
湘DZZ,{E},赵四,小型轿车,比亚迪,2020-01-01,正常,
""",
    "programs.csv": """program_code,name,department,kind,exclusive_with
DB01,农村低保,县民政局,subsistence,TK01
TK01,特困供养,县民政局,extreme_poverty,DB01
JY01,教育资助-建档立卡,县教育局,education,
GL01,高龄津贴,县民政局,elderly,
""",
    "disbursements.csv": f"""record_id,program_code,recipient_id_number,recipient_name,household_id,village_code,amount,period,paid_date,bank_account,handler_id_number
R001,DB01,{D},王老汉,H002,{V2},450,2023-01,2023-01-15,6217 0000 0000 0001,{G}
R002,DB01,{D},王老汉,H002,{V2},450,2023-02,2023-02-15,6217000000000001,{G}
R003,DB01,{D},王老汉,H002,{V2},450.00,2023-04,2023-04-15,6217000000000001,{G}
R004,TK01,{D},王老汉,H002,{V2},600,2023-01,2023-01-15,6217000000000001,{G}
R005,DB01,{K},冯某,,{V1},300,2023-01,,6217000000000001,{G}
R006,XX99,{A},张三,H001,{V1},100,2023-01,2023-01-20,,
R007,DB01,{E},赵四,H003,{V1},12.345,2023-01,,,
R008,DB01,{F},钱芳,H003,{V1},200,,,,
""",
    "students.csv": f"""id_number,name,school,grade,category,household_id,policies,year
{C},张小明,衡南县第一中学,高一,建档立卡经济困难学生,H001,JY01;DB01,2022
430422200506071310,张小明,衡南县第一中学,高一,其他,H001,JY01,2022
""",
    "contracts.csv": f"""contract_id,project_name,village_code,department,contractor_id,contractor_name,amount,signed,approver_id_number,procurement,quantity,unit,delivered_quantity,accepted
HT2023-001,安全饮水工程,{V1},县水利局,{E1},衡南县某某建筑有限公司,"130,000",2023-03-01,{A},直接发包,13,口,12,2023-06-30
HT2023-002,村道硬化,{V1},县交通局,{E},赵四,8万元,2023-04-01,{A},询价,1.2,公里,1.2,2023-03-01
HT2023-003,村部维修,{V1},,12345,某人,1000,2023-05-01,,,,,,
""",
    "payments.csv": f"""voucher_no,payer_code,payee_id,payee_name,amount,paid_date,contract_id,purpose,approver_id_number,handler_id_number,booked
PZ001,{V1},{E1},衡南县某某建筑有限公司,"100,000",2023-07-01,HT2023-001,饮水工程款,{A},{G},是
PZ002,{V1},{E},赵四,50000,2023-05-01,HT2023-002,村道,{A},{G},否
PZ003,县水利局,{E1},衡南县某某建筑有限公司,30000,2023-08-01,HT2023-009,尾款,,,是
PZ004,{V1},{E},赵四,100,2023-08-01,,劳务费,,,也许
""",
    "incomes.csv": f"""voucher_no,village_code,source,payer_id,amount,received_date,booked
SR001,{V1},土地租金,{E1},20000,2023-02-01,是
SR002,{V1},集体资产处置,,5000,2023-03-01,否
SR003,{V1},其他,,100,2023-13-01,是
""",
    "allocations.csv": f"""allocation_id,program_code,division_code,amount,allocated,purpose
衡南财社〔2023〕12号,DB01,430422101,1.2万元,2023-01-10,2023年一季度农村低保
衡南财农〔2023〕3号,YS01,{V1},"50,000",2023-02-15,饮水安全
衡南财社〔2023〕13号,DB01,430422101,,2023-04-10,缺金额
""",
    "complaints.csv": f"""举报编号,收到日期,渠道,涉及村社区代码,被举报对象证件号,举报内容摘要,举报人,举报人电话,受理日期,办结日期,延期批准,是否查实,涉及金额
TS001,2023-05-01,平台,{V1},"{A};{E1};HT2023-001",村支书把工程给亲戚,匿名群众,13700000000,2023-05-03,2023-07-01,否,是,1.3万元
TS002,2023-06-01,来信,{V2},{D},已故老人仍领低保,王某,13600000000,2023-06-20,,,,
TS003,2023-06-31,电话,{V2},,反映问题,李某,13500000000,,,,,
""",
}

DEATHS = [
    ("身份证号码", "姓名", "死亡日期"),
    (D, "王老汉", "2023-03-01"),
    ("430422196010101815", "周八", "2022-01-01"),
    (E, "赵四", "2023-02-30"),
]

OFFICIALS = [
    (
        "id_number",
        "name",
        "organisation",
        "position",
        "kind",
        "jurisdiction_code",
        "start_date",
        "end_date",
    ),
    (A, "张三", "甲村党支部", "村党支部书记", "村干部", V1, "2018-01-01", None),
    (A, "张三", "甲村党支部", "村党支部书记", "village_cadre", V1, "2012-01-01", "2017-12-31"),
    (G, "孙七", "某某镇民政所", "报账员", "payroll", "430422101", "2019-01-01", None),
    (B, "李梅", "甲村村委会", "村会计", "临时工", V1, "2019-01-01", None),
]


POVERTY = [
    ("户号", "村社区代码", "年度", "状态"),
    ("H001", V1, "2022", "贫困户"),
    ("H001", V1, "2023", "已脱贫"),
    ("H002", V1, "2023", "返贫"),
]

CERTIFICATES = [
    ("残疾人证号", "身份号码", "姓名", "残疾类别", "等级", "发证日期", "注销日期"),
    (f"{C}43", C, "张小明", "肢体", "三级", "2019-05-01", None),
    ("43042219500101111", "430422195001011118", "王老汉", "视力", "一级", "2010-01-01", None),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in FILES.items():
        (OUT / name).write_text(text, encoding="utf-8", newline="")
    deaths = "\r\n".join(",".join(r) for r in DEATHS) + "\r\n"
    (OUT / "deaths.csv").write_bytes(deaths.encode("gb18030"))
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in OFFICIALS:
        ws.append(list(row))
    wb.save(OUT / "officials.xlsx")
    poverty = "\r\n".join(",".join(r) for r in POVERTY) + "\r\n"
    (OUT / "poverty_households.csv").write_bytes(poverty.encode("gb18030"))
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for cert in CERTIFICATES:
        ws.append(list(cert))
    wb.save(OUT / "disability_certificates.xlsx")


if __name__ == "__main__":
    main()
