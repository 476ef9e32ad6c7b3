"""Abuse limits: reports per address and for the whole site, look-ups per address, pages
per address; each answers 429 and files nothing more."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.workflow.models import Intake
from public.app import create_public_app
from tests.public.conftest import PublicWorld, public_settings
from tests.public.resident import Resident


def _site(world: PublicWorld, **limits: object) -> Resident:
    settings = public_settings(
        world.settings.data_dir,
        public_divisions=world.township,
        **limits,  # type: ignore[arg-type]
    )
    app = create_public_app(settings, store=world.store, db=world.db)
    return Resident(TestClient(app))


def _count(world: PublicWorld, prefix: str) -> int:
    with world.db.session() as s:
        n = s.scalar(
            select(func.count()).select_from(Intake).where(Intake.summary.startswith(prefix))
        )
        return int(n or 0)


def test_reports_per_address_then_429(world: PublicWorld) -> None:
    r = _site(world, public_reports_per_address_hour=2)
    codes = [r.report(world.village, f"限流测试一 第{i}条反映内容").status_code for i in range(3)]
    assert codes == [200, 200, 429]
    assert _count(world, "限流测试一") == 2


def test_reports_for_the_whole_site_then_429(world: PublicWorld) -> None:
    r = _site(world, public_reports_per_minute=1)
    codes = [r.report(world.village, f"限流测试二 第{i}条反映内容").status_code for i in range(2)]
    assert codes == [200, 429]


def test_lookups_per_address_then_429(world: PublicWorld) -> None:
    r = _site(world, public_lookups_per_address_hour=2)
    form = {"name": "某某", "id_number": "11010519491231002X"}
    assert [r.post("/lookup", form).status_code for _ in range(3)] == [200, 200, 429]


def test_pages_per_address_then_429(world: PublicWorld) -> None:
    r = _site(world, public_pages_per_second=0.001, public_pages_burst=3)
    codes = [r.get("/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
