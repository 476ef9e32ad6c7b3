"""The production path (docker-compose.yml, Dockerfile, .dockerignore), checked without Docker.

``compose_problems`` lists what is wrong with a compose document; the real file must have
no problems, and each deliberately broken copy must be caught, so the checks can fail.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

# ${GUANXI_NEO4J_PASSWORD}, ${GUANXI_NEO4J_PASSWORD:?message}, ${GUANXI_NEO4J_PASSWORD?message}
PASSWORD_REF = r"\$\{GUANXI_NEO4J_PASSWORD(?::?\?[^}]*)?\}"
SERVE_CMD = ["guanxi", "serve", "--engine", "neo4j", "--host", "0.0.0.0", "--port", "8000"]
MIN_COUNTY_MEMORY = 4 * 1024**3  # heap and page cache for ~1M persons


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def _ports(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(host_ip, published, target) for each port mapping, short or long syntax."""
    out = []
    for p in service.get("ports") or []:
        if isinstance(p, dict):
            out.append((str(p.get("host_ip", "")), str(p.get("published", "")), str(p["target"])))
            continue
        parts = str(p).split(":")
        if len(parts) == 3:
            out.append((parts[0], parts[1], parts[2]))
        elif len(parts) == 2:
            out.append(("", parts[0], parts[1]))
        else:
            out.append(("", "", parts[0]))
    return out


def _default(value: str) -> str:
    """The value compose uses when the variable is unset: ``${X:-4G}`` -> ``4G``."""
    m = re.fullmatch(r"\$\{[A-Z0-9_]+:?-([^}]*)\}", value.strip())
    return m.group(1) if m else value


