"""Who may do what, and who may see which class of property: the role matrix as data.

``docs/api.md`` prints this matrix; a test checks that the two agree.

>>> allowed(Role.INVESTIGATOR, Cap.TRIAGE), allowed(Role.ANALYST, Cap.TRIAGE)
(True, False)
>>> view(Role.INVESTIGATOR, Privacy.IDENTIFIER), view(Role.ANALYST, Privacy.IDENTIFIER)
(<View.MASK: 'mask'>, <View.SHOW: 'show'>)
"""

from __future__ import annotations

from enum import StrEnum

from graph.schema import Privacy


class Role(StrEnum):
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"
    API_CONSUMER = "api_consumer"
    COMPLAINT_HANDLER = "complaint_handler"
    ADMIN = "admin"


class Cap(StrEnum):
    """Capabilities; each endpoint requires one."""

    READ_GRAPH = "read_graph"  # schema, search, entities, neighbours, paths
    READ_FINDINGS = "read_findings"  # findings, finding evidence
    TRIAGE = "triage"  # PATCH /findings/{id}
    COMMUNITIES = "communities"
    PATTERNS = "patterns"  # list the pattern library
    RUN_PATTERNS = "run_patterns"  # POST /patterns/{id}/run
    QUERY = "query"  # POST /query (read-only Cypher)
    EXPORT = "export"
    DOSSIER = "dossier"
    COMPLAINTS = "complaints"
    JUDGE_MENTIONS = "judge_mentions"  # confirm / reject entity-resolution links
    AUDIT = "audit"  # GET /audit
    ADMINISTER = "administer"  # rebuild the search index
    CASES = "cases"  # leads, the case board, a case with its timeline, its report
    HANDLE_CASES = "handle_cases"  # open cases, move them through their states, dispositions
    APPROVE_EXTENSIONS = "approve_extensions"  # for cases one division level down
    CASE_STATS = "case_stats"  # handling statistics per division and period, XLSX


R, C = Role, Cap
MATRIX: dict[Role, frozenset[Cap]] = {
    R.INVESTIGATOR: frozenset(
        {
            C.READ_GRAPH,
            C.READ_FINDINGS,
            C.TRIAGE,
            C.COMMUNITIES,
            C.PATTERNS,
            C.EXPORT,
            C.DOSSIER,
            C.COMPLAINTS,
            C.JUDGE_MENTIONS,
            C.CASES,
            C.HANDLE_CASES,
            C.APPROVE_EXTENSIONS,
            C.CASE_STATS,
        }
    ),
    R.ANALYST: frozenset(
        {
            C.READ_GRAPH,
            C.READ_FINDINGS,
            C.COMMUNITIES,
            C.PATTERNS,
            C.RUN_PATTERNS,
            C.QUERY,
            C.EXPORT,
            C.DOSSIER,
            C.JUDGE_MENTIONS,
            C.CASES,
            C.CASE_STATS,
        }
    ),
    # Another system (the province's supervision platform, a dashboard): findings and
    # statistics, public data; no personal data, identifiers masked.
    R.API_CONSUMER: frozenset(
        {C.READ_GRAPH, C.READ_FINDINGS, C.COMMUNITIES, C.PATTERNS, C.EXPORT, C.CASE_STATS}
    ),
    # Handles reports from the public: the only role that sees who reported. Registers
    # complaints, accepts or declines them (受理 / 不予受理) and follows their cases.
    R.COMPLAINT_HANDLER: frozenset(
        {C.READ_GRAPH, C.PATTERNS, C.COMPLAINTS, C.CASES, C.HANDLE_CASES, C.CASE_STATS}
    ),
    R.ADMIN: frozenset(set(Cap)),
}


class View(StrEnum):
    SHOW = "show"
    MASK = "mask"  # identifiers: graph.ids.mask, e.g. 430422********1234
    WITHHOLD = "withhold"  # left out of the response; named in ``withheld``


_PRIVACY: dict[Role, dict[Privacy, View]] = {
    R.INVESTIGATOR: {Privacy.IDENTIFIER: View.MASK, Privacy.CONFIDENTIAL: View.WITHHOLD},
    # Analysts write Cypher (POST /query) and could read any identifier through it, so
    # masking their other responses would only pretend; they see identifiers.
    R.ANALYST: {Privacy.CONFIDENTIAL: View.WITHHOLD},
    R.API_CONSUMER: {
        Privacy.PERSONAL: View.WITHHOLD,
        Privacy.IDENTIFIER: View.MASK,
        Privacy.CONFIDENTIAL: View.WITHHOLD,
    },
    R.COMPLAINT_HANDLER: {Privacy.IDENTIFIER: View.MASK},
    # Admins read the audit log, whose returned keys are identifiers; they see them.
    # Whistleblowers stay with the complaint handlers, even for admins.
    R.ADMIN: {Privacy.CONFIDENTIAL: View.WITHHOLD},
}


def allowed(role: Role, cap: Cap) -> bool:
    return cap in MATRIX[role]


def view(role: Role, privacy: Privacy) -> View:
    return _PRIVACY[role].get(privacy, View.SHOW)


def sees_identifiers(role: Role) -> bool:
    return view(role, Privacy.IDENTIFIER) is View.SHOW


def sees_confidential(role: Role) -> bool:
    return view(role, Privacy.CONFIDENTIAL) is View.SHOW


def sees_personal(role: Role) -> bool:
    return view(role, Privacy.PERSONAL) is View.SHOW


def markdown_matrix() -> str:
    """The matrix as Markdown, for docs/api.md (a test keeps them in step)."""
    roles = list(Role)
    out = ["| capability | " + " | ".join(r.value for r in roles) + " |"]
    out.append("|---" * (len(roles) + 1) + "|")
    for cap in Cap:
        cells = ["✓" if allowed(r, cap) else "" for r in roles]
        out.append(f"| {cap.value} | " + " | ".join(cells) + " |")
    out.append("")
    out.append("| privacy class | " + " | ".join(r.value for r in roles) + " |")
    out.append("|---" * (len(roles) + 1) + "|")
    for p in Privacy:
        out.append(f"| {p.value} | " + " | ".join(view(r, p).value for r in roles) + " |")
    return "\n".join(out) + "\n"
