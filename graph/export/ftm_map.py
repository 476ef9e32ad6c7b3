"""How guanxi's schema maps onto FollowTheMoney's, as data (see ``graph.export.ftm``).

``REQUIRED`` and ``ENTITY_PROPS`` restate what FtM's published model says about the
schemata used here, so exporting does not import ``followthemoney``; the tests check them
against the model.
"""

from __future__ import annotations

import re

NODE_SCHEMA: dict[str, str] = {
    "Person": "Person",
    "Mention": "Person",
    "Enterprise": "Company",
    "Organisation": "PublicBody",
    "Division": "PublicBody",
    "Program": "PublicBody",
    "School": "Organization",
    "Post": "Position",
    "Contract": "Contract",
    "RealEstate": "RealEstate",
    "Vehicle": "Vehicle",
    "BankAccount": "BankAccount",
    "Disbursement": "Payment",
    "Payment": "Payment",
    "Income": "Payment",
    "Finding": "Note",
}
THINGS = frozenset(NODE_SCHEMA.values()) - {"Payment"}  # what an UnknownLink/Note may name

# guanxi property → FtM property, with how the value is converted.
PROPS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "Person": (
        ("name", "name", ""),
        ("id_number", "idNumber", ""),
        ("gender", "gender", "g"),
        ("birth_date", "birthDate", ""),
        ("death_date", "deathDate", ""),
        ("address", "address", ""),
        ("phone", "phone", "tel"),
    ),
    "Mention": (("name", "name", ""), ("context", "description", "")),
    "Enterprise": (
        ("name", "name", ""),
        ("uscc", "uscCode", ""),
        ("uscc", "registrationNumber", ""),
        ("kind", "legalForm", ""),
        ("industry", "sector", ""),
        ("address", "address", ""),
        ("phone", "phone", "tel"),
        ("established", "incorporationDate", ""),
        ("deregistered", "dissolutionDate", ""),
        ("status", "status", ""),
        ("registered_capital", "capital", "yuan"),
    ),
    "Organisation": (("name", "name", ""),),
    "Division": (
        ("name", "name", ""),
        ("level", "classification", ""),
        ("code", "description", "区划代码 {}"),
    ),
    "Program": (("department", "name", ""), ("name", "description", "民生资金项目：{}")),
    "School": (("name", "name", ""),),
    "Post": (
        ("kind", "keywords", ""),  # the name is "organisation position", see ftm.py
    ),
    "Contract": (
        ("project_name", "title", ""),
        ("project_name", "name", ""),
        ("contract_id", "procedureNumber", ""),
        ("amount", "amount", "yuan"),
        ("signed", "contractDate", ""),
        ("procurement", "method", ""),
        ("department", "description", "主管部门：{}"),
    ),
    "RealEstate": (
        ("cert_no", "titleNumber", ""),
        ("address", "address", ""),
        ("usage", "propertyType", ""),
        ("area_m2", "area", ""),
        ("registered", "createDate", ""),
    ),
    "Vehicle": (
        ("plate", "name", ""),
        ("plate", "registrationNumber", ""),
        ("vehicle_type", "type", ""),
        ("brand", "model", ""),
        ("registered", "registrationDate", ""),
        ("deregistered", "deregistrationDate", ""),
    ),
    "BankAccount": (("account_no", "accountNumber", ""), ("account_no", "name", "")),
    "Disbursement": (
        ("record_id", "transactionNumber", ""),
        ("amount", "amount", "yuan"),
        ("paid_date", "date", ""),
        ("period", "startDate", ""),
    ),
    "Payment": (
        ("voucher_no", "transactionNumber", ""),
        ("amount", "amount", "yuan"),
        ("paid_date", "date", ""),
        ("purpose", "purpose", ""),
    ),
    "Income": (
        ("voucher_no", "transactionNumber", ""),
        ("amount", "amount", "yuan"),
        ("received_date", "date", ""),
        ("source", "purpose", ""),
    ),
    "Finding": (("title", "name", ""), ("explanation", "description", "")),
}
CN_SCHEMATA = {"Person", "Company", "PublicBody", "Organization", "RealEstate", "Position"}

# Relationship → (schema, property for the start node, property for the end node).
LINKS: dict[str, tuple[str, str, str]] = {
    "HOLDS": ("Occupancy", "holder", "post"),
    "OWNS": ("Ownership", "owner", "asset"),
    "RELATIVE_OF": ("Family", "person", "relative"),
    "LEGAL_REP_OF": ("Directorship", "director", "organization"),
    "AWARDED_TO": ("ContractAward", "contract", "supplier"),
    "RESOLVED_TO": ("UnknownLink", "subject", "object"),
}
# Relationship → property set on the start node's entity, pointing at the end node.
FILLS: dict[tuple[str, str], str] = {
    ("POST_AT", "Post"): "organization",
    ("SUPERVISED_BY", "Contract"): "authority",
    ("UNDER", "Disbursement"): "payer",
    ("INTO_ACCOUNT", "Disbursement"): "beneficiaryAccount",
    ("PAID_BY", "Payment"): "payer",
    ("PAID_TO", "Payment"): "beneficiary",
    ("FOR_CONTRACT", "Payment"): "contract",
    ("RECEIVED_BY", "Income"): "beneficiary",
    ("PAID_IN_BY", "Income"): "payer",
    ("CONCERNS", "Finding"): "entity",
}
# Checked against the FtM model by the tests.
REQUIRED: dict[str, tuple[str, ...]] = {
    "Person": ("name",), "Company": ("name",), "PublicBody": ("name",),
    "Organization": ("name",), "Position": ("name",), "Contract": ("title",),
    "Payment": ("payer", "beneficiary"), "Ownership": ("owner", "asset"),
    "Directorship": ("director", "organization"), "Membership": ("member", "organization"),
    "Family": ("person", "relative"), "Occupancy": ("holder", "post"),
    "ContractAward": ("supplier", "contract"), "UnknownLink": ("subject", "object"),
}  # fmt: skip
ENTITY_PROPS = frozenset(
    {"payer", "beneficiary", "beneficiaryAccount", "contract", "owner", "asset", "director"}
    | {"organization", "member", "person", "relative", "holder", "post", "supplier"}
    | {"subject", "object", "entity", "authority"}
)
SHARE_ROLE = re.compile("股东|出资|投资人")
MEMBER_ROLE = re.compile("成员|社员")
