#!/usr/bin/env bash
# Run a command against a test PostgreSQL:
#   tools/postgres/with-postgres.sh .venv/bin/python -m pytest tests/workflow
# starts it, exports GUANXI_TEST_POSTGRES_URL, runs the command and stops the server
# afterwards, also when the command fails or is interrupted. Exits with the command's status.
#
# PostgreSQL binaries missing: with CI=true they are installed with apt-get (and a failure
# fails the run); elsewhere the command still runs with GUANXI_TEST_POSTGRES_SKIP_REASON set,
# so the PostgreSQL tests skip with that reason. A server already running is reused and left
# running; so is a new one with GUANXI_POSTGRES_KEEP_RUNNING=1.
set -euo pipefail
# shellcheck source=tools/postgres/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [[ $# -eq 0 ]]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

was_running=false
pg_running && was_running=true

rc=0
bash "$PG_TOOLS_DIR/start.sh" || rc=$?
if [[ $rc -eq 0 ]]; then
    # shellcheck source=/dev/null
    source "$PG_ENV_FILE"
    if [[ $was_running == false && "${GUANXI_POSTGRES_KEEP_RUNNING:-}" != 1 ]]; then
        trap 'bash "$PG_TOOLS_DIR/stop.sh"' EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
    fi
elif [[ $rc -eq $EXIT_MISSING_PREREQ && "${CI:-}" != true ]]; then
    reason="$(cat "$PG_MISSING_FILE" 2>/dev/null || echo 'PostgreSQL binaries missing')"
    export GUANXI_TEST_POSTGRES_SKIP_REASON="PostgreSQL not started: $reason"
    unset GUANXI_TEST_POSTGRES_URL
    log "WARNING: the PostgreSQL tests will skip: $GUANXI_TEST_POSTGRES_SKIP_REASON"
else
    log "PostgreSQL did not start (exit $rc, CI=${CI:-}): failing the run"
    exit "$rc"
fi

"$@"
