"""API settings: the engine's :class:`graph.settings.Settings` plus what only the API needs.

Every field comes from a ``GUANXI_*`` environment variable, like the rest of guanxi.

>>> s = ApiSettings(data_dir="/tmp/x")
>>> s.db_url
'sqlite:////tmp/x/guanxi.db'
"""

from __future__ import annotations

from pydantic import SecretStr

from graph.settings import Settings


class ApiSettings(Settings):
    # Secret for opaque entity references (``ref``). Generated into the data directory on
    # first start when unset; set it explicitly when several API processes share a database.
    secret_key: SecretStr | None = None
    # Per-key token bucket: sustained requests per second and burst size.
    rate_per_second: float = 10.0
    rate_burst: int = 60
    # Per client address, before authentication (api.floodgate): every API request from
    # one address, whatever key it carries. Many users behind one proxy share an address.
    address_rate_per_second: float = 50.0
    address_burst: int = 200
    # Caps on what one request may ask for or return.
    page_size_max: int = 100
    neighbours_default: int = 100
    neighbours_max: int = 1000
    paths_max: int = 10
    hub_degree: int = 200
    response_max_bytes: int = 20_000_000
    # Time limit (seconds) for the API's own graph queries; /query uses ``query_timeout``.
    api_timeout: float = 10.0
    # Analysts' queries (/query, pattern runs) on the engine at once, across API processes;
    # 0 = one fewer than the embedded engine's threads (at least 1), so one stays free for
    # interactive requests. Others wait up to ``analyst_wait`` seconds, then get 429.
    analyst_slots: int = 0
    analyst_wait: float = 10.0
    # Re-running a pattern for its findings' evidence may take minutes on a big graph.
    evidence_timeout: float = 600.0
    # Derive missing finding evidence at start-up (in the background).
    evidence_warm: bool = True
    # Build the in-process pinyin index of names at start-up (in the background).
    pinyin_index: bool = True
    # Build communities and entity risk (graph.algorithms) at start-up (in the background).
    risk_model: bool = True
