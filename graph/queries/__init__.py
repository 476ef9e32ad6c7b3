"""The graph's Cypher: the pattern library (patterns that yield explained findings with
evidence), and the reads and writes callers make of the graph — neighbourhoods
(:mod:`~graph.queries.subgraph`), stored findings and their triage
(:mod:`~graph.queries.triage`), look-ups by key (:mod:`~graph.queries.lookup`), search
candidates (:mod:`~graph.queries.search`) and division codes (:mod:`~graph.queries.anchors`),
each taking the caller's scope as a predicate."""

from graph.queries.findings import Finding
from graph.queries.pattern import Pattern, get, library
from graph.queries.runner import Detection, detect, run_pattern

__all__ = ["Detection", "Finding", "Pattern", "detect", "get", "library", "run_pattern"]
