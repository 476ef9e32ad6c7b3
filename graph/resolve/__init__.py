"""Entity resolution: link name-only mentions to persons, with score and evidence.

>>> from graph.resolve import resolve, confirm, reject, ResolveReport  # doctest: +SKIP

``resolve(store)`` links every ``Mention`` the evidence allows (``RESOLVED_TO`` with
score, margin, features, method), copies the mention's relationships onto the person
(``via_mention``), records each mention's ``status`` and reports conflicts between
registers. ``confirm`` / ``reject`` store an investigator's judgement, which every later
run respects. The weights are documented in :mod:`graph.resolve.model`, the rule in
:mod:`graph.resolve.decide`.
"""

from graph.resolve.conflicts import Conflict
from graph.resolve.decide import MARGIN, THRESHOLD, Decision, Scored, decide
from graph.resolve.judgements import confirm, reject
from graph.resolve.run import ResolveReport, resolve

__all__ = [
    "MARGIN",
    "THRESHOLD",
    "Conflict",
    "Decision",
    "ResolveReport",
    "Scored",
    "confirm",
    "decide",
    "reject",
    "resolve",
]
