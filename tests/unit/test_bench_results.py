"""The benchmark reports are the output of one run's data, and the scripts can be installed."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from bench import results

ROOT = Path(__file__).resolve().parents[2]


def test_results_md_is_rendered_from_the_committed_run() -> None:
    data = results.load()
    committed = results.RESULTS_MD.read_text(encoding="utf-8")
    assert committed == results.results_markdown(data, results.load_growth()), (
        "bench/RESULTS.md is not bench/results.json rendered: python bench/results.py"
    )


def test_readme_block_is_rendered_from_the_committed_run() -> None:
    readme = results.README.read_text(encoding="utf-8")
    assert readme == results.with_readme_block(readme, results.load(), results.load_growth()), (
        "README's benchmark block is not bench/results.json rendered: python bench/results.py"
    )


def test_the_reports_name_the_run_they_come_from() -> None:
    data = results.load()
    md = results.results_markdown(data)
    block = results.readme_block(data)
    for text in (md, block):
        assert data["command"] in text
        assert data["date"] in text
    assert data["machine"]["cpu"] in block
    assert f"{data['persons']:,} persons" in md.splitlines()[0]


def _sample(persons: int) -> dict[str, object]:
    ok = {"script": "load", "argv": ["--persons", str(persons)], "seconds": 12.4}
    return {
        "command": f"python bench/run_all.py --persons {persons}",
        "date": "2026-12-07 00:00 UTC",
        "persons": persons,
        "seed": 7,
        "synth_seconds": 3.0,
        "machine": {"cpu": "x (2 cores)", "ram": "24 GiB", "python": "3.11.7"},
        "skipped": {"neo4j": "GUANXI_NEO4J_URI is unset"},
        "runs": {
            "embedded": [
                {
                    **ok,
                    "engine": "embedded",
                    "status": "ok",
                    "markdown": "# t\n\n|a|\n",
                    "output": "",
                },
                {
                    **ok,
                    "script": "detect",
                    "engine": "embedded",
                    "status": "failed (exit 1)",
                    "markdown": "",
                    "output": "Traceback\nValueError: boom",
                },
            ]
        },
    }


def test_a_small_run_says_so_and_failures_show_their_output() -> None:
    md = results.results_markdown(_sample(20_000))
    assert "targets in the README are set for 1,000,000" in md
    assert "| load | 12 s | skipped |" in md
    assert "| detect | failed (exit 1) after 12 s | skipped |" in md
    assert "ValueError: boom" in md
    # A script's headings sit under the report's.
    assert "## t" in md
    assert "##### t" not in md
    assert "set for" not in results.results_markdown(_sample(1_000_000))


def test_the_readme_block_replaces_only_what_lies_between_the_markers() -> None:
    readme = f"intro\n{results.BEGIN}\nold figures\n{results.END}\nafter\n"
    out = results.with_readme_block(readme, _sample(1_000_000))
    assert out.startswith(f"intro\n{results.BEGIN}\n")
    assert out.endswith(f"\n{results.END}\nafter\n")
    assert "old figures" not in out
    assert "| load | 12 s | skipped |" in out


def _growth_row(engine: str, persons: int, load_s: float, **extra: object) -> dict[str, object]:
    stage = {"seconds": load_s, "python_mib": 600, "engine_mib": 4000}
    return {
        "preset": "county",
        "engine": engine,
        "persons": persons,
        "command": f"python bench/growth.py --sizes {persons}",
        "date": "2026-12-07 06:00 UTC",
        "load": stage,
        "detect": {**stage, "derive_s": 1.0, "patterns_s": 20.0, "leads_s": 2.0},
        "load_method": "bulk",
        "recall": "327/327",
        "decoys_flagged": 0,
        **extra,
    }


def test_growth_rows_replace_their_size_and_render_with_slopes() -> None:
    old = results.merge_growth(None, [_growth_row("neo4j", 1_000_000, 500.0)], {"cpu": "x"})
    api = (
        "API under load ... 2 API process(es)\nno think time (saturation): 2-hop expand (cap "
        "300) p95 119 ms — target < 150 ms:\nmet; board of 1,000 open cases p95 183 ms — target"
        ' <= 150 ms: NOT met\n{"API ready after (s)": 8.4}'
    )
    growth = results.merge_growth(
        old,
        [
            _growth_row(
                "neo4j",
                1_000_000,
                200.0,
                api=api,
                load={
                    "seconds": 200.0,
                    "python_mib": 600,
                    "engine_mib": 4000,
                    "registers_s": 140.0,
                    "bulk_s": 60.0,
                    "bulk_stages": {"import files": 20.0, "neo4j-admin": 30.0, "indexes": 10.0},
                },
                gds={"seconds": 30.0, "steps": {"projection": 12.0, "leiden": 9.0, "write": 8.0}},
            ),
            _growth_row(
                "neo4j",
                3_000_000,
                800.0,
                note="shared with the city run",
                missed={"unbooked_payment": [["PZ1"], ["PZ2"]]},
            ),
            {
                "preset": "county",
                "engine": "embedded",
                "persons": 9_000_000,
                "command": "c",
                "date": "d",
                "refused": "would need 36 GiB; use Neo4j",
            },
        ],
        {"cpu": "y"},
    )
    assert [(r["engine"], r["persons"]) for r in growth["rows"]] == [
        ("embedded", 9_000_000),
        ("neo4j", 1_000_000),
        ("neo4j", 3_000_000),
    ]
    md = "\n".join(results.growth_markdown(growth))
    assert "| neo4j | 1,000,000 | load | 200.0 | 600 | 4000 |" in md
    assert "| neo4j | 1,000,000 | load | 500.0" not in md
    # 600 s more over 2 M persons: 300 s per million; 4× the time for 3× the persons.
    assert "| neo4j | load | 1,000,000 → 3,000,000 | 300 | 0 | 1.26 |" in md
    assert "derive 1.0, patterns 20.0, leads 2.0" in md
    steps = "registers 140.0, bulk 60.0 (import files 20.0, neo4j-admin 30.0, indexes 10.0)"
    assert f"| neo4j | 1,000,000 | ↳ of which | {steps} | | |" in md
    gds = "projection 12.0, leiden 9.0, write 8.0"
    assert f"| neo4j | 1,000,000 | ↳ of which | {gds} | | |" in md
    assert "board of 1,000 open cases p95 183 ms — target <= 150 ms: NOT met" in md
    ready = "| API ready in serving.py (name index built, risk model off) | 8.4 s (2 processes) |"
    assert ready in md
    assert "refused before loading" in md
    assert "| neo4j | 3,000,000 | note | shared with the city run | | |" in md
    assert "| neo4j | 3,000,000 | missed | unbooked_payment 2 | | |" in md
    assert "use Neo4j" in md
    block = results.readme_block(_sample(1_000_000), growth)
    row = "| county | neo4j | 1,000,000 | 200 s | - | 20 s | - / 30 s | 119 ms / - | 327/327, 0 |"
    assert row in block


def _third_party_imports() -> set[str]:
    local = {p.stem for p in (ROOT / "bench").glob("*.py")} | {"graph", "api", "bench"}
    names: set[str] = set()
    for script in (ROOT / "bench").glob("*.py"):
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n not in local}


def _requirement_name(spec: str) -> str:
    name = re.split(r"[;\[<>=!~ ]", spec.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_every_module_the_benchmarks_import_is_a_declared_dependency() -> None:
    """``pip install -e ".[bench]"`` is enough to run any script under bench/. The bench
    extra is not installed by ``make test`` (recordlinkage holds pandas below 3), so a
    module that is not installed here must be named by the extra itself."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {
        _requirement_name(s)
        for s in (*project["dependencies"], *project["optional-dependencies"]["bench"])
    }
    # What the declared distributions pull in (numpy with pandas) counts too.
    for dist in list(declared):
        try:
            requirements = metadata.requires(dist) or []
        except metadata.PackageNotFoundError:
            continue
        declared |= {_requirement_name(r) for r in requirements if "extra ==" not in r}
    providers = metadata.packages_distributions()
    missing = {
        module
        for module in _third_party_imports()
        if _requirement_name(module) not in declared
        and not {_requirement_name(d) for d in providers.get(module, [])} & declared
    }
    assert not missing, f"bench/ imports modules no dependency or bench extra declares: {missing}"
