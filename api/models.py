"""Response models; labels and relationship types are enumerated from the schema."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from graph import schema as sch

LABELS = list(sch.NODES)
REL_TYPES = list(sch.RELATIONSHIPS)
LabelStr = Annotated[str, Field(json_schema_extra={"enum": LABELS})]
RelTypeStr = Annotated[str, Field(json_schema_extra={"enum": REL_TYPES})]


class NodeOut(BaseModel):
    """A node as this caller may see it."""

    ref: str = Field(description="opaque reference: use it in URLs (`~…`)")
    label: LabelStr
    key: Any = Field(description="natural key; masked when the role may not see it")
    caption: str | None = Field(description="what to call it on screen")
    properties: dict[str, Any] = Field(description="properties the role may see (masked ones too)")
    masked: list[str] = Field(description="properties shown masked")
    withheld: list[str] = Field(description="properties left out for this role")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "ref": "~q0f3…",
                    "label": "Person",
                    "key": "430422********123X",
                    "caption": "张三",
                    "properties": {"name": "张三", "id_number": "430422********123X"},
                    "masked": ["id_number"],
                    "withheld": [],
                }
            ]
        }
    }


class RelOut(BaseModel):
    type: RelTypeStr
    start: str = Field(description="ref of the start node")
    end: str = Field(description="ref of the end node")
    properties: dict[str, Any]


class Subgraph(BaseModel):
    nodes: list[NodeOut]
    relationships: list[RelOut]


class Neighbourhood(Subgraph):
    start: str = Field(description="ref of the node expanded")
    truncated: bool = Field(description="true when the limit cut the expansion short")
    more: dict[str, int] = Field(
        description="neighbours not returned, by label: 'and 2,314 more Disbursement'",
        examples=[{"Disbursement": 2314}],
    )


class SearchHit(BaseModel):
    node: NodeOut
    match: str = Field(
        description="exact_key, exact_name, prefix, pinyin, infix, initials, fulltext"
    )
    field: str
    score: float


class SearchPage(BaseModel):
    items: list[SearchHit]
    page: int
    size: int
    has_more: bool
    total: int = Field(description="matches found (at most `total_cap`)")
    total_capped: bool


class Provenance(BaseModel):
    # "register" would shadow a BaseModel attribute: the field has another name, same JSON.
    register_name: str = Field(alias="register")
    row: int | None
    source: str = Field(description="the raw 'register#row' entry")


class FindingSummary(BaseModel):
    finding_id: str
    ref: str
    pattern: str
    severity: str
    title: str | None
    explanation: str | None = Field(description="Chinese sentence; null when withheld")
    subjects: list[str] = Field(description="natural keys involved, masked per role")
    score: float | None
    status: str
    note: str | None
    division_code: str | None
    division_name: str | None = Field(
        None, description="the division's name (a village with its township)"
    )
    lead_id: str | None = Field(None, description="the lead (线索) the finding belongs to")
    detected_at: str | None
    concerns: list[NodeOut] = Field(description="the subjects in the caller's scope")


class RiskComponent(BaseModel):
    kind: str = Field(description="finding, exposure, …")
    name: str
    value: float
    detail: str | None = None


class RiskOut(BaseModel):
    score: float = Field(description="0..1")
    components: list[RiskComponent]
    method: str


class CommunityBrief(BaseModel):
    id: int
    size: int | None = Field(default=None, description="members in the caller's scope")


class EntityOut(BaseModel):
    node: NodeOut
    provenance: list[Provenance]
    findings: list[FindingSummary]
    community: CommunityBrief | None
    risk: RiskOut


class PathHop(BaseModel):
    start: str
    end: str
    type: RelTypeStr
    text: str = Field(description="the hop in words, e.g. '张三 拥有 湘D·A****'")


class PathOut(BaseModel):
    length: int
    nodes: list[NodeOut]
    relationships: list[RelOut]
    hops: list[PathHop]


class PathsOut(BaseModel):
    paths: list[PathOut]
    truncated: bool = Field(description="the search stopped at its node budget")
    explored: int


class TriageOut(BaseModel):
    at: str
    user: str
    old_status: str | None
    new_status: str
    note: str | None


class FindingDetail(FindingSummary):
    evidence: Subgraph | None
    evidence_status: str = Field(description="stored, computed, not_reproduced")
    redacted: int = Field(description="evidence nodes outside the caller's scope, left out")
    history: list[TriageOut]


class FindingsPage(BaseModel):
    items: list[FindingSummary]
    page: int
    size: int
    total: int


class CommunityOut(BaseModel):
    id: int
    size: int = Field(
        description="entities in the caller's scope (findings and complaints not counted)"
    )
    by_label: dict[str, int]
    findings: int = Field(
        description="findings about its members; only those in scope when it reaches beyond"
    )
    risk: float | None = Field(
        description="the community's score; null when it reaches beyond the caller's divisions"
    )
    explanation: str | None = None


class CommunitiesPage(BaseModel):
    items: list[CommunityOut]
    page: int
    size: int
    has_more: bool


class CommunityDetail(CommunityOut):
    subgraph: Subgraph
    truncated: bool
    top_findings: list[FindingSummary]


class ParamOut(BaseModel):
    name: str
    type: str
    default: Any
    help: str


class PatternOut(BaseModel):
    id: str
    title_zh: str
    title_en: str
    severity: str
    description: str
    explanation: str
    params: list[ParamOut]


class RunOut(BaseModel):
    pattern: str
    params: dict[str, Any]
    count: int = Field(description="findings in the caller's scope")
    truncated: bool
    findings: list[FindingSummary]


class QueryOut(BaseModel):
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool


class ComplaintOut(BaseModel):
    node: NodeOut
    accept_due: str | None
    close_due: str | None
    deadline_status: str = Field(
        description="awaiting_acceptance, acceptance_overdue, open, closure_overdue, "
        "closed_on_time, closed_late, unknown"
    )
    accepted_late: bool
    days_overdue: int


class ComplaintsPage(BaseModel):
    items: list[ComplaintOut]
    page: int
    size: int
    has_more: bool
    as_of: str


class AuditOut(BaseModel):
    id: int
    at: str
    user: str | None
    role: str | None
    method: str
    endpoint: str
    path: str
    params: dict[str, Any]
    purpose: str | None
    status: int
    returned_keys: list[str]


class AuditPage(BaseModel):
    items: list[AuditOut]
    page: int
    size: int
    has_more: bool


class HealthOut(BaseModel):
    ok: bool
    engine: str
    version: str
    api: str
    load: Literal["complete", "partial"] = Field(
        "complete",
        description="partial while a load runs, or after one stopped part way, until a load "
        "completes (`guanxi load`): answers may then miss registers",
    )
    load_since: str | None = Field(None, description="when the unfinished load started (UTC)")


class JudgementOut(BaseModel):
    mention: str
    person: NodeOut
    judgement: Literal["confirmed", "rejected"]


class SchemaProp(BaseModel):
    name: str
    type: str
    privacy: Literal["public", "personal", "identifier", "confidential"]
    zh: str


class SchemaNode(BaseModel):
    label: str
    zh: str
    key: str
    caption: str
    color: str
    icon: str
    description: str
    properties: list[SchemaProp]


class SchemaRel(BaseModel):
    type: str
    zh: str
    verb_zh: str
    sources: list[str]
    targets: list[str]
    temporal: bool
    description: str
    properties: list[SchemaProp]


class SchemaOut(BaseModel):
    nodes: list[SchemaNode]
    relationships: list[SchemaRel]
