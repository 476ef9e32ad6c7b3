"""The data contract (``docs/data-contract.md``) as data: registers, their columns, what each feeds.

One entry per register: its file stem, Chinese name and columns. A column has its
canonical English name, its Chinese header (plus spellings met in real extracts), the
value kind that cleans it (:mod:`graph.loaders.validate`), whether it is required, and
the schema properties or relationship types it feeds. The feeds are checked against
:mod:`graph.schema` by the tests, so the contract and the graph cannot drift apart.

>>> REGISTERS["persons"].column("id_number").zh
'公民身份号码'
>>> REGISTERS["disbursements"].column("amount").kind is Kind.MONEY
True
>>> header_key(" ＩＤ_Number "), header_key("公民 身份号码")
('idnumber', '公民身份号码')
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from graph.errors import SchemaError


class Kind(StrEnum):
    """How a cell is cleaned; :mod:`graph.loaders.validate` holds one cleaner per kind."""

    TEXT = "text"  # trimmed, half-width
    CODE = "code"  # text without inner whitespace, upper-cased (record ids, bank accounts)
    RESIDENT_ID = "resident_id"
    USCC = "uscc"
    PARTY = "party"  # resident ID or USCC
    DIVISION = "division"
    PLATE = "plate"
    CERT = "cert"
    DATE = "date"
    MONTH = "month"
    MONEY = "money"
    NUMBER = "number"
    RATIO = "ratio"
    BOOL = "bool"
    ENUM = "enum"


@dataclass(frozen=True)
class Column:
    """One column of a register.

    ``choices`` maps every accepted spelling of an enum value to the stored value; a
    ``closed`` enum rejects anything else, an open one keeps it and warns. ``many``
    columns hold ``;``-separated values, each cleaned by ``kind``. ``feeds`` names the
    schema targets: ``Label.prop``, ``TYPE.prop`` or a bare relationship ``TYPE``.
    """

    name: str
    zh: str
    kind: Kind = Kind.TEXT
    required: bool = False
    feeds: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    choices: Mapping[str, str] = field(default_factory=dict)
    closed: bool = False
    many: bool = False
    confidential: bool = False

    def headers(self) -> tuple[str, ...]:
        return (self.name, self.zh, *self.aliases)


@dataclass(frozen=True)
class Register:
    """A register: its file stem, Chinese name and columns.

    ``key`` names the columns that identify a record to the department that keeps the
    register (its record number, or the person and post): a reject carries their
    values, so the clerk who fixes the file can find the record.
    """

    stem: str
    zh: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise SchemaError(f"register {self.stem} has no column {name!r}")

    @property
    def confidential(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.confidential)


_SPACE = re.compile(r"[\s_\-]+")


def header_key(header: str) -> str:
    """The form headers are matched in: NFKC (full-width → ASCII), no whitespace,
    underscores or hyphens, lower-case, so ``ID Number``, ``id_number`` and ``ｉｄ_number``
    all match."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", header)).lower()


def extra_property(header: str) -> str:
    """Property name for a column the contract does not know: ``x_`` + the normalised
    header, so it never clashes with a schema property.

    >>> extra_property(" 备注 (Note) ")
    'x_备注_note'
    """
    text = unicodedata.normalize("NFKC", header).strip().lower()
    text = re.sub(r"\W+", "_", text).strip("_")
    return f"x_{text}" if text else "x_"


def _choices(*groups: tuple[str, tuple[str, ...]]) -> dict[str, str]:
    """``(stored, (spellings...))`` groups → a lookup keyed by :func:`header_key` form."""
    out: dict[str, str] = {}
    for stored, spellings in groups:
        for s in (stored, *spellings):
            out[header_key(s)] = stored
    return out


def _same(*values: str) -> dict[str, str]:
    return _choices(*((v, ()) for v in values))


def _c(
    name: str,
    zh: str,
    kind: Kind = Kind.TEXT,
    *feeds: str,
    req: bool = False,
    aliases: tuple[str, ...] = (),
    choices: Mapping[str, str] | None = None,
    closed: bool = False,
    many: bool = False,
    confidential: bool = False,
) -> Column:
    return Column(name, zh, kind, req, feeds, aliases, choices or {}, closed, many, confidential)


