#!/usr/bin/env bash
# Run a command against a test PostgreSQL:
#   tools/postgres/with-postgres.sh .venv/bin/python -m pytest tests/workflow
# starts it, exports GUANXI_TEST_POSTGRES_URL, runs the command and stops the server
# afterwards, also when the command fails or the wrapper gets INT, TERM or HUP (passed on
# to the command at once). Exits with the command's status (128 + the signal's number
# after a signal).
#
# PostgreSQL binaries missing: with CI=true they are installed with apt-get (and a failure
# fails the run); elsewhere the command still runs with GUANXI_TEST_POSTGRES_SKIP_REASON set,
# so the PostgreSQL tests skip with that reason. A server already running is reused and left
# running; so is a new one with GUANXI_POSTGRES_KEEP_RUNNING=1.
# The logic is tools/lib/service.sh, shared with the other test service.
set -euo pipefail
# shellcheck source=tools/postgres/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

service_with "$@"
