"""The graph's schema, declared once.

Every node label and relationship type guanxi knows is declared here, with its key,
typed properties and each property's privacy class. The loaders map register columns
through it, the stores derive index and constraint DDL from it, the API builds its
response models and masking from it, and the explorer's legend is its JSON dump.

>>> NODES["Person"].key
'id_number'
>>> RELATIONSHIPS["HOLDS"].temporal
True
>>> NODES["Person"].prop("id_number").privacy is Privacy.IDENTIFIER
True
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph.errors import SchemaError


class Privacy(StrEnum):
    """Who may see a property.

    - ``public``: anyone with access to the division (names of villages, amounts).
    - ``personal``: personal data shown to investigating roles (names, addresses).
    - ``identifier``: ID numbers, phones, bank accounts; masked unless the role may see them.
    - ``confidential``: whistleblower identity; only the complaint-handler role, never logged.
    """

    PUBLIC = "public"
    PERSONAL = "personal"
    IDENTIFIER = "identifier"
    CONFIDENTIAL = "confidential"


# Properties a register's file brought under a header the data contract does not know
# (graph.loaders.registers.extra_property). They are not declared here; a label with
# confidential properties keeps its extras with them, out of the graph (graph.store.sealed).
EXTRA_PREFIX = "x_"


class PropType(StrEnum):
    STR = "str"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"  # ISO 'YYYY-MM-DD' string: orders correctly and survives both engines
    MONTH = "month"  # 'YYYY-MM'
    MONEY = "money"  # integer fen (分), never float yuan
    STR_LIST = "str_list"


@dataclass(frozen=True)
class Prop:
    name: str
    type: PropType = PropType.STR
    privacy: Privacy = Privacy.PUBLIC
    zh: str = ""
    indexed: bool = False
    # Full-text (Lucene ``cjk`` bigrams on Neo4j, a Chinese segmenter on FalkorDB) is for
    # longer text: project and organisation names, summaries. Person names are two or
    # three characters that the API's name index finds by prefix, pinyin and part;
    # a full-text index on a million of them cost 12.5 s of each first load and nothing read it.
    fulltext: bool = False
    description: str = ""


@dataclass(frozen=True)
class NodeType:
    label: str
    key: str
    zh: str
    caption: str
    color: str
    icon: str
    props: tuple[Prop, ...]
    description: str = ""

    def prop(self, name: str) -> Prop:
        for p in self.props:
            if p.name == name:
                return p
        raise SchemaError(f"{self.label} has no property {name!r}")

    def has(self, name: str) -> bool:
        return any(p.name == name for p in self.props)


@dataclass(frozen=True)
class RelType:
    type: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    zh: str
    # How a hop reads in a sentence: "{a} {verb} {b}", e.g. 张三 持有 湘DA1234.
    verb_zh: str
    props: tuple[Prop, ...] = ()
    temporal: bool = False  # carries valid_from / valid_to
    description: str = ""

    def prop(self, name: str) -> Prop:
        for p in self.props:
            if p.name == name:
                return p
        raise SchemaError(f"{self.type} has no property {name!r}")


Str, Int, Float, Bool, Date, Month, Money, StrList = (
    PropType.STR,
    PropType.INT,
    PropType.FLOAT,
    PropType.BOOL,
    PropType.DATE,
    PropType.MONTH,
    PropType.MONEY,
    PropType.STR_LIST,
)
PUB, PER, IDN, CON = Privacy.PUBLIC, Privacy.PERSONAL, Privacy.IDENTIFIER, Privacy.CONFIDENTIAL

# Present on every node and relationship: where it came from ("register#row") and
# load-time warnings. Kept as lists so several registers can vouch for one node.
COMMON_PROPS: tuple[Prop, ...] = (
    Prop("src", StrList, PUB, "来源", description="register#row of every source row"),
    Prop("warnings", StrList, PUB, "警告", description="validation warnings raised while loading"),
)

# Written by `guanxi detect` on every node that communities are found on: the one
# numbering of communities that the CLI, the API, the explorer and exports all show.
COMMUNITY = Prop(
    "community", Int, PUB, "社区", description="derived: number of its risk community (detect)"
)

VALIDITY_PROPS: tuple[Prop, ...] = (
    Prop("valid_from", Date, PUB, "起始日期"),
    Prop("valid_to", Date, PUB, "终止日期"),
)


# A relationship that entity resolution copied from a Mention onto the Person it names.
VIA_MENTION = Prop(
    "via_mention", Str, PUB, "经实体识别", description="mention_id it was copied from"
)


def _node(
    label: str,
    key: str,
    zh: str,
    caption: str,
    color: str,
    icon: str,
    *props: Prop,
    description: str = "",
) -> NodeType:
    return NodeType(
        label, key, zh, caption, color, icon, (*props, COMMUNITY, *COMMON_PROPS), description
    )


# fmt: off
# One declaration per line reads as a table; the formatter would explode it.
_NODE_LIST: tuple[NodeType, ...] = (
    _node(
        "Division", "code", "行政区划", "name", "#8d99ae", "map",
        Prop("code", Str, PUB, "区划代码"),
        Prop("name", Str, PUB, "名称", indexed=True, fulltext=True),
        Prop("level", Str, PUB, "级别", description="county / township / village"),
        Prop("parent_code", Str, PUB, "上级代码"),
        description="A county, township or village (GB/T 2260 plus statistical extension).",
    ),
    _node(
        "Person", "id_number", "人员", "name", "#4361ee", "user",
        Prop("id_number", Str, IDN, "公民身份号码"),
        Prop("name", Str, PER, "姓名", indexed=True),
        Prop("gender", Str, PER, "性别"),
        Prop("birth_date", Date, PER, "出生日期"),
        Prop("village_code", Str, PUB, "村社区代码", indexed=True),
        Prop("address", Str, PER, "住址"),
        Prop("phone", Str, IDN, "联系电话", indexed=True),
        # Indexed for the patterns that start from the few dead or unregistered persons
        # (deceased_recipient, ghost_recipient) instead of scanning every person.
        Prop("death_date", Date, PER, "死亡日期", indexed=True),
        Prop("in_register", Bool, PUB, "在户籍库", indexed=True,
             description="false when only other registers name them"),
        description="A natural person, keyed by the 18-character resident ID number.",
    ),
    _node(
        "Household", "household_id", "户", "household_id", "#4cc9f0", "home",
        Prop("household_id", Str, PUB, "户号"),
        Prop("village_code", Str, PUB, "村社区代码", indexed=True),
        Prop("address", Str, PER, "住址"),
    ),
    _node(
        "Post", "post_id", "职务", "position", "#7209b7", "briefcase",
        Prop("post_id", Str, PUB, "职务编号", description="organisation|position|jurisdiction"),
        Prop("organisation", Str, PUB, "工作单位", indexed=True),
        Prop("position", Str, PUB, "职务"),
        Prop("kind", Str, PUB, "类别",
             description="village_cadre / civil_servant / public_institution / payroll"),
        Prop("jurisdiction_code", Str, PUB, "管辖区划代码", indexed=True),
        description="A public post or village cadre position; people hold it for a term.",
    ),
    _node(
        "Organisation", "name", "单位", "name", "#b5179e", "building",
        Prop("name", Str, PUB, "名称", fulltext=True),
        description="A government department or other paying / supervising body.",
    ),
    _node(
        "Enterprise", "uscc", "市场主体", "name", "#f77f00", "industry",
        Prop("uscc", Str, IDN, "统一社会信用代码"),
        Prop("name", Str, PUB, "企业名称", indexed=True, fulltext=True),
        Prop("name_norm", Str, PUB, "规范名称", indexed=True),
        Prop("legal_rep_name", Str, PER, "法定代表人"),
        Prop("kind", Str, PUB, "类型"),
        Prop("industry", Str, PUB, "行业"),
        Prop("address", Str, PUB, "住所"),
        Prop("phone", Str, IDN, "联系电话", indexed=True),
        Prop("established", Date, PUB, "成立日期"),
        Prop("status", Str, PUB, "登记状态"),
        Prop("deregistered", Date, PUB, "注销/吊销日期"),
        Prop("registered_capital", Money, PUB, "注册资本(分)"),
        Prop("established_day", Int, PUB, "成立日序", description="derived: days since 1970-01-01"),
        Prop("industry_code", Str, PUB, "行业代码",
             description="GB/T 4754 code read from industry (e.g. 6210), when it carries one"),
        description="A registered market entity (company, sole trader, cooperative, NGO unit).",
    ),
    _node(
        "RealEstate", "cert_no", "不动产", "address", "#2a9d8f", "landmark",
        Prop("cert_no", Str, IDN, "不动产权证号"),
        Prop("address", Str, PER, "坐落"),
        Prop("usage", Str, PUB, "用途"),
        Prop("area_m2", Float, PUB, "面积"),
        Prop("registered", Date, PUB, "登记日期"),
    ),
    _node(
        "Vehicle", "plate", "机动车", "plate", "#e9c46a", "car",
        Prop("plate", Str, IDN, "号牌号码"),
        Prop("vehicle_type", Str, PUB, "车辆类型"),
        Prop("brand", Str, PUB, "品牌"),
        Prop("registered", Date, PUB, "注册日期"),
        Prop("status", Str, PUB, "状态"),
        Prop("deregistered", Date, PUB, "注销日期"),
    ),
    _node(
        "Program", "program_code", "民生资金项目", "name", "#06d6a0", "hand-holding-usd",
        Prop("program_code", Str, PUB, "项目编码"),
        Prop("name", Str, PUB, "项目名称", fulltext=True),
        Prop("department", Str, PUB, "主管部门"),
        Prop("kind", Str, PUB, "类别"),
    ),
    _node(
        "Disbursement", "record_id", "资金发放", "period", "#90be6d", "coins",
        Prop("record_id", Str, PUB, "发放流水号"),
        Prop("program_code", Str, PUB, "项目编码", indexed=True),
        Prop("amount", Money, PUB, "金额(分)"),
        Prop("period", Month, PUB, "发放期间", indexed=True),
        Prop("paid_date", Date, PUB, "发放日期"),
        Prop("household_id", Str, PUB, "户号"),
        Prop("village_code", Str, PUB, "村社区代码", indexed=True),
        description="One payment of a livelihood programme to one person for one month.",
    ),
    _node(
        "BankAccount", "account_no", "银行账户", "account_no", "#577590", "credit-card",
        Prop("account_no", Str, IDN, "账号"),
    ),
    _node(
        "Contract", "contract_id", "项目合同", "project_name", "#e76f51", "file-contract",
        Prop("contract_id", Str, PUB, "合同编号"),
        Prop("project_name", Str, PUB, "项目名称", fulltext=True),
        Prop("village_code", Str, PUB, "实施村代码", indexed=True),
        Prop("department", Str, PUB, "主管部门"),
        Prop("amount", Money, PUB, "合同金额(分)"),
        Prop("signed", Date, PUB, "签订日期"),
        Prop("procurement", Str, PUB, "采购方式"),
        Prop("quantity", Float, PUB, "合同工程量"),
        Prop("unit", Str, PUB, "单位"),
        Prop("delivered_quantity", Float, PUB, "验收工程量"),
        Prop("accepted", Date, PUB, "验收日期"),
        Prop("signed_day", Int, PUB, "签订日序", description="derived: days since 1970-01-01"),
        Prop("accepted_day", Int, PUB, "验收日序", description="derived: days since 1970-01-01"),
    ),
    _node(
        "Payment", "voucher_no", "支出凭证", "voucher_no", "#d62828", "money-check",
        Prop("voucher_no", Str, PUB, "凭证号"),
        Prop("payer_code", Str, PUB, "付款单位代码", indexed=True),
        Prop("amount", Money, PUB, "金额(分)"),
        Prop("paid_date", Date, PUB, "支付日期"),
        Prop("purpose", Str, PUB, "用途"),
        Prop("booked", Bool, PUB, "是否入账"),
        Prop("program_code", Str, PUB, "项目编码", indexed=True,
             description="the programme whose money paid the voucher"),
        description="A village finance expenditure voucher or a department's payment.",
    ),
    _node(
        "Income", "voucher_no", "收入凭证", "voucher_no", "#80b918", "piggy-bank",
        Prop("voucher_no", Str, PUB, "凭证号"),
        Prop("village_code", Str, PUB, "村社区代码", indexed=True),
        Prop("source", Str, PUB, "来源"),
        Prop("amount", Money, PUB, "金额(分)"),
        Prop("received_date", Date, PUB, "收款日期"),
        Prop("booked", Bool, PUB, "是否入账"),
        Prop("booked_date", Date, PUB, "入账日期"),
    ),
    _node(
        "Complaint", "complaint_id", "投诉举报", "complaint_id", "#9d0208", "bullhorn",
        Prop("complaint_id", Str, PUB, "举报编号"),
        Prop("received", Date, PUB, "收到日期"),
        Prop("channel", Str, PUB, "渠道"),
        Prop("village_code", Str, PUB, "涉及村社区代码", indexed=True),
        Prop("summary", Str, PER, "举报内容摘要", fulltext=True),
        Prop("reporter_name", Str, CON, "举报人"),
        Prop("reporter_phone", Str, CON, "举报人电话"),
        Prop("accepted", Date, PUB, "受理日期"),
        Prop("closed", Date, PUB, "办结日期"),
        Prop("extension_approved", Bool, PUB, "延期批准"),
        Prop("substantiated", Bool, PUB, "是否查实"),
        Prop("amount_involved", Money, PUB, "涉及金额(分)"),
        Prop("accept_due", Date, PUB, "受理期限", description="derived: received + 7 days"),
        Prop("close_due", Date, PUB, "办结期限",
             description="derived: accepted + 3 months, + 4 with an approved extension"),
    ),
    _node(
        "School", "name", "学校", "name", "#48cae4", "school",
        Prop("name", Str, PUB, "学校", fulltext=True),
    ),
    _node(
        "StudentAid", "aid_id", "教育资助", "year", "#00b4d8", "graduation-cap",
        # The key holds the student's ID number: an identifier, masked like one.
        Prop("aid_id", Str, IDN, "资助编号", description="id_number|year"),
        Prop("year", Str, PUB, "学年", indexed=True),
        Prop("grade", Str, PUB, "年级"),
        Prop("category", Str, PER, "资助类别"),
        Prop("household_id", Str, PUB, "户号"),
        Prop("policies", StrList, PUB, "享受政策"),
        Prop("school_type", Str, PUB, "学段", description="小学 / 初中 / 高中 / 中职 / 高校"),
        Prop("status", Str, PUB, "学籍状态", description="在读 / 休学 / 退学 / 毕业"),
        Prop("amount", Money, PUB, "资助金额(分)", description="the year's total of its policies"),
        description="One student's aid record for one school year.",
    ),
    _node(
        "Mention", "mention_id", "未识别提及", "name", "#adb5bd", "question",
        Prop("mention_id", Str, PUB, "提及编号", description="register#row#column"),
        Prop("name", Str, PER, "姓名", indexed=True),
        Prop("context", Str, PER, "上下文",
             description="village, employer, phone seen with the name"),
        Prop("status", Str, PUB, "识别状态",
             description="linked / ambiguous / weak / no_candidate"),
        Prop("best_score", Float, PUB, "最高匹配分"),
        Prop("candidates", Str, IDN, "候选人", description="top candidates with scores (JSON)"),
        Prop("rejected_ids", StrList, IDN, "已否定候选人"),
        description="A person named without an ID number that entity resolution could not link.",
    ),
    _node(
        "Finding", "finding_id", "疑点", "title", "#ff0054", "exclamation-triangle",
        Prop("finding_id", Str, PUB, "疑点编号",
             description="pattern + sorted subjects, stable across runs"),
        Prop("pattern", Str, PUB, "规则", indexed=True),
        Prop("severity", Str, PUB, "风险等级", indexed=True),
        Prop("title", Str, PUB, "标题"),
        Prop("explanation", Str, PER, "说明"),
        Prop("subjects", StrList, IDN, "涉及对象"),
        Prop("subject_labels", StrList, PUB, "涉及对象类别",
             description="label of each subject, in order: which subjects are identifiers"),
        Prop("score", Float, PUB, "分值"),
        Prop("status", Str, PUB, "核查状态", indexed=True,
             description="new / confirmed / dismissed"),
        Prop("note", Str, PER, "核查备注"),
        Prop("detected_at", Date, PUB, "最近发现日期"),
        Prop("first_detected", Date, PUB, "首次发现日期"),
        Prop("division_code", Str, PUB, "所属区划", indexed=True),
        Prop("lead_id", Str, PUB, "所属线索", indexed=True,
             description="kept once assigned: graph.queries.leads"),
        Prop("principal", Str, IDN, "主要对象", description="Label:key of the acting subject"),
        Prop("shared", StrList, IDN, "关联证据", description="Label:key of evidence joining leads"),
        Prop("money", StrList, PUB, "涉及款项", description="Label:key=fen, counted once per lead"),
    ),
    _node(
        "Lead", "lead_id", "线索", "title", "#ff5d8f", "folder-open",
        Prop("lead_id", Str, PUB, "线索编号", description="from the principal's natural key"),
        Prop("title", Str, PER, "标题"),
        Prop("principal_label", Str, PUB, "对象类型"),
        Prop("principal_key", Str, IDN, "主要对象"),
        Prop("principal_name", Str, PER, "对象名称"),
        Prop("division_code", Str, PUB, "所属区划", indexed=True),
        Prop("division_name", Str, PUB, "所属区划名称"),
        Prop("division_codes", StrList, PUB, "涉及区划代码"),
        Prop("division_names", StrList, PUB, "涉及区划"),
        Prop("amount", Money, PUB, "涉及金额(分)", description="each voucher or record once"),
        Prop("vouchers", Int, PUB, "涉及凭证/记录数"),
        Prop("severity", Str, PUB, "风险等级"),
        Prop("patterns", StrList, PUB, "规则"),
        Prop("finding_count", Int, PUB, "疑点数"),
        Prop("open_count", Int, PUB, "未排除疑点数"),
        Prop("exposure", Int, PUB, "风险暴露", description="findings on the subject or next to it"),
        Prop("score", Float, PUB, "分值", indexed=True),
        Prop("first_detected", Date, PUB, "首次发现日期"),
        Prop("detected_at", Date, PUB, "最近发现日期"),
        Prop("updated", Date, PUB, "更新日期"),
        description="Findings about one acting subject, or joined by shared evidence.",
    ),
    _node(
        "Case", "case_no", "案件", "title", "#3a0ca3", "gavel",
        Prop("case_no", Str, PUB, "案件编号"),
        Prop("title", Str, PER, "案由"),
        Prop("division_code", Str, PUB, "承办区划", indexed=True),
        Prop("state", Str, PUB, "状态",
             description="received / accepted / rejected / in_progress / closed"),
        Prop("source", Str, PUB, "来源", description="lead / finding / complaint"),
        Prop("received", Date, PUB, "收到日期"),
        Prop("accepted", Date, PUB, "受理日期"),
        Prop("closed", Date, PUB, "办结日期"),
        Prop("accept_due", Date, PUB, "受理期限"),
        Prop("close_due", Date, PUB, "办结期限"),
        Prop("extensions", Int, PUB, "批准延期次数"),
        Prop("outcome", Str, PUB, "办理结果", description="查实 / 部分属实 / 不属实"),
        Prop("amount_involved", Money, PUB, "涉案金额(分)"),
        Prop("amount_recovered", Money, PUB, "追缴金额(分)"),
        description="A matter handled by the workflow (api/workflow); mirrored from its database.",
    ),
    _node(
        "Allocation", "allocation_id", "资金下达", "allocation_id", "#52b788", "share",
        Prop("allocation_id", Str, PUB, "指标文号"),
        Prop("program_code", Str, PUB, "项目编码", indexed=True),
        Prop("division_code", Str, PUB, "下达区划代码", indexed=True),
        Prop("amount", Money, PUB, "金额(分)"),
        Prop("allocated", Date, PUB, "下达日期"),
        Prop("purpose", Str, PUB, "用途"),
        Prop("allocated_day", Int, PUB, "下达日序", description="derived: days since 1970-01-01"),
        description="Programme money allocated to a county, township or village.",
    ),
    _node(
        "PovertyRecord", "record_id", "建档立卡记录", "year", "#b7e4c7", "id-card",
        Prop("record_id", Str, PUB, "记录编号", description="household_id|year"),
        Prop("household_id", Str, PUB, "户号", indexed=True),
        Prop("village_code", Str, PUB, "村社区代码", indexed=True),
        Prop("year", Str, PUB, "年度"),
        Prop("status", Str, PUB, "状态", description="贫困户 / 已脱贫 / 监测户"),
        description="A household's entry in the registered-poor register for one year.",
    ),
    _node(
        "DisabilityCertificate", "cert_no", "残疾人证", "kind", "#ffb703", "wheelchair",
        Prop("cert_no", Str, IDN, "残疾人证号"),
        Prop("kind", Str, PER, "残疾类别"),
        Prop("grade", Str, PER, "等级"),
        Prop("issued", Date, PUB, "发证日期"),
        Prop("revoked", Date, PUB, "注销日期"),
    ),
)

NODES: dict[str, NodeType] = {n.label: n for n in _NODE_LIST}

_PEOPLE = ("Person", "Mention")
_PARTIES = ("Person", "Enterprise", "Mention")


def _rel(
    type_: str,
    sources: tuple[str, ...] | str,
    targets: tuple[str, ...] | str,
    zh: str,
    verb_zh: str,
    *props: Prop,
    temporal: bool = False,
    description: str = "",
) -> RelType:
    src = (sources,) if isinstance(sources, str) else sources
    tgt = (targets,) if isinstance(targets, str) else targets
    copied = "Mention" in (*src, *tgt) and type_ not in ("RESOLVED_TO", "CONCERNS")
    via = (VIA_MENTION,) if copied else ()
    all_props = (*props, *(VALIDITY_PROPS if temporal else ()), *via, *COMMON_PROPS)
    return RelType(type_, src, tgt, zh, verb_zh, all_props, temporal, description)


_REL_LIST: tuple[RelType, ...] = (
    _rel("PART_OF", "Division", "Division", "隶属", "隶属于"),
    _rel("LIVES_IN", "Household", "Division", "户籍所在", "位于"),
    _rel(
        "MEMBER_OF", "Person", "Household", "户成员", "是该户成员，属",
        Prop("relation_to_head", Str, PER, "与户主关系"),
    ),
    _rel("HOLDS", _PEOPLE, "Post", "任职", "担任", temporal=True,
         description="Term of office; valid_to empty while in office."),
    _rel("GOVERNS", "Post", "Division", "管辖", "管辖"),
    _rel("POST_AT", "Post", "Organisation", "所在单位", "隶属单位"),
    _rel(
        "RELATIVE_OF", "Person", _PEOPLE, "申报亲属", "申报的亲属是",
        Prop("relation", Str, PER, "关系"),
        Prop("employer", Str, PER, "工作单位"),
        description="Declared by the official (the source) in the personal-matters report.",
    ),
    _rel("LEGAL_REP_OF", _PEOPLE, "Enterprise", "法定代表人", "是法定代表人，企业",
         temporal=True,
         description="Dated from the registry's change records; undated = the current one."),
    _rel(
        "ROLE_IN", _PARTIES, "Enterprise", "股东及主要人员", "任职/持股于",
        Prop("role", Str, PUB, "角色"),
        Prop("share_ratio", Float, PUB, "持股比例"),
        temporal=True,
        description="valid_from empty: held since the enterprise was established.",
    ),
    _rel("OWNS", ("Person", "Enterprise"), ("RealEstate", "Vehicle"), "所有", "拥有",
         Prop("co_owner", Bool, PUB, "共有"), temporal=True),
    _rel("RECEIVED", _PEOPLE, "Disbursement", "领取", "领取"),
    _rel("UNDER", ("Disbursement", "StudentAid"), "Program", "所属项目", "属于项目"),
    _rel("INTO_ACCOUNT", "Disbursement", "BankAccount", "收款账户", "打入账户"),
    _rel("FOR_HOUSEHOLD", "Disbursement", "Household", "发放户", "发给户"),
    _rel("HANDLED_BY", ("Disbursement", "Payment"), _PEOPLE, "经办", "经办人是"),
    _rel("IN_DIVISION", ("Disbursement", "Contract", "Complaint", "Income"), "Division",
         "所在区划", "发生在"),
    _rel("EXCLUDES", "Program", "Program", "互斥", "与之互斥"),
    _rel("AWARDED_TO", "Contract", _PARTIES, "承包方", "承包方是"),
    _rel("APPROVED_BY", ("Contract", "Payment"), _PEOPLE, "审批", "审批人是"),
    _rel("SUPERVISED_BY", "Contract", "Organisation", "主管部门", "主管部门是"),
    _rel("PAID_BY", "Payment", ("Division", "Organisation"), "付款单位", "付款单位是"),
    _rel("PAID_TO", "Payment", _PARTIES, "收款方", "付给"),
    _rel("FOR_CONTRACT", "Payment", "Contract", "对应合同", "用于合同"),
    _rel("RECEIVED_BY", "Income", "Division", "收款单位", "收入归"),
    _rel("PAID_IN_BY", "Income", _PARTIES, "付款方", "付款方是"),
    _rel("ABOUT", "Complaint", (*_PARTIES, "Contract"), "被举报对象", "举报了"),
    _rel("AIDED", "Person", "StudentAid", "受资助", "获得资助"),
    _rel("AT_SCHOOL", "StudentAid", "School", "就读学校", "就读于"),
    _rel(
        "RESOLVED_TO", "Mention", "Person", "识别为", "识别为",
        Prop("score", Float, PUB, "匹配分"),
        # JSON evidence naming the runner-up candidate (an ID number), a shared employer
        # (a USCC) or household: identifiers, masked and scoped by the API (api.present).
        Prop("features", Str, IDN, "匹配依据"),
        Prop("method", Str, PUB, "方法"),
        Prop("judgement", Str, PUB, "人工判定", description="confirmed / rejected / empty"),
        Prop("margin", Float, PUB, "领先分差"),
        Prop("judged_by", Str, PER, "判定人"),
        Prop("judged_at", Date, PUB, "判定时间"),
        Prop("note", Str, PER, "判定说明"),
    ),
    _rel("FUNDED_BY", ("Payment", "Allocation"), "Program", "资金来源", "使用资金"),
    _rel("ALLOCATED_TO", "Allocation", "Division", "下达至", "下达至"),
    _rel("REGISTERED_POOR", "Household", "PovertyRecord", "建档立卡", "登记为"),
    _rel("CERTIFIED", "Person", "DisabilityCertificate", "持证", "持有"),
    _rel("CONCERNS", "Finding",
         tuple(n.label for n in _NODE_LIST if n.label not in ("Finding", "Lead", "Case")),
         "涉及", "涉及"),
    _rel("IN_LEAD", "Finding", "Lead", "归入线索", "归入线索"),
    _rel("LEAD_SUBJECT", "Lead", ("Person", "Enterprise", "Mention", "Household", "BankAccount",
                                  "Complaint"), "线索对象", "涉及对象"),
    _rel("OPENED_FROM", "Case", ("Lead", "Finding", "Complaint"), "案件来源", "源自"),
    _rel("CASE_ABOUT", "Case", ("Person", "Enterprise", "Contract"), "被反映对象", "涉及"),
    _rel(
        "DISPOSED", "Case", "Person", "处理处分", "处理了",
        Prop("kind", Str, PUB, "处理类别", description="党纪处分 / 政务处分 / 诫勉谈话 / ..."),
        Prop("measure", Str, PUB, "处分种类", description="警告, 严重警告, ... for 党纪处分"),
        Prop("decided", Date, PUB, "决定日期"),
    ),
)

# fmt: on

RELATIONSHIPS: dict[str, RelType] = {r.type: r for r in _REL_LIST}


def node(label: str) -> NodeType:
    try:
        return NODES[label]
    except KeyError:
        raise SchemaError(f"unknown node label {label!r}") from None


def relationship(type_: str) -> RelType:
    try:
        return RELATIONSHIPS[type_]
    except KeyError:
        raise SchemaError(f"unknown relationship type {type_!r}") from None


def check() -> None:
    """Fail loudly if the schema contradicts itself (run by the tests)."""
    for n in NODES.values():
        names = [p.name for p in n.props]
        if len(names) != len(set(names)):
            raise SchemaError(f"{n.label} declares a property twice")
        if not n.has(n.key) or not n.has(n.caption):
            raise SchemaError(f"{n.label}: key or caption is not a declared property")
    for r in RELATIONSHIPS.values():
        for lab in (*r.sources, *r.targets):
            if lab not in NODES:
                raise SchemaError(f"{r.type} names unknown label {lab}")


def key_privacy(label: str) -> Privacy:
    """Privacy class of a label's key: what a finding's subject of that label is.

    An unknown label counts as an identifier, so that what cannot be told is masked.

    >>> [str(key_privacy(label)) for label in ("Person", "Payment", "")]
    ['identifier', 'public', 'identifier']
    """
    n = NODES.get(label)
    return Privacy.IDENTIFIER if n is None else n.prop(n.key).privacy


def privacy_of(label: str, prop: str) -> Privacy:
    """Privacy class of a node property; undeclared (extra register columns) count as personal."""
    n = NODES.get(label)
    if n is not None:
        for p in n.props:
            if p.name == prop:
                return p.privacy
    return Privacy.PERSONAL


def to_json() -> dict[str, Any]:
    """The schema as plain data: the explorer's legend and the API's /schema."""
    return {
        "nodes": [
            {
                "label": n.label,
                "zh": n.zh,
                "key": n.key,
                "caption": n.caption,
                "color": n.color,
                "icon": n.icon,
                "description": n.description,
                "properties": [_prop_json(p) for p in n.props],
            }
            for n in NODES.values()
        ],
        "relationships": [
            {
                "type": r.type,
                "zh": r.zh,
                "verb_zh": r.verb_zh,
                "sources": list(r.sources),
                "targets": list(r.targets),
                "temporal": r.temporal,
                "description": r.description,
                "properties": [_prop_json(p) for p in r.props],
            }
            for r in RELATIONSHIPS.values()
        ],
    }


def _prop_json(p: Prop) -> dict[str, Any]:
    return {"name": p.name, "type": str(p.type), "privacy": str(p.privacy), "zh": p.zh}


def markdown_table() -> str:
    """The schema as Markdown, included in the README (a test keeps them in step)."""
    out = ["| label | 中文 | key | properties (privacy) |", "|---|---|---|---|"]
    for n in NODES.values():
        props = ", ".join(
            f"{p.name}" + ("" if p.privacy is Privacy.PUBLIC else f" ({p.privacy})")
            for p in n.props
            if p not in COMMON_PROPS and p is not COMMUNITY
        )
        out.append(f"| {n.label} | {n.zh} | `{n.key}` | {props} |")
    out += [
        "",
        "| relationship | 中文 | from → to | properties | validity period |",
        "|---|---|---|---|---|",
    ]
    for r in RELATIONSHIPS.values():
        own = [p.name for p in r.props if p not in COMMON_PROPS and p not in VALIDITY_PROPS]
        ends = f"{'/'.join(r.sources)} → {'/'.join(r.targets) if r.type != 'CONCERNS' else 'any'}"
        out.append(
            f"| {r.type} | {r.zh} | {ends} | {', '.join(own)} | {'yes' if r.temporal else ''} |"
        )
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
