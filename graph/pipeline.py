"""Load, resolve, detect: the one recipe that turns a folder of registers into findings.

The command line (``guanxi load``, ``guanxi demo``), the notebook facade
(``Guanxi.run``) and the benchmarks all go through :func:`run_pipeline`, so the order of
the stages and what each is given are written once. A caller that shows progress is told
when each stage starts and what it yielded (``on_stage``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from graph.loaders import LoadReport, load_folder
from graph.queries import Detection, detect
from graph.resolve import ResolveReport, resolve
from graph.store.base import GraphStore
from graph.store.sealed import SealedStore

Stage = Literal["load", "resolve", "detect"]
#: Told ``(stage, None)`` when a stage starts and ``(stage, its report)`` when it ends.
OnStage = Callable[[Stage, Any], None]


@dataclass
class PipelineResult:
    """What each stage that ran reported; ``None`` for a stage left out."""

    load: LoadReport
    resolve: ResolveReport | None = None
    detect: Detection | None = None


def run_pipeline(
    store: GraphStore,
    folder: Path,
    *,
    fresh: bool = False,
    resolve_mentions: bool = True,
    find: bool = True,
    as_of: str | None = None,
    patterns: Iterable[str] | None = None,
    save: bool = True,
    batch_size: int = 5000,
    bulk: bool | None = None,
    progress: bool = False,
    on_stage: OnStage | None = None,
    sealed: SealedStore | None = None,
) -> PipelineResult:
    """Load every register in ``folder``, link name-only mentions, run the patterns.

    ``fresh`` empties the graph once every register has passed its file checks (a
    refused load leaves the graph as it was). ``resolve_mentions=False`` skips entity
    resolution and ``find=False`` detection (``guanxi load`` loads and resolves only).
    ``as_of``, ``patterns`` and ``save`` go to :func:`graph.queries.detect`;
    ``batch_size``, ``bulk``, ``progress`` and ``sealed`` (where confidential values go) to
    :func:`graph.loaders.load_folder`.
    """

    def stage(name: Stage, report: Any) -> None:
        if on_stage is not None:
            on_stage(name, report)

    stage("load", None)
    loaded = load_folder(
        store,
        folder,
        batch_size=batch_size,
        progress=progress,
        bulk=bulk,
        fresh=fresh,
        sealed=sealed,
    )
    stage("load", loaded)
    out = PipelineResult(loaded)
    if resolve_mentions:
        stage("resolve", None)
        out.resolve = resolve(store)
        stage("resolve", out.resolve)
    if find:
        stage("detect", None)
        out.detect = detect(store, patterns, as_of=as_of, save=save)
        stage("detect", out.detect)
    return out
