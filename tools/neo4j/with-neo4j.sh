#!/usr/bin/env bash
# Run a command against a test Neo4j:
#   tools/neo4j/with-neo4j.sh .venv/bin/python -m pytest
# fetches Neo4j once, starts it, exports GUANXI_NEO4J_URI/USER/PASSWORD (and the rest of
# tools/neo4j/run/env), runs the command and stops the server afterwards, also when the
# command fails or the wrapper gets INT, TERM or HUP (passed on to the command at once).
# Exits with the command's status (128 + the signal's number after a signal).
#
# Java 17/21 or Maven missing: with CI=true the run fails (exit 3); elsewhere the command
# still runs, with GUANXI_NEO4J_SKIP_REASON set and no GUANXI_NEO4J_URI, so the Neo4j
# tests skip with that reason. Any other start failure fails the run everywhere.
# A server that was already running is reused and left running; so is a new one with
# GUANXI_NEO4J_KEEP_RUNNING=1.
# The logic is tools/lib/service.sh, shared with the other test service.
set -euo pipefail
# shellcheck source=tools/neo4j/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

service_with "$@"