T, CODE, RID, USCC, PARTY, DIV = (
    Kind.TEXT,
    Kind.CODE,
    Kind.RESIDENT_ID,
    Kind.USCC,
    Kind.PARTY,
    Kind.DIVISION,
)
DATE, MONTH, MONEY, NUM, BOOL, ENUM = (
    Kind.DATE,
    Kind.MONTH,
    Kind.MONEY,
    Kind.NUMBER,
    Kind.BOOL,
    Kind.ENUM,
)

_ID_HEADERS = ("身份证号码", "身份证号")
LEVELS = _choices(
    ("county", ("县区", "县", "区", "县级市", "县(区)", "区县")),
    ("township", ("乡镇街道", "乡镇", "乡", "镇", "街道", "乡镇(街道)")),
    ("village", ("村社区", "村", "社区", "村(社区)", "村委会", "居委会")),
)
GENDERS = _choices(("男", ("m", "male")), ("女", ("f", "female")))
OFFICIAL_KINDS = _choices(
    ("village_cadre", ("村干部",)),
    ("civil_servant", ("公务员",)),
    ("public_institution", ("事业单位", "事业单位人员")),
    ("payroll", ("财政供养", "财政供养人员")),
)
PROGRAM_KINDS = _choices(
    ("subsistence", ("低保", "最低生活保障")),
    ("extreme_poverty", ("特困", "特困供养")),
    ("disability", ("残疾",)),
    ("elderly", ("高龄", "养老")),
    ("education", ("教育",)),
    ("housing", ("住房",)),
    ("agriculture", ("农业",)),
    ("other", ("其他",)),
    ("works", ("工程", "村级公益事业", "基础设施")),
)