def _bytes(size: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", size.strip().lower())
    if not m:
        return 0
    return int(float(m.group(1)) * 1024 ** "_kmgt".index(m.group(2) or "_"))


def _named_volume_for(compose: dict[str, Any], service: dict[str, Any], target: str) -> str | None:
    declared = compose.get("volumes") or {}
    for v in service.get("volumes") or []:
        if isinstance(v, dict):
            source, dest, kind = v.get("source", ""), v.get("target", ""), v.get("type", "volume")
        else:
            source, _, rest = str(v).partition(":")
            dest, kind = rest.split(":")[0], "volume"
        if dest == target and kind == "volume" and source in declared:
            return str(source)
    return None


def compose_problems(compose: dict[str, Any]) -> list[str]:
    """Everything that keeps ``compose`` from being guanxi's production path."""
    problems: list[str] = []
    services = compose.get("services") or {}
    neo4j, api = services.get("neo4j"), services.get("api")
    if not neo4j:
        return ["no neo4j service"]
    if not api:
        return ["no api service"]

    if not re.fullmatch(r"neo4j:5\.26(\.\d+)?", str(neo4j.get("image", ""))):
        problems.append(f"neo4j image must be neo4j:5.26 (LTS), not {neo4j.get('image')!r}")
    env = _env(neo4j)
    try:
        plugins = json.loads(env.get("NEO4J_PLUGINS", "[]"))
    except json.JSONDecodeError:
        plugins = []
    if "graph-data-science" not in plugins:
        problems.append("NEO4J_PLUGINS must list graph-data-science")
    if not re.fullmatch("neo4j/" + PASSWORD_REF, env.get("NEO4J_AUTH", "")):
        problems.append("NEO4J_AUTH must be neo4j/${GUANXI_NEO4J_PASSWORD...} (password from .env)")
    if "gds.*" not in env.get("NEO4J_dbms_security_procedures_unrestricted", "").split(","):
        problems.append("gds.* must be unrestricted")
    for key, what in [
        ("NEO4J_server_memory_heap_max__size", "heap"),
        ("NEO4J_server_memory_pagecache_size", "page cache"),
    ]:
        if _bytes(_default(env.get(key, ""))) < MIN_COUNTY_MEMORY:
            problems.append(f"{what} ({key}) must default to >= 4G for a county")
    if not _named_volume_for(compose, neo4j, "/data"):
        problems.append("neo4j /data must be a named volume declared under volumes:")
    if "7687" not in [target for _, _, target in _ports(neo4j)]:
        problems.append("neo4j must publish Bolt (7687)")

    health = neo4j.get("healthcheck") or {}
    test = health.get("test")
    test_text = " ".join(test) if isinstance(test, list) else str(test or "")
    if health.get("disable") or not test or test_text.strip() in ("NONE", "CMD NONE"):
        problems.append("neo4j needs a healthcheck")
    elif not re.search(r"cypher-shell|wget|curl", test_text) or not re.search(
        r"7687|7474", test_text
    ):
        problems.append("neo4j healthcheck must probe Bolt (cypher-shell) or HTTP (wget/curl)")

    build = api.get("build")
    spec = {"context": build} if isinstance(build, str) else (build or {})
    if spec.get("context") != "." or spec.get("dockerfile", "Dockerfile") != "Dockerfile":
        problems.append("api must be built from ./Dockerfile")
    depends = api.get("depends_on") or {}
    if not isinstance(depends, dict) or (depends.get("neo4j") or {}).get("condition") != (
        "service_healthy"
    ):
        problems.append("api must depend on neo4j with condition: service_healthy")
    api_env = _env(api)
    expected = {"GUANXI_ENGINE": "neo4j", "GUANXI_NEO4J_URI": "bolt://neo4j:7687"}
    for key, value in expected.items():
        if api_env.get(key) != value:
            problems.append(f"api needs {key}={value}")
    if not re.fullmatch(PASSWORD_REF, api_env.get("GUANXI_NEO4J_PASSWORD", "")):
        problems.append("api GUANXI_NEO4J_PASSWORD must come from ${GUANXI_NEO4J_PASSWORD}")
    pg = services.get("postgres") or {}
    if not str(pg.get("image", "")).startswith("postgres:"):
        problems.append("a postgres service holds the API's records")
    elif (
        not isinstance(depends, dict)
        or (depends.get("postgres") or {}).get("condition") != "service_healthy"
    ):
        problems.append("api must depend on postgres with condition: service_healthy")
    if not api_env.get("GUANXI_DATABASE_URL", "").startswith("postgresql+psycopg://"):
        problems.append("api GUANXI_DATABASE_URL must point at the postgres service (psycopg)")
    if ("127.0.0.1", "8000", "8000") not in _ports(api):
        problems.append("api must publish 127.0.0.1:8000:8000")

    for name, service in services.items():
        for host_ip, published, target in _ports(service):
            if host_ip != "127.0.0.1":
                problems.append(f"{name} port {published}:{target} must bind 127.0.0.1")
        for key, value in _env(service).items():
            if re.search("PASSWORD|AUTH", key) and "${" not in value:
                problems.append(f"{name} {key} is a literal: secrets come from .env")
    return problems


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_file_has_no_problems(compose: dict[str, Any]) -> None:
    assert compose_problems(compose) == []


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = doc
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value

    return mutate


BROKEN = [
    (_set("services.neo4j.image", "neo4j:4.4"), "neo4j:5.26"),
    (_set("services.neo4j.environment.NEO4J_PLUGINS", '["apoc"]'), "graph-data-science"),
    (_set("services.neo4j.environment.NEO4J_AUTH", "neo4j/hunter22"), "NEO4J_AUTH"),
    (_set("services.neo4j.environment.NEO4J_AUTH", "none"), "NEO4J_AUTH"),
    (_set("services.api.environment.GUANXI_NEO4J_PASSWORD", "hunter22"), "literal"),
    (_set("services.neo4j.environment.NEO4J_server_memory_heap_max__size", "1G"), "heap"),
    (_set("services.neo4j.environment.NEO4J_server_memory_pagecache_size", None), "page cache"),
    (_set("services.neo4j.environment.NEO4J_dbms_security_procedures_unrestricted", None), "gds"),
    (_set("services.neo4j.ports", ["7474:7474", "7687:7687"]), "127.0.0.1"),
    (_set("services.neo4j.ports", ["127.0.0.1:7474:7474"]), "Bolt"),
    (_set("services.api.ports", ["8000:8000"]), "8000"),
    (_set("services.neo4j.volumes", ["./data:/data"]), "named volume"),
    (_set("volumes", None), "named volume"),
    (_set("services.neo4j.healthcheck", None), "healthcheck"),
    (_set("services.neo4j.healthcheck", {"disable": True}), "healthcheck"),
    (_set("services.neo4j.healthcheck.test", ["CMD", "true"]), "healthcheck"),
    (_set("services.api.depends_on", ["neo4j"]), "service_healthy"),
    (_set("services.api.depends_on", {"neo4j": {"condition": "service_started"}}), "healthy"),
    (_set("services.api.environment.GUANXI_ENGINE", "embedded"), "GUANXI_ENGINE"),
    (_set("services.api.environment.GUANXI_NEO4J_URI", "bolt://localhost:7687"), "URI"),
    (_set("services.api.build", {"context": "api"}), "Dockerfile"),
    (_set("services.api", None), "no api service"),
    (_set("services.postgres", None), "postgres service"),
    (_set("services.api.depends_on.postgres", None), "depend on postgres"),
    (_set("services.api.environment.GUANXI_DATABASE_URL", "sqlite:///x.db"), "DATABASE_URL"),
    (_set("services.postgres.environment.POSTGRES_PASSWORD", "hunter22"), "literal"),
]


@pytest.mark.parametrize(("mutate", "expected"), BROKEN)
def test_a_broken_compose_file_is_caught(
    compose: dict[str, Any], mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    broken = copy.deepcopy(compose)
    mutate(broken)
    problems = compose_problems(broken)
    assert any(expected in p for p in problems), problems


def _instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            op, _, rest = line.partition(" ")
            out.append((op.upper(), rest.strip()))
    return out


def test_dockerfile_installs_the_package_and_serves_on_neo4j() -> None:
    steps = _instructions(DOCKERFILE.read_text(encoding="utf-8"))
    assert steps[0] == ("FROM", "python:3.11-slim")
    runs = [rest for op, rest in steps if op == "RUN"]
    assert any(
        re.search(r"\bpip install (--?\S+ )*\"?\.(\[[a-z,]+\])?\"?(\s|$)", r) for r in runs
    ), runs
    cmd = [json.loads(rest) for op, rest in steps if op in ("CMD", "ENTRYPOINT")]
    assert cmd, "no CMD"
    assert cmd[-1] == SERVE_CMD
    assert [rest for op, rest in steps if op == "USER"], "the API should not run as root"


def test_dockerfile_copies_only_what_exists_and_is_not_ignored() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".env"} <= ignored
    assert "tools" in ignored or "tools/neo4j/dist" in ignored  # ~140 MB of Neo4j jars
    for op, rest in _instructions(DOCKERFILE.read_text(encoding="utf-8")):
        if op != "COPY" or rest.startswith("--from"):
            continue
        *sources, _dest = rest.split()
        for src in sources:
            assert (ROOT / src).exists(), f"COPY {src}: missing"
            assert src not in ignored, f"COPY {src}: excluded by .dockerignore"
    assert "pyproject.toml" in DOCKERFILE.read_text(encoding="utf-8")


def test_env_example_documents_the_password_and_env_is_not_committed() -> None:
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert re.search(r"^GUANXI_NEO4J_PASSWORD=.{8,}$", example, re.MULTILINE)
    gitignore = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in gitignore


@pytest.mark.parametrize(
    ("value", "expected"),
    [("4G", 4 * 1024**3), ("512m", 512 * 1024**2), ("4g", 4 * 1024**3), ("8GiB", 8 * 1024**3)],
)
def test_sizes_parse(value: str, expected: int) -> None:
    assert _bytes(_default("${GUANXI_NEO4J_HEAP:-" + value + "}")) == expected
