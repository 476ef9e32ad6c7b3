#!/usr/bin/env bash
# Start the test PostgreSQL (tools/postgres/run) and write tools/postgres/run/env with
# GUANXI_TEST_POSTGRES_URL. Reuses a server already running from this run directory.
set -euo pipefail
# shellcheck source=tools/postgres/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ensure_pg_bin
mkdir -p "$PG_RUN_DIR"
rm -f "$PG_MISSING_FILE"
if [[ $(id -u) -eq 0 ]]; then
    chown postgres "$PG_RUN_DIR"
fi

if pg_running && [[ -f "$PG_ENV_FILE" ]]; then
    log "already running ($(grep -o 'port=[0-9]*' "$PG_ENV_FILE" | head -1))"
    exit 0
fi

if [[ ! -f "$PG_DATA_DIR/PG_VERSION" ]]; then
    rm -rf "$PG_DATA_DIR"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA_DIR" -U "$PG_USER_NAME" --auth=trust -E UTF8 \
        --locale=C.UTF-8 >"$PG_RUN_DIR/initdb.log" 2>&1 ||
        as_pg "$PG_BIN/initdb" -D "$PG_DATA_DIR" -U "$PG_USER_NAME" --auth=trust -E UTF8 \
            --locale=C >"$PG_RUN_DIR/initdb.log" 2>&1 || {
        log "initdb failed:"
        cat "$PG_RUN_DIR/initdb.log" >&2
        exit 1
    }
fi

port="$(free_port)"
if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -l "$PG_LOG_FILE" -w -t 60 \
    -o "-p $port -k $PG_RUN_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null; then
    log "PostgreSQL did not start; its log:"
    tail -20 "$PG_LOG_FILE" >&2 || true
    exit 1
fi
as_pg "$PG_BIN/psql" -h "$PG_RUN_DIR" -p "$port" -U "$PG_USER_NAME" -d postgres -qAt \
    -c "SELECT 1 FROM pg_database WHERE datname = '$PG_DB_NAME'" | grep -q 1 ||
    as_pg "$PG_BIN/createdb" -h "$PG_RUN_DIR" -p "$port" -U "$PG_USER_NAME" "$PG_DB_NAME"

cat >"$PG_ENV_FILE" <<ENV
export GUANXI_TEST_POSTGRES_URL='postgresql+psycopg://$PG_USER_NAME@/$PG_DB_NAME?host=$PG_RUN_DIR&port=$port'
export GUANXI_TEST_POSTGRES_TCP_URL='postgresql+psycopg://$PG_USER_NAME@127.0.0.1:$port/$PG_DB_NAME'
ENV
log "running on 127.0.0.1:$port and $PG_RUN_DIR (env: $PG_ENV_FILE)"
