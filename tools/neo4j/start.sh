#!/usr/bin/env bash
# Start a throwaway Neo4j test server (data, logs and config under tools/neo4j/run/),
# wait until Bolt answers, report the Neo4j and GDS versions and write tools/neo4j/run/env.
#
# Settings (environment):
#   GUANXI_NEO4J_PORT          Bolt port (default: a free port)
#   GUANXI_NEO4J_HTTP_PORT     HTTP port, loopback only (default: a free port; 0 = HTTP off)
#   GUANXI_NEO4J_PASSWORD      password of user neo4j (default: guanxi-test-pw, >= 8 chars)
#   GUANXI_NEO4J_HEAP          heap size (default: 1g; transactions may use 70 % of it, and
#                              358 MiB, 70 % of 512m, ran out once in the suite's Neo4j
#                              pattern run on the 3,000-person county)
#   GUANXI_NEO4J_PAGECACHE     page cache size (default: 256m)
#   GUANXI_NEO4J_START_TIMEOUT seconds to wait for Bolt (default: 90)
#   GUANXI_NEO4J_TX_TIMEOUT    db.transaction.timeout (default: 120s; 0 = no limit)
#
# A server already running from this run directory is reused, not restarted. Otherwise
# the run directory is wiped first: every start is a fresh, empty database.
# Exit 3 when Java or Maven is missing, 1 when Neo4j does not come up (log tail printed).
set -euo pipefail
# shellcheck source=tools/neo4j/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

password="${GUANXI_NEO4J_PASSWORD:-guanxi-test-pw}"
heap="${GUANXI_NEO4J_HEAP:-1g}"
pagecache="${GUANXI_NEO4J_PAGECACHE:-256m}"
# Memory one transaction, and all of them together, may take from the heap: past it the
# query fails (TransactionOutOfMemoryError / MemoryPoolOutOfMemoryError), the server goes on.
tx_memory="${GUANXI_NEO4J_TX_MEMORY:-256m}"
tx_memory_total="${GUANXI_NEO4J_TX_MEMORY_TOTAL:-512m}"
timeout="${GUANXI_NEO4J_START_TIMEOUT:-90}"
# Longest a transaction may run (0: no limit). The city's GDS projection is one
# transaction and takes longer than the tests' 120 s.
tx_timeout="${GUANXI_NEO4J_TX_TIMEOUT:-120s}"

python="$(find_python)"
find_java
bash "$NEO4J_TOOLS_DIR/fetch.sh"

if neo4j_running; then
    log "already running (pid $(cat "$NEO4J_PID_FILE")); reusing it: $NEO4J_ENV_FILE"
    [[ -f "$NEO4J_ENV_FILE" ]] || { log "but $NEO4J_ENV_FILE is missing; run stop.sh first"; exit 1; }
    # shellcheck source=/dev/null
    source "$NEO4J_ENV_FILE"
    "$python" "$NEO4J_TOOLS_DIR/probe.py" "$GUANXI_NEO4J_URI" "$GUANXI_NEO4J_USER" \
        "$GUANXI_NEO4J_PASSWORD" --timeout 10 | sed 's/^/[neo4j] /' >&2
    exit 0
fi

bolt_port="${GUANXI_NEO4J_PORT:-$(free_port "$python")}"
http_port="${GUANXI_NEO4J_HTTP_PORT:-$(free_port "$python")}"
while [[ "$http_port" != 0 && "$http_port" == "$bolt_port" ]]; do http_port="$(free_port "$python")"; done
for port in "$bolt_port" "$http_port"; do
    [[ "$port" == 0 ]] && continue
    "$python" -c 'import socket, sys; socket.create_server(("127.0.0.1", int(sys.argv[1]))).close()' \
        "$port" 2>/dev/null || { log "FAILED: port 127.0.0.1:$port is in use"; exit 1; }
done

run="$NEO4J_RUN_DIR"
mkdir -p "$run"
rm -rf "$run/conf" "$run/data" "$run/logs" "$run/run" "$run/import" \
    "$NEO4J_ENV_FILE"
mkdir -p "$run/conf" "$run/data" "$run/logs" "$run/run" "$run/import"

if [[ "$http_port" == 0 ]]; then
    http_conf="server.http.enabled=false"
else
    http_conf="server.http.enabled=true
server.http.listen_address=127.0.0.1:$http_port"
fi
cat >"$run/conf/neo4j.conf" <<EOF
# Written by tools/neo4j/start.sh for a throwaway test instance. Do not edit: rewritten on start.
server.directories.data=$run/data
server.directories.logs=$run/logs
server.directories.run=$run/run
server.directories.import=$run/import
server.directories.plugins=$NEO4J_HOME_DIR/plugins

server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$bolt_port
server.bolt.tls_level=DISABLED
$http_conf
server.https.enabled=false

dbms.security.auth_enabled=true
dbms.usage_report.enabled=false
dbms.security.procedures.unrestricted=gds.*
dbms.security.procedures.allowlist=gds.*

