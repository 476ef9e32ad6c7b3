"""The case states, what moves a case between them, and who may: as data and one guard.

The same :func:`refusal` answers both "may this caller do this now?" for the ``can``
block the explorer draws its buttons from, and the check a transition makes before it
writes; so a button is shown exactly when pressing it would succeed (dates and fields
aside).

>>> TRANSITIONS["accept"], TRANSITIONS["close"]
(('received',), ('in_progress',))
>>> parent_division("430422101201"), parent_division("430422"), parent_division("43")
('430422101', '4304', None)
"""

from __future__ import annotations

from dataclasses import dataclass

from api.policy import Cap, Role, allowed
from api.scope import Scope

STATES = ("received", "accepted", "rejected", "in_progress", "closed")
OPEN_STATES = ("received", "accepted", "in_progress")
STATE_ZH = {
    "received": "待受理",
    "accepted": "已受理",
    "rejected": "不予受理",
    "in_progress": "办理中",
    "closed": "已办结",
}
OUTCOMES = ("查实", "部分属实", "不属实")
SUBSTANTIATED = ("查实", "部分属实")
# Dispositions per person. 党纪处分 takes one of the five measures of the party's
# disciplinary regulations; 政务处分 one of the six of the law on governmental sanctions.
PARTY_MEASURES = ("警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍")
GOVERNMENT_MEASURES = ("警告", "记过", "记大过", "降级", "撤职", "开除")
DISPOSITION_KINDS = ("党纪处分", "政务处分", "诫勉谈话", "批评教育", "移送司法机关")
MEASURES = {"党纪处分": PARTY_MEASURES, "政务处分": GOVERNMENT_MEASURES}

# action -> the states it may start from; its target state (None: the state stays).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "accept": ("received",),
    "reject": ("received",),
    "start": ("accepted",),
    "request_extension": ("accepted", "in_progress"),
    "approve_extension": ("accepted", "in_progress"),
    "refuse_extension": ("accepted", "in_progress"),
    "close": ("in_progress",),
    "assign": OPEN_STATES,
    "dispose": ("in_progress", "closed"),
    "link": OPEN_STATES,
}
TARGET: dict[str, str | None] = {
    "accept": "accepted",
    "reject": "rejected",
    "start": "in_progress",
    "close": "closed",
}
ACTION_ZH = {
    "open": "立案登记",
    "accept": "受理",
    "reject": "不予受理",
    "start": "开始办理",
    "request_extension": "申请延期",
    "approve_extension": "批准延期",
    "refuse_extension": "不批准延期",
    "close": "办结",
    "assign": "指定承办人",
    "dispose": "作出处理",
    "link": "关联",
    "merge": "合并举报",
}
ACTIONS = tuple(TRANSITIONS)


def parent_division(code: str) -> str | None:
    """The division one level up: village (12) → township (9) → county (6) → city (4)
    → province (2); None above the province."""
    for size, up in ((12, 9), (9, 6), (6, 4), (4, 2)):
        if len(code) == size:
            return code[:up]
    return None


def handling_division(code: str, prefixes: tuple[str, ...]) -> str:
    """The commission that handles a matter found in division ``code``: the caller's own
    level (a county investigator's case about a village is the county's case); a caller
    with every division in scope handles at county level.

    >>> handling_division("430422101201", ("430422",)), handling_division("430422101201", ("",))
    ('430422', '430422')
    """
    covering = [p for p in prefixes if code.startswith(p)]
    if not covering:
        return code
    p = max(covering, key=len)
    size = len(p) if p else 6
    return code[: max(size, 2)] if len(code) > size else code


@dataclass(frozen=True)
class Actor:
    name: str
    role: Role
    divisions: tuple[str, ...]

    @property
    def scope(self) -> Scope:
        return Scope(self.divisions)


@dataclass(frozen=True)
class Refusal:
    status: int  # 403 who may not, 409 not in this state
    reason: str


@dataclass(frozen=True)
class CaseView:
    """What the guard needs of a case."""

    division_code: str
    state: str
    extensions: int
    extension_requested_by: str | None
    outcome: str | None


def refusal(actor: Actor, case: CaseView, action: str, max_extensions: int) -> Refusal | None:
    """Why ``actor`` may not take ``action`` on ``case`` now, or None when they may."""
    if not actor.scope.covers(case.division_code) and action != "approve_extension":
        return Refusal(403, "this case lies outside your divisions")
    if action in ("approve_extension", "refuse_extension"):
        if not allowed(actor.role, Cap.APPROVE_EXTENSIONS):
            return Refusal(403, f"role {actor.role.value} may not approve extensions")
        parent = parent_division(case.division_code)
        if parent is None or not actor.scope.covers(parent):
            return Refusal(
                403,
                "an extension is approved only by the commission one level up "
                f"(scope covering division {parent})",
            )
    elif not allowed(actor.role, Cap.HANDLE_CASES):
        return Refusal(403, f"role {actor.role.value} may not handle cases")
    if case.state not in TRANSITIONS[action]:
        return Refusal(
            409,
            f"cannot {action.replace('_', ' ')} a case that is {case.state} "
            f"({STATE_ZH.get(case.state, case.state)})",
        )
    if action == "request_extension":
        if case.extensions >= max_extensions:
            return Refusal(
                409, "the closing deadline has already been extended once; no second extension"
            )
        if case.extension_requested_by:
            return Refusal(409, "an extension request is already waiting for approval")
    if action in ("approve_extension", "refuse_extension"):
        if not case.extension_requested_by:
            return Refusal(409, "no extension has been requested")
        if action == "approve_extension" and case.extension_requested_by == actor.name:
            return Refusal(403, "an extension may not be approved by the one who requested it")
        if action == "approve_extension" and case.extensions >= max_extensions:
            return Refusal(409, "the closing deadline has already been extended once")
    if action == "dispose" and case.outcome == "不属实":
        return Refusal(409, "a case closed as 不属实 (unfounded) takes no dispositions")
    return None


def can(actor: Actor, case: CaseView, max_extensions: int) -> dict[str, bool]:
    """Every action with whether ``actor`` may take it now (the explorer's buttons)."""
    return {a: refusal(actor, case, a, max_extensions) is None for a in ACTIONS}
