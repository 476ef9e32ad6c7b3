"""How the embedded engine's start tells a server still loading its data from a dead one."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.store.embedded import EmbeddedEngine


class _Silent:
    """A server that answers nothing (FalkorDB rebuilding a big graph's indexes)."""

    def ping(self) -> bool:
        raise TimeoutError("no answer")


@pytest.fixture
def engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> EmbeddedEngine:
    eng = EmbeddedEngine(tmp_path)
    monkeypatch.setattr(eng, "connection", lambda: _Silent())
    eng.logfile.parent.mkdir(parents=True, exist_ok=True)
    eng.logfile.write_text("1:M earlier run\n1:M Ready to accept connections unix\n")
    return eng


def _log(eng: EmbeddedEngine, text: str) -> int:
    start = eng.logfile.stat().st_size
    with eng.logfile.open("a") as f:
        f.write(text)
    return start


def test_silent_while_loading_is_loading(engine: EmbeddedEngine) -> None:
    start = _log(engine, "2:M * Reading RDB base file on AOF loading...\n2:M * Constructing\n")
    assert engine._loading_until(123.0, start) == 123.0


def test_ready_or_never_loading_is_not(engine: EmbeddedEngine) -> None:
    start = _log(engine, "2:M * Reading RDB base file on AOF loading...\n")
    _log(engine, "2:M * Ready to accept connections unix\n")
    assert engine._loading_until(123.0, start) == 0.0
    # The previous run's lines do not count: this start has logged nothing yet.
    assert engine._loading_until(123.0, engine.logfile.stat().st_size) == 0.0
