"""Risk results and how they read: ranked communities and scored entities, each with a
one-line explanation in Chinese, and the table ``guanxi communities`` prints.

:mod:`graph.algorithms.risk` computes them; this module holds their shape and their text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from graph.algorithms.facts import SEVERITY_POINTS, Facts
from graph.algorithms.projection import Projection

_SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}


@dataclass(frozen=True)
class Component:
    name: str
    zh: str
    value: float
    weight: float
    contribution: float


@dataclass(eq=False)
class CommunityRisk:
    """One ranked community: its score, the components behind it and who is in it."""

    rank: int
    community: int
    score: float
    entities: int
    size_factor: float
    components: list[Component]
    members: npt.NDArray[np.int64]
    findings: dict[str, int] = field(default_factory=dict)
    explanation: str = ""
    leading: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)  # every member as "Label:key"

    def component(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "community": self.community,
            "score": self.score,
            "entities": self.entities,
            "size_factor": self.size_factor,
            "components": [c.__dict__ for c in self.components],
            "findings": self.findings,
            "explanation": self.explanation,
            "leading": self.leading,
            "nodes": self.nodes,
        }


@dataclass(eq=False)
class EntityRisk:
    node: str
    caption: str
    score: float
    own: float
    exposure: float
    by_hop: list[float]
    findings: list[dict[str, Any]]
    nearest: list[tuple[str, str, int]]  # (node id, caption, hops) of nearest finding subjects
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def explain_community(proj: Projection, facts: Facts, r: CommunityRisk) -> str:
    off = [int(v) for v in r.members if facts.official[v]]
    parts = []
    if off:
        names = proj.captions(off[:2])
        who = "、".join(
            f"{n} {facts.positions.get(v, '')}".strip() for n, v in zip(names, off[:2], strict=True)
        )
        parts.append(f"公职人员/村干部{len(off)}人（{who}{'等' if len(off) > 2 else ''}）")
    val = {c.name: c.value for c in r.components}
    if val["contractors"]:
        parts.append(f"承包方{val['contractors']:.0f}个")
    if val["contract_value"]:
        parts.append(f"合同金额{val['contract_value']:.1f}万元")
    if val["recipients"]:
        parts.append(f"领取补贴者{val['recipients']:.0f}人")
    if r.findings:
        zh = _SEVERITY_ZH
        sev = "、".join(
            f"{zh.get(s, s)}{n}"
            for s, n in sorted(r.findings.items(), key=lambda x: -SEVERITY_POINTS.get(x[0], 0))
        )
        parts.append(f"疑点{sum(r.findings.values())}条（{sev}）")
    if val["complaints"]:
        parts.append(f"举报{val['complaints']:.0f}件")
    flag = "；干部与承包方同处一个社区" if val["official_and_contractor"] else ""
    damp = f"，规模折算÷{r.size_factor:.2f}" if r.size_factor > 1 else ""
    return (
        f"社区{r.community}（{r.entities}个对象）：{'、'.join(parts) or '无风险要素'}"
        f"{flag}；得分{r.score:.2f}{damp}"
    )


def community_table(ranked: Sequence[CommunityRisk]) -> Any:
    """A rich ``Table`` of ranked communities, for ``guanxi communities``."""
    from rich.table import Table

    table = Table(title="风险社区排名", show_lines=False)
    for col in (
        "排名",
        "社区",
        "得分",
        "对象数",
        "干部",
        "承包方",
        "合同(万元)",
        "疑点",
        "举报",
        "说明",
    ):
        table.add_column(col, justify="left" if col == "说明" else "right")
    for r in ranked:
        v = {c.name: c.value for c in r.components}
        table.add_row(
            str(r.rank),
            str(r.community),
            f"{r.score:.2f}",
            str(r.entities),
            f"{v['officials']:.0f}",
            f"{v['contractors']:.0f}",
            f"{v['contract_value']:.1f}",
            str(sum(r.findings.values())),
            f"{v['complaints']:.0f}",
            r.explanation,
        )
    return table


def explain_entity(r: EntityRisk) -> str:
    zh = _SEVERITY_ZH
    own = "无自身疑点"
    if r.findings:
        sev = "、".join(f"{zh.get(str(f['severity']), f['severity'])}" for f in r.findings)
        own = f"自身涉及疑点{len(r.findings)}条（{sev}），计{r.own:.1f}分"
    hops = "、".join(f"{k}跳{x:.2f}" for k, x in enumerate(r.by_hop, start=1) if x > 0.005)
    exp = f"网络暴露{r.exposure:.2f}分（{hops}）" if hops else "网络暴露0分"
    near = "、".join(f"{c}（{h}跳）" for _, c, h in r.nearest)
    near = f"；最近的疑点对象：{near}" if near else ""
    return f"{r.caption}：{own}；{exp}{near}；总分{r.score:.2f}"
