#!/usr/bin/env bash
# Run a command against a test Neo4j:
#   tools/neo4j/with-neo4j.sh .venv/bin/python -m pytest
# fetches Neo4j once, starts it, exports GUANXI_NEO4J_URI/USER/PASSWORD (and the rest of
# tools/neo4j/run/env), runs the command and stops the server afterwards, also when the
# command fails or is interrupted. Exits with the command's status.
#
# Java 17/21 or Maven missing: with CI=true the run fails (exit 3); elsewhere the command
# still runs, with GUANXI_NEO4J_SKIP_REASON set and no GUANXI_NEO4J_URI, so the Neo4j
# tests skip with that reason. Any other start failure fails the run everywhere.
# A server that was already running is reused and left running; so is a new one with
# GUANXI_NEO4J_KEEP_RUNNING=1.
set -euo pipefail
# shellcheck source=tools/neo4j/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

was_running=false
neo4j_running && was_running=true
rm -f "$NEO4J_MISSING_FILE"

rc=0
bash "$NEO4J_TOOLS_DIR/start.sh" || rc=$?
if [[ $rc -eq 0 ]]; then
    # shellcheck source=/dev/null
    source "$NEO4J_ENV_FILE"
    if [[ $was_running == false && "${GUANXI_NEO4J_KEEP_RUNNING:-}" != 1 ]]; then
        trap 'bash "$NEO4J_TOOLS_DIR/stop.sh"' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
elif [[ $rc -eq $EXIT_MISSING_PREREQ && "${CI:-}" != true ]]; then
    reason="$(cat "$NEO4J_MISSING_FILE" 2>/dev/null || echo 'Java 17/21 or Maven missing')"
    export GUANXI_NEO4J_SKIP_REASON="Neo4j not started: $reason"
    unset GUANXI_NEO4J_URI
    log "WARNING: the Neo4j tests will skip: $GUANXI_NEO4J_SKIP_REASON"
else
    log "Neo4j did not start (exit $rc, CI=${CI:-}): failing the run"
    exit "$rc"
fi

"$@"
