"""The public site builds every published division's page in the background at start,
and again after the cache moves to a new graph generation."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient

from public.app import create_public_app
from tests.public.conftest import PublicWorld, public_settings


def _wait(until: Any, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, "the warmer did not finish"
        time.sleep(0.05)


def test_every_published_village_page_is_built_before_anyone_asks(
    world: PublicWorld, tmp_path: Any
) -> None:
    settings = public_settings(
        tmp_path, public_divisions=world.township, public_warm=True, public_cache_check_seconds=0.1
    )
    app = create_public_app(settings, store=world.store, db=world.db)
    villages = [
        str(r["code"])
        for r in world.store.read(
            "MATCH (d:Division {level: 'village'}) WHERE d.code STARTS WITH $t "
            "RETURN d.code AS code ORDER BY code",
            {"t": world.township},
        )
    ]
    assert world.village in villages
    with TestClient(app):
        site, warmer = app.state.site, app.state.warmer
        _wait(lambda: warmer.warmed == site.cache.generation)
        misses = site.cache.misses
        for code in villages:
            assert site.cache.peek(("html", "v", code)) is not None, code
        assert site.cache.peek(("html", "d", world.township)) is not None
        assert site.cache.peek(("html", "v", world.hidden_village)) is None
        assert site.cache.misses == misses

        # A new generation (what a load does) empties the cache; the warmer builds it again.
        before = site.cache.generation
        site.cache.clear()
        assert site.cache.peek(("html", "v", world.village)) is None
        _wait(lambda: warmer.warmed == site.cache.generation > before)
        assert site.cache.peek(("html", "v", world.village)) is not None