server.memory.heap.initial_size=$heap
server.memory.heap.max_size=$heap
server.memory.pagecache.size=$pagecache
db.memory.transaction.max=$tx_memory
dbms.memory.transaction.total.max=$tx_memory_total
db.transaction.timeout=$tx_timeout
db.lock.acquisition.timeout=60s
# fallocate on the transaction log fails on some container file systems; nothing to gain here.
db.tx_log.preallocate=false

# The JVM flags of the distribution's default neo4j.conf, less -XX:+AlwaysPreTouch
# (it would touch the whole heap at start: slower start, full-heap RSS for a test server).
server.jvm.additional=-XX:+UseG1GC
server.jvm.additional=-XX:-OmitStackTraceInFastThrow
server.jvm.additional=-XX:+UnlockExperimentalVMOptions
server.jvm.additional=-XX:+TrustFinalNonStaticFields
server.jvm.additional=-XX:+DisableExplicitGC
server.jvm.additional=-Djdk.nio.maxCachedBufferSize=1024
server.jvm.additional=-Dio.netty.tryReflectionSetAccessible=true
server.jvm.additional=-Djdk.tls.ephemeralDHKeySize=2048
server.jvm.additional=-Djdk.tls.rejectClientInitiatedRenegotiation=true
server.jvm.additional=--add-opens=java.base/java.nio=ALL-UNNAMED
server.jvm.additional=--add-opens=java.base/java.io=ALL-UNNAMED
server.jvm.additional=--add-opens=java.base/sun.nio.ch=ALL-UNNAMED
server.jvm.additional=-Dlog4j2.disable.jmx=true
server.jvm.additional=-XX:+ExitOnOutOfMemoryError
EOF

export NEO4J_HOME="$NEO4J_HOME_DIR" NEO4J_CONF="$run/conf"
"$NEO4J_HOME_DIR/bin/neo4j-admin" dbms set-initial-password "$password" >"$run/logs/admin.log" 2>&1 || {
    log "neo4j-admin dbms set-initial-password failed:"
    cat "$run/logs/admin.log" >&2
    exit 1
}

fail() {
    log "FAILED: $*"
    local f
    for f in "$run/logs/neo4j.log" "$run/logs/debug.log"; do
        [[ -f "$f" ]] || continue
        log "--- tail of $f"
        tail -n 40 "$f" >&2
    done
    bash "$NEO4J_TOOLS_DIR/stop.sh" >/dev/null 2>&1 || true
    exit 1
}

started=$SECONDS
"$NEO4J_HOME_DIR/bin/neo4j" start >"$run/logs/start.log" 2>&1 || {
    cat "$run/logs/start.log" >&2
    fail "bin/neo4j start exited non-zero"
}
[[ -f "$NEO4J_PID_FILE" ]] || fail "no pid file $NEO4J_PID_FILE"
pid="$(cat "$NEO4J_PID_FILE")"

uri="bolt://127.0.0.1:$bolt_port"
if ! report="$("$python" "$NEO4J_TOOLS_DIR/probe.py" "$uri" neo4j "$password" \
    --timeout "$timeout" --pid "$pid")"; then
    fail "Bolt did not answer on $uri"
fi
elapsed=$((SECONDS - started))
value() { sed -n "s/^$1=//p" <<<"$report"; }
neo4j_version="$(value neo4j_version)"
gds_version="$(value gds_version)"
rss_mb=$(($(awk '/^VmRSS/ {print $2}' "/proc/$pid/status") / 1024))

{
    echo "# Written by tools/neo4j/start.sh on $(date -u +%FT%TZ). Load with: . $NEO4J_ENV_FILE"
    echo "export GUANXI_NEO4J_URI=$uri"
    echo "export GUANXI_NEO4J_USER=neo4j"
    echo "export GUANXI_NEO4J_PASSWORD=$(printf '%q' "$password")"
    if [[ "$http_port" != 0 ]]; then
        echo "export GUANXI_NEO4J_HTTP_URI=http://127.0.0.1:$http_port"
    fi
    echo "export GUANXI_NEO4J_SERVER_VERSION=$neo4j_version"
    # Where the server lives, for tests of the offline import (guanxi stops and starts it
    # only when GUANXI_NEO4J_HOME is set; these names do not set it).
    echo "export GUANXI_NEO4J_TEST_HOME=$(printf '%q' "$NEO4J_HOME_DIR")"
    echo "export GUANXI_NEO4J_TEST_CONF=$(printf '%q' "$run/conf")"
    echo "export GUANXI_NEO4J_TEST_JAVA_HOME=$(printf '%q' "$JAVA_HOME")"
    echo "export GUANXI_NEO4J_GDS_VERSION=$gds_version"
} >"$NEO4J_ENV_FILE"

log "Neo4j $neo4j_version ($(value edition)) answered on $uri after ${elapsed} s (pid $pid, RSS ${rss_mb} MB, Java $(java_major "$JAVA_HOME/bin/java"))"
if [[ -n "$gds_version" ]]; then
    log "GDS $gds_version answered: $(value gds_procedures) gds.* procedures"
else
    log "GDS did not answer: $(value gds_error)"
fi
log "env: $NEO4J_ENV_FILE"
