"""Settings from ``GUANXI_*`` environment variables; command-line flags override them."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.deadlines import Rules


def _default_data_dir() -> Path:
    return Path(user_data_dir("guanxi", appauthor=False))


class Settings(BaseSettings):
    """Everything guanxi reads from the environment.

    >>> Settings(engine="neo4j").engine
    'neo4j'
    """

    model_config = SettingsConfigDict(env_prefix="GUANXI_", extra="ignore")

    engine: Literal["embedded", "neo4j"] = "embedded"
    data_dir: Path = Field(default_factory=_default_data_dir)
    graph: str = "guanxi"
    # Embedded engine: unix socket under data_dir by default; a TCP port (127.0.0.1 only)
    # when the socket path would exceed the OS limit or when asked for.
    embedded_port: int = 0
    embedded_threads: int = 2
    # Embedded engine memory (MB): the whole server, and one query. 0 = from the machine:
    # half its memory for the server, a quarter of that per query (graph.store.embedded).
    embedded_memory_mb: int = 0
    embedded_query_memory_mb: int = 0
    # No query on the embedded engine runs longer than this (seconds), whoever sent it.
    embedded_timeout_max: float = 3600.0
    # Where detect numbers communities: gds = inside Neo4j (Graph Data Science), igraph =
    # on a projection pulled into Python, auto = GDS when the engine has it.
    algorithms: Literal["auto", "gds", "igraph"] = "auto"
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    query_timeout: float = 30.0
    row_limit: int = 10_000
    # The relational database: the API's users, audit log and triage, and the sealed
    # store of confidential values (graph.store.sealed), which the loaders write. Any
    # SQLAlchemy URL; SQLite under the data directory by default.
    database_url: str | None = None

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'guanxi.db'}"

    # The handling rules (graph.deadlines): days to accept, months to close, months an
    # approved extension adds, how many extensions, what counts as "due soon".
    accept_days: int = 7
    close_months: int = 3
    extension_months: int = 1
    max_extensions: int = 1
    due_soon_days: int = 7

    @property
    def rules(self) -> Rules:
        return Rules(
            self.accept_days,
            self.close_months,
            self.extension_months,
            self.max_extensions,
            self.due_soon_days,
        )

    @property
    def engine_dir(self) -> Path:
        return self.data_dir / "engine"
