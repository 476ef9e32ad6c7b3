# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this
# Shared settings for fetch.sh, start.sh, stop.sh and with-neo4j.sh. Sourced, not run.
# What every test service has in common is in tools/lib/service.sh.
#
# Exit codes used by the scripts:
#   0  done
#   1  failed (Neo4j did not start, Maven could not resolve, ...)
#   3  a prerequisite is missing (Java 17/21 or Maven): callers may skip outside CI

# 5.26 is the Neo4j 5 LTS line and runs on Java 17 (also 21). The calendar releases
# (2025.x, 2026.x) need Java 21+. GDS 2.13.x is the last GDS line built for 5.26.
NEO4J_VERSION="${GUANXI_NEO4J_VERSION:-5.26.30}"
GDS_VERSION="${GUANXI_GDS_VERSION:-2.13.9}"
# maven-dependency-plugin 2.8 (Maven 3.8's default) cannot print artifact paths.
MVN_DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

NEO4J_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NEO4J_REPO_ROOT="$(cd "$NEO4J_TOOLS_DIR/../.." && pwd)"
NEO4J_DIST_DIR="$NEO4J_TOOLS_DIR/dist"
NEO4J_HOME_DIR="$NEO4J_DIST_DIR/neo4j-community-$NEO4J_VERSION"
NEO4J_STAMP="$NEO4J_HOME_DIR/.fetched-gds-$GDS_VERSION"
NEO4J_RUN_DIR="${GUANXI_NEO4J_RUN_DIR:-$NEO4J_TOOLS_DIR/run}"
NEO4J_PID_FILE="$NEO4J_RUN_DIR/run/neo4j.pid"
NEO4J_ENV_FILE="$NEO4J_RUN_DIR/env"
# Why the last start could not even try (read by with-neo4j.sh for the skip reason).
NEO4J_MISSING_FILE="$NEO4J_RUN_DIR/missing-prerequisite"

SERVICE_NAME=neo4j
SERVICE_TITLE=Neo4j
SERVICE_RUN_DIR="$NEO4J_RUN_DIR"
SERVICE_MISSING_FILE="$NEO4J_MISSING_FILE"
SERVICE_ENV_FILE="$NEO4J_ENV_FILE"
SERVICE_START="$NEO4J_TOOLS_DIR/start.sh"
SERVICE_STOP="$NEO4J_TOOLS_DIR/stop.sh"
SERVICE_KEEP_VAR=GUANXI_NEO4J_KEEP_RUNNING
SERVICE_SKIP_VAR=GUANXI_NEO4J_SKIP_REASON
SERVICE_UNSET_VARS=(GUANXI_NEO4J_URI)
SERVICE_MISSING_DEFAULT="Java 17/21 or Maven missing"
# shellcheck source=tools/lib/service.sh
source "$NEO4J_TOOLS_DIR/../lib/service.sh"

java_major() {
    # Prints the feature release of the given java binary (17, 21, 25, ...).
    "$1" -XshowSettings:properties -version 2>&1 |
        awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

# Sets JAVA_HOME to a JDK that Neo4j $NEO4J_VERSION supports (5.x: 17 or 21), or exits 3.
# The Neo4j bootloader starts the server JVM from JAVA_HOME, so it must be exported.
find_java() {
    local candidates=() c major
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    for c in /usr/lib/jvm/*-17-* /usr/lib/jvm/*-21-* /usr/lib/jvm/*17* /usr/lib/jvm/*21*; do
        [[ -d "$c" ]] && candidates+=("$c")
    done
    for c in "${candidates[@]}"; do
        [[ -x "$c/bin/java" ]] || continue
        major="$(java_major "$c/bin/java")"
        if [[ "$major" == 17 || "$major" == 21 ]]; then
            export JAVA_HOME="$c"
            return 0
        fi
    done
    missing "Neo4j $NEO4J_VERSION needs Java 17 or 21 (none found; JAVA_HOME='${JAVA_HOME:-}')."
}

# The Python that has the `neo4j` driver (the project's venv first).
find_python() {
    local p
    for p in "${GUANXI_PYTHON:-}" "$NEO4J_REPO_ROOT/.venv/bin/python" python3; do
        [[ -n "$p" ]] || continue
        if "$p" -c 'import neo4j' >/dev/null 2>&1; then
            printf '%s\n' "$p"
            return 0
        fi
    done
    missing "no Python with the 'neo4j' driver (pip install -e '.[dev]' into .venv)."
}

# True when the pid in the pid file is a live Neo4j of this run directory.
neo4j_running() {
    local pid
    [[ -f "$NEO4J_PID_FILE" ]] || return 1
    pid="$(cat "$NEO4J_PID_FILE" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--config-dir=$NEO4J_RUN_DIR/conf"
}

service_running() { neo4j_running; }
