"""The workflow's services, made once per application and kept in ``Services.extras``."""

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
    wf = svc.extras.get("workflow")
    if wf is None:
        with _lock:
            wf = svc.extras.get("workflow")
            if wf is None:
                wf = Workflow(svc.db, svc.settings.rules, GraphMirror(svc.store))
                svc.extras["workflow"] = wf
    assert isinstance(wf, Workflow)
    return wf


def intake(svc: Services) -> IntakeService:
    it = svc.extras.get("intake")
    if it is None:
        with _lock:
            it = svc.extras.get("intake")
            if it is None:
                it = IntakeService(svc.db, svc.store, svc.settings.rules, Dictionaries(svc.store))
                svc.extras["intake"] = it
    assert isinstance(it, IntakeService)
    return it


def names(svc: Services) -> dict[str, str]:
    """Division names by code (read once; divisions change only with a new load)."""
    got = svc.extras.get("division_names")
    if not got:
        got = division_names(svc.store)
        svc.extras["division_names"] = got
    assert isinstance(got, dict)
    return got


def named(finding: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """A finding summary with its division's name (people read names, not codes)."""
    code = finding.get("division_code")
    finding["division_name"] = names.get(str(code)) if code else None
    return finding


def actor(user: Principal) -> Actor:
    return Actor(user.name, user.role, user.divisions)
