# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts that source this
# Shared settings for start.sh, stop.sh and with-postgres.sh. Sourced, not run.
# What every test service has in common is in tools/lib/service.sh.
#
# A throwaway PostgreSQL for the workflow tests, from Debian's postgresql packages:
# initdb into tools/postgres/run, listening on a free port on 127.0.0.1 and on a unix
# socket in the run directory; trust authentication (loopback and socket only).
#
# Exit codes: 0 done; 1 failed; 3 a prerequisite is missing (the PostgreSQL binaries):
# callers may skip outside CI. With CI=true missing binaries are installed with apt-get.

PG_TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PG_REPO_ROOT="$(cd "$PG_TOOLS_DIR/../.." && pwd)"
PG_RUN_DIR="${GUANXI_POSTGRES_RUN_DIR:-$PG_TOOLS_DIR/run}"
PG_DATA_DIR="$PG_RUN_DIR/data"
PG_ENV_FILE="$PG_RUN_DIR/env"
PG_LOG_FILE="$PG_RUN_DIR/postgres.log"
PG_MISSING_FILE="$PG_RUN_DIR/missing-prerequisite"
PG_USER_NAME="guanxi"
PG_DB_NAME="guanxi_test"
SERVICE_NAME=postgres
SERVICE_TITLE=PostgreSQL
SERVICE_RUN_DIR="$PG_RUN_DIR"
SERVICE_MISSING_FILE="$PG_MISSING_FILE"
SERVICE_ENV_FILE="$PG_ENV_FILE"
SERVICE_START="$PG_TOOLS_DIR/start.sh"
SERVICE_STOP="$PG_TOOLS_DIR/stop.sh"
SERVICE_KEEP_VAR=GUANXI_POSTGRES_KEEP_RUNNING
SERVICE_SKIP_VAR=GUANXI_TEST_POSTGRES_SKIP_REASON
SERVICE_UNSET_VARS=(GUANXI_TEST_POSTGRES_URL GUANXI_TEST_POSTGRES_TCP_URL)
SERVICE_MISSING_DEFAULT="PostgreSQL binaries missing"
# shellcheck source=tools/lib/service.sh
source "$PG_TOOLS_DIR/../lib/service.sh"

# Sets PG_BIN to the directory holding initdb / pg_ctl (Debian keeps them out of PATH).
find_pg_bin() {
    local d
    for d in "${GUANXI_POSTGRES_BIN:-}" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then
            PG_BIN="$d"
            return 0
        fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        PG_BIN="$(dirname "$(command -v initdb)")"
        return 0
    fi
    return 1
}

# The CI machine is Debian with apt access: install the server there; elsewhere, skip.
ensure_pg_bin() {
    find_pg_bin && return 0
    if [[ "${CI:-}" == true ]]; then
        log "PostgreSQL binaries missing: installing Debian's postgresql (CI=true)"
        local sudo=()
        [[ $(id -u) -ne 0 ]] && sudo=(sudo)
        "${sudo[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
            "${sudo[@]}" apt-get install -y -qq postgresql >/dev/null
        find_pg_bin && return 0
    fi
    missing "PostgreSQL server binaries (initdb, pg_ctl) not found; install Debian's postgresql package"
}

# PostgreSQL refuses to run as root: run its programs as the packages' postgres user then.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        id postgres >/dev/null 2>&1 || missing "running as root and there is no 'postgres' user to run the server as"
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_running() {
    [[ -f "$PG_DATA_DIR/postmaster.pid" ]] && find_pg_bin && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" status >/dev/null 2>&1
}

service_running() { pg_running; }
