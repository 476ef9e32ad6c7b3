"""The pattern library: Cypher patterns that yield explained findings with evidence."""

from graph.queries.findings import Finding
from graph.queries.pattern import Pattern, get, library
from graph.queries.runner import Detection, detect, run_pattern

__all__ = ["Detection", "Finding", "Pattern", "detect", "get", "library", "run_pattern"]
