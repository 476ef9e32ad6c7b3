"""Planted cases (placeholder)."""

from __future__ import annotations

from graph.synth.common import County


def plant_all(ctx: County) -> None:
    return None
