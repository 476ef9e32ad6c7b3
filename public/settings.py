"""Settings of the public process: the engine's :class:`graph.settings.Settings` plus what
only the public site needs. Every field comes from a ``GUANXI_*`` environment variable.

>>> s = PublicSettings(data_dir="/tmp/x", public_divisions="430428101, 430428001001")
>>> s.published
('430428101', '430428001001')
>>> PublicSettings(data_dir="/tmp/x").published
()
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import SecretStr

from graph.settings import Settings


class PublicSettings(Settings):
    # Division code prefixes whose villages, programmes and records are published, comma
    # separated ("430428" a county, "430428101" a township). Empty: nothing is published.
    public_divisions: str = ""
    public_host: str = "127.0.0.1"
    public_port: int = 8100
    # Signs the report form's challenge and hashes receipt codes. Generated into the data
    # directory on first start when unset; not an API key and shared with nothing.
    public_secret: SecretStr | None = None
    # Abuse limits. Reports: per client address per hour, and for the whole site per minute.
    public_reports_per_address_hour: int = 10
    public_reports_per_minute: int = 60
    # Own-household look-ups per client address per hour (name + ID number guessing).
    public_lookups_per_address_hour: int = 10
    # Every page per client address: sustained per second and burst.
    public_pages_per_second: float = 20.0
    public_pages_burst: int = 100
    # Longest report text, in characters.
    public_report_max_chars: int = 2000
    # Identical reports (same village, same text) within this many days join one complaint.
    public_collapse_days: int = 7
    # How often (seconds) the village summary cache checks whether the graph was loaded.
    public_cache_check_seconds: float = 2.0
    # Build every published division's page in the background at start and after each
    # load, one at a time. Off by default: measured on the 1M county with 200 residents
    # arriving at once (bench/public.py, 120 s), the warmer competing with them raised the
    # p95 of warm pages and reports from 8.6 ms to 700 ms. For a site restarted when
    # nobody is browsing (after a nightly load).
    public_warm: bool = False
    # A look-up answers no sooner than this (seconds), found or not: timing tells nothing.
    public_lookup_seconds: float = 0.4

    @property
    def published(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in self.public_divisions.split(",") if p.strip())

    def secret(self) -> bytes:
        if self.public_secret is not None:
            return self.public_secret.get_secret_value().encode()
        path = Path(self.data_dir) / "public-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(32))
            path.chmod(0o600)
        return path.read_text().strip().encode()
