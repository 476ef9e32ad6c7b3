# The two commands the README promises: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= $(CURDIR)/out/demo
DEMO_PERSONS ?= 20000

.PHONY: demo test check lint eslint venv neo4j-start neo4j-stop clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/guanxi demo --persons $(DEMO_PERSONS) --out $(DEMO_DIR)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(MAKE) --no-print-directory eslint

# ESLint from the npm registry, pinned by package-lock.json, installed once into node_modules.
eslint:
	test -x node_modules/.bin/eslint || npm ci --no-audit --no-fund --loglevel=error
	node_modules/.bin/eslint api/static/js public/static tests/js eslint.config.js

# The quick loop while working: lint and the unit tests not marked slow (tests/unit: no
# Neo4j, no browser; the embedded engine starts once), under a minute on an idle machine.
check: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(BIN)/pytest -q -x -m "not slow" tests/unit

# Neo4j 5.26 from Maven Central (tools/neo4j): fetched once, started around pytest with
# GUANXI_NEO4J_* exported, stopped afterwards even when tests fail. Java/Maven missing:
# CI=true fails the run; elsewhere the Neo4j tests skip with GUANXI_NEO4J_SKIP_REASON.
# PostgreSQL (tools/postgres, Debian's packages) likewise for the workflow tests, with
# GUANXI_TEST_POSTGRES_URL exported; missing binaries are installed with apt-get when CI=true.
test: $(STAMP)
	$(MAKE) --no-print-directory lint
	tools/ci/chromium.sh
	$(BIN)/pytest -q --doctest-modules graph api
	node --test tests/js/
	tools/neo4j/with-neo4j.sh tools/postgres/with-postgres.sh $(BIN)/pytest tests

neo4j-start:
	tools/neo4j/start.sh

neo4j-stop:
	tools/neo4j/stop.sh

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache node_modules
