"""The workflow's services, made once per application on first use and kept on ``Services``."""

from __future__ import annotations

import threading
from typing import Any

from api.deps import Services
from api.users import Principal
from api.workflow.cases import Workflow
from api.workflow.intake import Dictionaries, IntakeService
from api.workflow.mirror import GraphMirror
from api.workflow.rules import Actor
from graph.queries.leads import division_names

_lock = threading.Lock()


def workflow(svc: Services) -> Workflow:
    if svc.workflow is None:
        with _lock:
            if svc.workflow is None:
                svc.workflow = Workflow(svc.db, svc.settings.rules, GraphMirror(svc.store))
    return svc.workflow


def intake(svc: Services) -> IntakeService:
    if svc.intake is None:
        with _lock:
            if svc.intake is None:
                rules = svc.settings.rules
                svc.intake = IntakeService(svc.db, svc.store, rules, Dictionaries(svc.store))
    return svc.intake


def names(svc: Services) -> dict[str, str]:
    """Division names by code (read once; divisions change only with a new load)."""
    if not svc.division_names:
        svc.division_names = division_names(svc.store)
    return svc.division_names


def named(finding: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A finding summary with its division's name (people read names, not codes)."""
    code = finding.get("division_code")
    finding["division_name"] = names.get(str(code)) if code else None
    return finding


def actor(user: Principal) -> Actor:
    return Actor(user.name, user.role, user.divisions)
