# The two commands the README promises: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= $(CURDIR)/out/demo
DEMO_PERSONS ?= 20000

.PHONY: demo test lint venv neo4j-start neo4j-stop clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/guanxi engine start
	$(BIN)/guanxi engine status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Neo4j comes from Maven Central (tools/neo4j); CI=true makes its absence a failure.
test: $(STAMP)
	@set -euo pipefail; \
	trap 'tools/neo4j/stop.sh >/dev/null 2>&1 || true' EXIT; \
	rc=0; tools/neo4j/start.sh || rc=$$?; \
	if [ $$rc -eq 0 ]; then source tools/neo4j/run/env; \
	elif [ "$${CI:-}" = "true" ]; then echo "Neo4j failed to start (rc=$$rc) and CI=true" >&2; exit 1; \
	else echo "Neo4j unavailable (rc=$$rc): Neo4j tests will skip" >&2; fi; \
	$(MAKE) --no-print-directory lint; \
	$(BIN)/pytest --doctest-modules graph

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
