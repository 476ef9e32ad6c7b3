"""A case as JSON for the caller (masking, the ``can`` block) and as a printable report."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from api.present import Presenter
from api.workflow import rules as R
from api.workflow.cases import Workflow, view
from api.workflow.models import Case, CaseEvent, CaseLink, Disposition
from graph.export.markup import esc
from graph.export.svg import neighbourhood_svg
from graph.queries import cases as gc
from graph.queries.findings import yuan
from graph.store import GraphStore

_LINK_LABEL = {"lead": "Lead", "finding": "Finding", "complaint": "Complaint"}


_BOARD_NAMES = (
    "case_no", "title", "division_code", "state", "source", "assignee", "received",
    "accepted", "closed", "accept_due", "close_due", "extensions",
    "extension_requested_by", "version",
)  # fmt: skip
BOARD_COLUMNS = tuple(getattr(Case, name) for name in _BOARD_NAMES)
# Reading a field of a SQLAlchemy Row by name costs ~1.5 us; of a namedtuple, ~50 ns:
# twelve fields of a thousand cases make the difference on the board.
BoardRow = namedtuple("BoardRow", _BOARD_NAMES)  # type: ignore[misc]


def board_rows(rows: Iterable[Any]) -> list[Any]:
    make = BoardRow._make
    return [make(r) for r in rows]


def row(wf: Workflow, c: Any, as_of: str, names: Mapping[str, str]) -> dict[str, Any]:
    """A case (a Case or a row of :data:`BOARD_COLUMNS`) as the board lists it."""
    return {
        "case_no": c.case_no,
        "title": c.title,
        "division_code": c.division_code,
        "division_name": names.get(c.division_code),
        "state": c.state,
        "state_zh": R.STATE_ZH[c.state],
        "source": c.source,
        "assignee": c.assignee,
        "received": c.received,
        "accepted": c.accepted,
        "closed": c.closed,
        "extensions": c.extensions,
        "extension_pending": c.extension_requested_by is not None,
        "due": wf.due(c, as_of),
        "version": c.version,
    }


def link_titles(store: GraphStore, links: Sequence[CaseLink]) -> dict[tuple[str, str], str]:
    by_label: dict[str, list[str]] = {}
    for ln in links:
        label = _LINK_LABEL.get(ln.kind)
        if label is not None:
            by_label.setdefault(label, []).append(ln.ref)
    return {
        (label, key): title
        for label, refs in by_label.items()
        for key, title in gc.titles(store, label, refs).items()
    }


def event_json(e: CaseEvent) -> dict[str, Any]:
    return {
        "at": e.at,
        "on": e.on,
        "user": e.user_name,
        "role": e.role,
        "action": e.action,
        "action_zh": R.ACTION_ZH.get(e.action, e.action),
        "from_state": e.from_state,
        "to_state": e.to_state,
        "reason": e.reason,
        "details": dict(e.details or {}),
    }


def disposition_json(p: Presenter, d: Disposition) -> dict[str, Any]:
    shown, _, _ = p.properties("Person", {"name": d.person_name})
    p.note("Person", d.person_id)
    return {
        "person": p.key("Person", d.person_id),
        "person_ref": p.ref("Person", d.person_id),
        "person_name": shown.get("name"),
        "kind": d.kind,
        "measure": d.measure,
        "decided": d.decided,
        "note": p.text(d.note),
        "recorded_by": d.recorded_by,
    }


def case_json(
    wf: Workflow,
    s: Session,
    store: GraphStore,
    c: Case,
    actor: R.Actor,
    p: Presenter,
    as_of: str,
    names: Mapping[str, str],
) -> dict[str, Any]:
    links = wf.links(s, c)
    titles = link_titles(store, links)
    out = row(wf, c, as_of, names)
    out.update(
        {
            "rejected_reason": c.rejected_reason,
            "outcome": c.outcome,
            "amount_involved": c.amount_involved,
            "amount_recovered": c.amount_recovered,
            "summary": p.text(c.summary),
            "public_outcome": c.public_outcome,
            "extension_requested_by": c.extension_requested_by,
            "extension_reason": c.extension_reason,
            "opened_by": c.opened_by,
            "opened_at": c.opened_at,
            "approver_division": R.parent_division(c.division_code),
            "links": [
                {
                    "kind": ln.kind,
                    "id": ln.ref,
                    "ref": p.ref(_LINK_LABEL[ln.kind], ln.ref) if ln.kind in _LINK_LABEL else None,
                    "title": _link_title(p, ln, titles),
                    "added_at": ln.added_at,
                    "added_by": ln.added_by,
                }
                for ln in links
            ],
            "dispositions": [disposition_json(p, d) for d in wf.dispositions(s, c)],
            "timeline": [event_json(e) for e in wf.events(s, c)],
            "can": R.can(actor, view(c), wf.rules.max_extensions),
            "report": f"/api/v1/cases/{c.case_no}/report",
        }
    )
    out["title"] = p.text(c.title)
    p.note("Case", c.case_no)
    return out


def _link_title(p: Presenter, ln: CaseLink, titles: Mapping[tuple[str, str], str]) -> str | None:
    label = _LINK_LABEL.get(ln.kind)
    t = titles.get((label, ln.ref)) if label else None
    if t is None:
        return None
    if label == "Finding":
        return t
    return p.text(t)


def report_html(
    case: Mapping[str, Any],
    graph: Mapping[str, Any],
    centre: Mapping[str, Any] | None,
    findings: Sequence[Mapping[str, Any]],
) -> str:
    """A self-contained page (no outside URL) the browser prints to PDF."""
    svg = neighbourhood_svg(graph, centre, width=520, height=420) if centre else ""
    due = case["due"]
    facts = [
        ("案件编号", case["case_no"]),
        ("案由", case.get("title")),
        ("承办区划", f"{case.get('division_name') or ''}（{case['division_code']}）"),
        ("状态", case["state_zh"]),
        ("承办人", case.get("assignee")),
        ("收到日期", case["received"]),
        ("受理期限", due.get("accept_due")),
        ("受理日期", case.get("accepted")),
        ("办结期限", due.get("close_due")),
        ("延期", f"已批准{case['extensions']}次" if case["extensions"] else "无"),
        ("办结日期", case.get("closed")),
        ("办理结果", case.get("outcome") or case.get("rejected_reason")),
        (
            "涉案金额",
            yuan(case["amount_involved"]) if case.get("amount_involved") is not None else None,
        ),
        (
            "追缴金额",
            yuan(case["amount_recovered"]) if case.get("amount_recovered") is not None else None,
        ),
    ]
    kv = "".join(
        f"<tr><th>{esc(k)}</th><td>{esc(v if v is not None else '—')}</td></tr>" for k, v in facts
    )
    timeline = "".join(
        f"<tr><td>{esc(e['on'] or e['at'][:10])}</td><td>{esc(e['action_zh'])}</td>"
        f"<td>{esc(e['user'])}</td><td>{esc(e.get('reason') or '')}</td></tr>"
        for e in case["timeline"]
    )
    disp = (
        "".join(
            f"<tr><td>{esc(d.get('person_name') or d['person'])}</td><td>{esc(d['kind'])}</td>"
            f"<td>{esc(d.get('measure') or '')}</td><td>{esc(d['decided'])}</td></tr>"
            for d in case["dispositions"]
        )
        or "<tr><td colspan=4>无</td></tr>"
    )
    fnd = (
        "".join(
            f"<li><b>{esc(f.get('title'))}</b>：{esc(f.get('explanation') or '')}</li>"
            for f in findings
        )
        or "<li>无</li>"
    )
    links = "".join(
        f"<li>{esc(ln['kind'])} {esc(ln['id'])} {esc(ln.get('title') or '')}</li>"
        for ln in case["links"]
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>案件报告 {esc(case["case_no"])}</title>
<style>
body {{ font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #222; }}
h1 {{ font-size: 1.5em; }}
h2 {{ font-size: 1.15em; border-bottom: 1px solid #999; margin-top: 1.6em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f2f2f2; width: 9em; }}
.graph {{ text-align: center; }}
@media print {{ body {{ margin: 0; }} h2 {{ break-after: avoid; }} }}
</style></head><body>
<h1>案件办理报告 · {esc(case["case_no"])}</h1>
<table>{kv}</table>
<h2>关系图</h2><div class="graph">{svg}</div>
<h2>线索与疑点</h2><ul>{fnd}</ul>
<h2>关联材料</h2><ul>{links}</ul>
<h2>办理过程</h2><table><tr><th>日期</th><th>事项</th><th>办理人</th><th>说明</th></tr>{timeline}</table>
<h2>处理处分</h2><table><tr><th>人员</th><th>类别</th><th>种类</th><th>决定日期</th></tr>{disp}</table>
<p style="margin-top:2em;color:#666">guanxi 生成 · 内部资料，注意保密</p>
</body></html>"""