# fmt: off
_REGISTER_LIST: tuple[Register, ...] = (
    Register("divisions", "行政区划", (
        _c("code", "区划代码", DIV, "Division.code", req=True, aliases=("行政区划代码",)),
        _c("name", "名称", T, "Division.name", req=True, aliases=("区划名称",)),
        _c("level", "级别", ENUM, "Division.level", req=True, choices=LEVELS, closed=True),
        _c("parent_code", "上级代码", DIV, "Division.parent_code", "PART_OF",
           aliases=("上级区划代码",)),
    ), key=("code",)),
    Register("persons", "户籍人口", (
        _c("id_number", "公民身份号码", RID, "Person.id_number", req=True, aliases=_ID_HEADERS),
        _c("name", "姓名", T, "Person.name", req=True),
        _c("gender", "性别", ENUM, "Person.gender", choices=GENDERS, closed=True),
        _c("birth_date", "出生日期", DATE, "Person.birth_date"),
        _c("household_id", "户号", CODE, "Household.household_id", "MEMBER_OF", req=True),
        _c("relation_to_head", "与户主关系", T, "MEMBER_OF.relation_to_head", req=True),
        _c("village_code", "村社区代码", DIV, "Person.village_code", "Household.village_code",
           "LIVES_IN", req=True),
        _c("address", "住址", T, "Person.address", "Household.address"),
        _c("phone", "联系电话", CODE, "Person.phone"),
    ), key=("id_number",)),
    Register("deaths", "死亡/火化登记", (
        _c("id_number", "公民身份号码", RID, "Person.id_number", req=True, aliases=_ID_HEADERS),
        _c("name", "姓名", T, "Person.name", req=True),
        _c("death_date", "死亡日期", DATE, "Person.death_date", req=True),
    ), key=("id_number",)),
    Register("officials", "公职人员及村干部", (
        _c("id_number", "公民身份号码", RID, "Person.id_number", "HOLDS", req=True,
           aliases=_ID_HEADERS),
        _c("name", "姓名", T, "Person.name", req=True),
        _c("organisation", "工作单位", T, "Post.organisation", "Organisation.name", "POST_AT",
           req=True),
        _c("position", "职务", T, "Post.position", req=True),
        _c("kind", "类别", ENUM, "Post.kind", req=True, choices=OFFICIAL_KINDS, closed=True),
        _c("jurisdiction_code", "管辖区划代码", DIV, "Post.jurisdiction_code", "GOVERNS"),
        _c("start_date", "任职起始日期", DATE, "HOLDS.valid_from",
           aliases=("任职开始日期", "任职起", "任职起日期", "起始日期", "开始日期")),
        _c("end_date", "任职终止日期", DATE, "HOLDS.valid_to",
           aliases=("任职结束日期", "任职止", "任职止日期", "终止日期", "结束日期")),
    ), key=("id_number", "organisation", "position")),
    Register("declared_relations", "领导干部个人有关事项报告", (
        _c("official_id_number", "干部身份号码", RID, "Person.id_number", "RELATIVE_OF",
           req=True),
        _c("relative_id_number", "亲属身份号码", RID, "Person.id_number", "RELATIVE_OF"),
        _c("relative_name", "亲属姓名", T, "Person.name", "Mention.name", req=True),
        _c("relation", "关系", ENUM, "RELATIVE_OF.relation", req=True,
           choices=_same("配偶", "子女", "父母", "兄弟姐妹", "配偶父母", "子女配偶")),
        _c("employer", "工作单位", T, "RELATIVE_OF.employer", "Mention.context"),
    ), key=("official_id_number", "relative_name")),
    Register("enterprises", "市场主体登记", (
        _c("uscc", "统一社会信用代码", USCC, "Enterprise.uscc", req=True),
        _c("name", "企业名称", T, "Enterprise.name", "Enterprise.name_norm", req=True),
        _c("legal_rep_id_number", "法定代表人身份号码", RID, "Person.id_number", "LEGAL_REP_OF"),
        _c("legal_rep_name", "法定代表人", T, "Enterprise.legal_rep_name", "Person.name",
           "Mention.name", req=True),
        _c("kind", "类型", T, "Enterprise.kind", aliases=("企业类型",)),
        _c("industry", "行业", T, "Enterprise.industry"),
        _c("address", "住所", T, "Enterprise.address", "Mention.context"),
        _c("phone", "联系电话", CODE, "Enterprise.phone", "Mention.context"),
        _c("established", "成立日期", DATE, "Enterprise.established"),
        _c("status", "登记状态", ENUM, "Enterprise.status", choices=_same("存续", "注销", "吊销")),
        _c("deregistered", "注销/吊销日期", DATE, "Enterprise.deregistered",
           aliases=("注销吊销日期", "注销日期", "吊销日期")),
        _c("registered_capital", "注册资本", MONEY, "Enterprise.registered_capital"),
    ), key=("uscc",)),
    Register("enterprise_roles", "股东及主要人员", (
        _c("uscc", "统一社会信用代码", USCC, "Enterprise.uscc", "ROLE_IN", req=True),
        _c("person_id_number", "身份号码", RID, "Person.id_number", "ROLE_IN",
           aliases=("身份证号码", "公民身份号码")),
        _c("person_name", "姓名", T, "Person.name", "Mention.name", req=True),
        _c("role", "角色", ENUM, "ROLE_IN.role", "LEGAL_REP_OF", req=True,
           choices=_same("股东", "执行董事", "董事", "监事", "经理", "财务负责人", "法定代表人")),
        _c("share_ratio", "持股比例", Kind.RATIO, "ROLE_IN.share_ratio"),
        _c("start", "起始日期", DATE, "ROLE_IN.valid_from", "LEGAL_REP_OF.valid_from",
           aliases=("任职起始日期", "开始日期", "变更日期", "start_date")),
        _c("end", "终止日期", DATE, "ROLE_IN.valid_to", "LEGAL_REP_OF.valid_to",
           aliases=("任职终止日期", "结束日期", "退出日期", "end_date")),
    ), key=("uscc", "person_name", "role", "start")),
    Register("properties", "不动产登记", (
        _c("cert_no", "不动产权证号", Kind.CERT, "RealEstate.cert_no", req=True),
        _c("owner_id_number", "权利人证件号", PARTY, "Person.id_number", "Enterprise.uscc",
           "OWNS", req=True),
        _c("owner_name", "权利人", T, "Person.name", "Enterprise.name", req=True),
        _c("co_owner_id_numbers", "共有人证件号", PARTY, "OWNS.co_owner", many=True),
        _c("address", "坐落", T, "RealEstate.address"),
        _c("usage", "用途", ENUM, "RealEstate.usage",
           choices=_same("住宅", "商业", "商住", "办公", "工业", "车位")),
        _c("area_m2", "面积", NUM, "RealEstate.area_m2"),
        _c("registered", "登记日期", DATE, "RealEstate.registered", "OWNS.valid_from"),
    ), key=("cert_no",)),
    Register("vehicles", "机动车登记", (
        _c("plate", "号牌号码", Kind.PLATE, "Vehicle.plate", req=True),
        _c("owner_id_number", "所有人证件号", PARTY, "Person.id_number", "Enterprise.uscc",
           "OWNS", req=True),
        _c("owner_name", "所有人", T, "Person.name", "Enterprise.name", req=True),
        _c("vehicle_type", "车辆类型", T, "Vehicle.vehicle_type"),
        _c("brand", "品牌", T, "Vehicle.brand"),
        _c("registered", "注册日期", DATE, "Vehicle.registered", "OWNS.valid_from"),
        _c("status", "状态", ENUM, "Vehicle.status", choices=_same("正常", "转移", "注销", "报废")),
        _c("deregistered", "注销日期", DATE, "Vehicle.deregistered", "OWNS.valid_to"),
    ), key=("plate",)),
    Register("programs", "民生资金项目", (
        _c("program_code", "项目编码", CODE, "Program.program_code", req=True),
        _c("name", "项目名称", T, "Program.name", req=True),
        _c("department", "主管部门", T, "Program.department"),
        _c("kind", "类别", ENUM, "Program.kind", choices=PROGRAM_KINDS, closed=True),
        _c("exclusive_with", "互斥项目", CODE, "EXCLUDES", many=True),
    ), key=("program_code",)),
    Register("disbursements", "民生资金发放明细", (
        _c("record_id", "发放流水号", CODE, "Disbursement.record_id", req=True),
        _c("program_code", "项目编码", CODE, "Disbursement.program_code", "UNDER", req=True),
        _c("recipient_id_number", "领取人身份号码", RID, "Person.id_number", "RECEIVED",
           req=True),
        _c("recipient_name", "领取人姓名", T, "Person.name", req=True),
        _c("household_id", "户号", CODE, "Disbursement.household_id", "FOR_HOUSEHOLD"),
        _c("village_code", "村社区代码", DIV, "Disbursement.village_code", "IN_DIVISION",
           req=True),
        _c("amount", "金额", MONEY, "Disbursement.amount", req=True),
        _c("period", "发放期间", MONTH, "Disbursement.period", req=True),
        _c("paid_date", "发放日期", DATE, "Disbursement.paid_date"),
        _c("bank_account", "收款账号", CODE, "BankAccount.account_no", "INTO_ACCOUNT"),
        _c("handler_id_number", "经办人身份号码", RID, "Person.id_number", "HANDLED_BY"),
    ), key=("record_id",)),
    Register("students", "教育资助学生", (
        _c("id_number", "学生身份号码", RID, "Person.id_number", "StudentAid.aid_id", "AIDED",
           req=True),
        _c("name", "姓名", T, "Person.name", req=True),
        _c("school", "学校", T, "School.name", "AT_SCHOOL"),
        _c("grade", "年级", T, "StudentAid.grade"),
        _c("category", "资助类别", T, "StudentAid.category"),
        _c("household_id", "户号", CODE, "StudentAid.household_id"),
        _c("policies", "享受政策", CODE, "StudentAid.policies", "UNDER", many=True),
        _c("year", "学年", T, "StudentAid.year", "StudentAid.aid_id", req=True),
        _c("school_type", "学段", ENUM, "StudentAid.school_type",
           choices=_choices(("小学", ()), ("初中", ()), ("高中", ("普通高中",)),
                            ("中职", ("中等职业学校", "职高", "技校")), ("高校", ("大学", "高职")),
                            ("学前", ("幼儿园",)))),
        _c("status", "学籍状态", ENUM, "StudentAid.status",
           choices=_same("在读", "休学", "退学", "毕业")),
        _c("amount", "资助金额", MONEY, "StudentAid.amount"),
    ), key=("id_number", "year")),
    Register("contracts", "项目合同", (
        _c("contract_id", "合同编号", CODE, "Contract.contract_id", req=True),
        _c("project_name", "项目名称", T, "Contract.project_name", req=True),
        _c("village_code", "实施村代码", DIV, "Contract.village_code", "IN_DIVISION", req=True),
        _c("department", "主管部门", T, "Contract.department", "SUPERVISED_BY"),
        _c("contractor_id", "承包方证件号", PARTY, "AWARDED_TO", req=True),
        _c("contractor_name", "承包方", T, "Person.name", "Enterprise.name", req=True),
        _c("amount", "合同金额", MONEY, "Contract.amount", req=True),
        _c("signed", "签订日期", DATE, "Contract.signed"),
        _c("approver_id_number", "审批人身份号码", RID, "APPROVED_BY"),
        _c("procurement", "采购方式", ENUM, "Contract.procurement",
           choices=_same("公开招标", "邀请招标", "竞争性谈判", "询价", "直接发包")),
        _c("quantity", "合同工程量", NUM, "Contract.quantity"),
        _c("unit", "单位", T, "Contract.unit"),
        _c("delivered_quantity", "验收工程量", NUM, "Contract.delivered_quantity"),
        _c("accepted", "验收日期", DATE, "Contract.accepted"),
    ), key=("contract_id",)),
    Register("payments", "村级财务支出", (
        _c("voucher_no", "凭证号", CODE, "Payment.voucher_no", req=True),
        _c("payer_code", "付款单位代码", T, "Payment.payer_code", "PAID_BY", req=True),
        _c("payee_id", "收款方证件号", PARTY, "PAID_TO", req=True),
        _c("payee_name", "收款方", T, "Person.name", "Enterprise.name", req=True),
        _c("amount", "金额", MONEY, "Payment.amount", req=True),
        _c("paid_date", "支付日期", DATE, "Payment.paid_date", req=True),
        _c("contract_id", "合同编号", CODE, "FOR_CONTRACT"),
        _c("purpose", "用途", T, "Payment.purpose"),
        _c("approver_id_number", "审批人身份号码", RID, "APPROVED_BY"),
        _c("handler_id_number", "经办人身份号码", RID, "HANDLED_BY"),
        _c("booked", "是否入账", BOOL, "Payment.booked"),
        _c("program_code", "项目编码", CODE, "Payment.program_code", "FUNDED_BY"),
    ), key=("voucher_no",)),
    Register("incomes", "村级财务收入", (
        _c("voucher_no", "凭证号", CODE, "Income.voucher_no", req=True),
        _c("village_code", "村社区代码", DIV, "Income.village_code", "RECEIVED_BY",
           "IN_DIVISION", req=True),
        _c("source", "来源", T, "Income.source"),
        _c("payer_id", "付款方证件号", PARTY, "PAID_IN_BY"),
        _c("amount", "金额", MONEY, "Income.amount", req=True),
        _c("received_date", "收款日期", DATE, "Income.received_date", req=True),
        _c("booked", "是否入账", BOOL, "Income.booked"),
        _c("booked_date", "入账日期", DATE, "Income.booked_date"),
    ), key=("voucher_no",)),
    Register("complaints", "投诉举报", (
        _c("complaint_id", "举报编号", CODE, "Complaint.complaint_id", req=True),
        _c("received", "收到日期", DATE, "Complaint.received", req=True),
        _c("channel", "渠道", ENUM, "Complaint.channel",
           choices=_same("平台", "来信", "来访", "电话")),
        _c("village_code", "涉及村社区代码", DIV, "Complaint.village_code", "IN_DIVISION"),
        _c("subject_ids", "被举报对象证件号", CODE, "ABOUT", many=True),
        _c("summary", "举报内容摘要", T, "Complaint.summary", req=True),
        _c("reporter_name", "举报人", T, "Complaint.reporter_name", confidential=True,
           aliases=("举报人姓名",)),
        _c("reporter_phone", "联系电话", CODE, "Complaint.reporter_phone", confidential=True,
           aliases=("举报人电话", "举报人联系电话")),
        _c("accepted", "受理日期", DATE, "Complaint.accepted"),
        _c("closed", "办结日期", DATE, "Complaint.closed"),
        _c("extension_approved", "延期批准", BOOL, "Complaint.extension_approved"),
        _c("substantiated", "是否查实", BOOL, "Complaint.substantiated"),
        _c("amount_involved", "涉及金额", MONEY, "Complaint.amount_involved"),
    ), key=("complaint_id",)),
    Register("poverty_households", "建档立卡贫困户", (
        _c("household_id", "户号", CODE, "PovertyRecord.household_id", "PovertyRecord.record_id",
           "REGISTERED_POOR", req=True),
        _c("village_code", "村社区代码", DIV, "PovertyRecord.village_code", req=True),
        _c("year", "年度", T, "PovertyRecord.year", "PovertyRecord.record_id", req=True),
        _c("status", "状态", ENUM, "PovertyRecord.status", req=True,
           choices=_choices(("贫困户", ("建档立卡贫困户", "未脱贫")), ("已脱贫", ("脱贫户",)),
                            ("监测户", ("防返贫监测户", "监测对象")))),
    ), key=("household_id", "year")),
    Register("disability_certificates", "残疾人证", (
        _c("cert_no", "残疾人证号", CODE, "DisabilityCertificate.cert_no", req=True),
        _c("id_number", "身份号码", RID, "Person.id_number", "CERTIFIED", req=True,
           aliases=("公民身份号码", *_ID_HEADERS)),
        _c("name", "姓名", T, "Person.name", req=True),
        _c("kind", "残疾类别", T, "DisabilityCertificate.kind"),
        _c("grade", "等级", ENUM, "DisabilityCertificate.grade",
           choices=_choices(("一级", ("1", "一")), ("二级", ("2", "二")), ("三级", ("3", "三")),
                            ("四级", ("4", "四")))),
        _c("issued", "发证日期", DATE, "DisabilityCertificate.issued"),
        _c("revoked", "注销日期", DATE, "DisabilityCertificate.revoked"),
    ), key=("cert_no",)),
    Register("allocations", "资金下达", (
        _c("allocation_id", "指标文号", CODE, "Allocation.allocation_id", req=True),
        _c("program_code", "项目编码", CODE, "Allocation.program_code", "FUNDED_BY", req=True),
        _c("division_code", "下达区划代码", DIV, "Allocation.division_code", "ALLOCATED_TO",
           req=True),
        _c("amount", "金额", MONEY, "Allocation.amount", req=True),
        _c("allocated", "下达日期", DATE, "Allocation.allocated", req=True),
        _c("purpose", "用途", T, "Allocation.purpose"),
    ), key=("allocation_id",)),
)
# fmt: on

#: Registers in load order: divisions, then the people, then everything that names them.
REGISTERS: dict[str, Register] = {r.stem: r for r in _REGISTER_LIST}


def _check_unique_headers() -> None:
    for r in _REGISTER_LIST:
        seen: dict[str, str] = {}
        for c in r.columns:
            for h in c.headers():
                k = header_key(h)
                if seen.setdefault(k, c.name) != c.name:
                    raise SchemaError(f"{r.stem}: header {h!r} names two columns")


def _check_keys() -> None:
    for r in _REGISTER_LIST:
        if not r.key:
            raise SchemaError(f"{r.stem}: no key columns declared")
        for name in r.key:
            r.column(name)


_check_unique_headers()
_check_keys()
