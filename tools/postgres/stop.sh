#!/usr/bin/env bash
# Stop the test PostgreSQL (fast shutdown); its data directory stays for the next start.
set -euo pipefail
# shellcheck source=tools/postgres/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if pg_running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA_DIR" -m fast -w stop >/dev/null
    log "stopped"
fi
rm -f "$PG_ENV_FILE"
