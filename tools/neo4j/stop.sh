#!/usr/bin/env bash
# Stop the test server started by start.sh: bin/neo4j stop (graceful), then SIGTERM, then
# SIGKILL after GUANXI_NEO4J_STOP_TIMEOUT seconds (default 60). Idempotent.
set -euo pipefail
# shellcheck source=tools/neo4j/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

timeout="${GUANXI_NEO4J_STOP_TIMEOUT:-60}"

if ! neo4j_running; then
    rm -f "$NEO4J_ENV_FILE"
    log "not running"
    exit 0
fi
pid="$(cat "$NEO4J_PID_FILE")"

wait_gone() {
    local deadline=$((SECONDS + $1))
    while kill -0 "$pid" 2>/dev/null; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

started=$SECONDS
if [[ -x "$NEO4J_HOME_DIR/bin/neo4j" ]] && (find_java >/dev/null 2>&1); then
    find_java
    NEO4J_HOME="$NEO4J_HOME_DIR" NEO4J_CONF="$NEO4J_RUN_DIR/conf" NEO4J_SHUTDOWN_TIMEOUT="$timeout" \
        "$NEO4J_HOME_DIR/bin/neo4j" stop >/dev/null 2>&1 || true
fi
if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$timeout"; then
        log "pid $pid still alive after ${timeout} s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
        wait_gone 10 || { log "pid $pid survived SIGKILL"; exit 1; }
    fi
fi
rm -f "$NEO4J_PID_FILE" "$NEO4J_ENV_FILE"
log "stopped (pid $pid) in $((SECONDS - started)) s"
