# shellcheck shell=bash
# What tools/neo4j and tools/postgres share: the log prefix, the missing-prerequisite exit,
# a free port, and service_with, the whole of with-neo4j.sh and with-postgres.sh. Sourced
# by their common.sh, which first sets:
#   SERVICE_NAME             log prefix (neo4j, postgres)
#   SERVICE_TITLE            name in messages (Neo4j, PostgreSQL)
#   SERVICE_RUN_DIR          the run directory
#   SERVICE_MISSING_FILE     why the last start could not even try (written by `missing`)
#   SERVICE_ENV_FILE         export lines for the command, written by the start script
#   SERVICE_START, SERVICE_STOP   the start and stop scripts
#   SERVICE_KEEP_VAR         name of the variable that, set to 1, leaves a new server running
#   SERVICE_SKIP_VAR         name of the variable that gives the tests their skip reason
#   SERVICE_UNSET_VARS       names unset when the tests are to skip (an array)
#   SERVICE_MISSING_DEFAULT  the skip reason when the start script left none
# and defines service_running (true when the server of this run directory is up).
#
# Exit codes: 0 done; 1 failed; 3 a prerequisite is missing (callers may skip outside CI).

EXIT_MISSING_PREREQ=3

log() { printf '[%s] %s\n' "$SERVICE_NAME" "$*" >&2; }

missing() {
    log "MISSING PREREQUISITE: $*"
    if mkdir -p "$SERVICE_RUN_DIR" 2>/dev/null; then
        printf '%s\n' "$*" >"$SERVICE_MISSING_FILE" 2>/dev/null || true
    fi
    exit "$EXIT_MISSING_PREREQ"
}

# A port free on 127.0.0.1 now (the server binds it a moment later).
free_port() {
    "${1:-python3}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Runs "$@" against the service: starts it, exports what the start script wrote, runs the
# command and stops the server afterwards, also when the command fails or the wrapper gets
# INT, TERM or HUP. Never returns: exits with the command's status (128 + the signal's
# number after a signal). A server already running is reused and left running, and so is
# a new one when $SERVICE_KEEP_VAR is 1: then the command simply replaces the wrapper.
service_with() {
    if [[ $# -eq 0 ]]; then
        echo "usage: $0 COMMAND [ARGS...]" >&2
        exit 2
    fi
    SERVICE_OWNED=false
    SERVICE_SIGNAL=""
    SERVICE_SIGNALS=0
    SERVICE_CHILD=""
    if ! service_running && [[ "${!SERVICE_KEEP_VAR:-}" != 1 ]]; then
        SERVICE_OWNED=true
        # Armed before the start, so that a signal while the server comes up stops it too.
        trap _service_cleanup EXIT
        trap '_service_signal INT' INT
        trap '_service_signal TERM' TERM
        trap '_service_signal HUP' HUP
    fi
    rm -f "$SERVICE_MISSING_FILE"

    local rc=0 reason
    bash "$SERVICE_START" || rc=$?
    _service_exit_if_signalled
    if [[ $rc -eq 0 ]]; then
        # shellcheck source=/dev/null
        source "$SERVICE_ENV_FILE"
    elif [[ $rc -eq $EXIT_MISSING_PREREQ && "${CI:-}" != true ]]; then
        SERVICE_OWNED=false # nothing was started
        reason="$(cat "$SERVICE_MISSING_FILE" 2>/dev/null || echo "$SERVICE_MISSING_DEFAULT")"
        export "$SERVICE_SKIP_VAR=$SERVICE_TITLE not started: $reason"
        unset "${SERVICE_UNSET_VARS[@]}"
        log "WARNING: the $SERVICE_TITLE tests will skip: ${!SERVICE_SKIP_VAR}"
    else
        log "$SERVICE_TITLE did not start (exit $rc, CI=${CI:-}): failing the run"
        exit "$rc"
    fi

    if [[ $SERVICE_OWNED != true ]]; then
        exec "$@"
    fi
    # In the background, so that a signal to this wrapper is handled now and passed on, not
    # only after the command has finished on its own (bash runs traps between commands).
    # A background command would ignore INT and read /dev/null: undo both.
    (
        trap - INT QUIT
        exec "$@"
    ) <&0 &
    SERVICE_CHILD=$!
    # A signal that came between the fork and the line above found no child to pass it on
    # to (the command may already have started and said so, on a busy machine): pass it now.
    if [[ -n "$SERVICE_SIGNAL" ]]; then
        kill -"$SERVICE_SIGNAL" "$SERVICE_CHILD" 2>/dev/null || true
    fi
    local seen
    while :; do
        seen=$SERVICE_SIGNALS
        rc=0
        wait "$SERVICE_CHILD" || rc=$?
        # A signal ends wait early; wait again for the command, which now knows of it.
        # (bash keeps a finished child's status, so waiting twice is harmless.)
        [[ $seen == "$SERVICE_SIGNALS" ]] && break
    done
    _service_exit_if_signalled
    exit "$rc"
}

_service_signal() {
    SERVICE_SIGNAL=$1
    SERVICE_SIGNALS=$((SERVICE_SIGNALS + 1))
    if [[ -n "$SERVICE_CHILD" ]]; then
        kill -"$1" "$SERVICE_CHILD" 2>/dev/null || true
    fi
}

_service_exit_if_signalled() {
    case "$SERVICE_SIGNAL" in
    HUP) exit 129 ;;
    INT) exit 130 ;;
    TERM) exit 143 ;;
    esac
}

_service_cleanup() {
    if [[ $SERVICE_OWNED == true ]]; then
        bash "$SERVICE_STOP" || log "stopping failed: see $SERVICE_RUN_DIR"
    fi
}
