#!/usr/bin/env bash
# Runs moto's server as a local Amazon Cognito (cognito-idp) emulator on
# 127.0.0.1, for the integration tests and for trying the service by hand.
#
# Usage: scripts/moto.sh start|stop|status|restart
#
#   start    install moto into .cache/moto-venv (only when missing or when
#            scripts/moto-requirements.txt changed), start the server in the
#            background and wait until it answers. The only line on stdout is
#            COGNITO_ENDPOINT=http://127.0.0.1:<port>, so callers can do
#            `eval "$(scripts/moto.sh start)"`; progress goes to stderr.
#            Succeeds without doing anything if it is already running.
#   stop     SIGTERM, then SIGKILL if it has not exited after a grace period.
#   status   exit 0 if running, 1 if not.
#   restart  stop, then start (wipes all emulated state).
#
# Environment:
#   MOTO_PORT    port to listen on (default 5000). Each port has its own pid
#                file and log under .cache/moto/<port>/, so several servers
#                (e.g. parallel test runs) can coexist.
#   MOTO_PYTHON  interpreter used to create the virtualenv (default python3).
#   MOTO_VERSION moto's version, default from scripts/versions.env (pip expands it
#                in scripts/moto-requirements.txt).
set -euo pipefail

# Resolve everything from the script's own location so it works from any cwd.
SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd -- "$SCRIPT_DIR/.." && pwd)
readonly SCRIPT_DIR REPO_ROOT

readonly REQUIREMENTS="$SCRIPT_DIR/moto-requirements.txt"
readonly CACHE_DIR="$REPO_ROOT/.cache"
readonly VENV_DIR="$CACHE_DIR/moto-venv"
# Written only after a successful install, so an interrupted pip run is
# retried on the next start instead of leaving a half-built venv in use.
readonly VENV_MARKER="$VENV_DIR/.requirements.sha256"
readonly MOTO_PYTHON="${MOTO_PYTHON:-python3}"
MOTO_VERSION="${MOTO_VERSION:-$(sed -n 's/^MOTO_VERSION=//p' "$SCRIPT_DIR/versions.env")}"
export MOTO_VERSION

# Loopback only: the emulator must never be reachable from elsewhere.
readonly MOTO_HOST=127.0.0.1
readonly MOTO_PORT="${MOTO_PORT:-5000}"
readonly STATE_DIR="$CACHE_DIR/moto/$MOTO_PORT"
readonly PID_FILE="$STATE_DIR/moto.pid"
readonly LOG_FILE="$STATE_DIR/moto.log"
readonly LOCK_FILE="$CACHE_DIR/moto/.lock"

readonly START_TIMEOUT_S=60
readonly STOP_TIMEOUT_S=10

log() { printf 'moto.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

endpoint() { printf 'http://%s:%s' "$MOTO_HOST" "$MOTO_PORT"; }

# Serialises start/stop across concurrent callers (e.g. two test runners
# starting at once), which would otherwise race on the venv and pid file.
take_lock() {
  mkdir -p "$(dirname -- "$LOCK_FILE")"
  exec 9>"$LOCK_FILE"
  flock 9
}

# The hash covers the interpreter version too: a venv is tied to the Python
# it was made with, so a new interpreter needs a fresh one.
requirements_hash() {
  {
    cat -- "$REQUIREMENTS"
    echo "moto $MOTO_VERSION"
    "$MOTO_PYTHON" --version 2>&1
  } | sha256sum | cut -d' ' -f1
}

venv_is_current() {
  [[ -x "$VENV_DIR/bin/moto_server" && -f "$VENV_MARKER" ]] &&
    [[ "$(cat -- "$VENV_MARKER")" == "$(requirements_hash)" ]]
}

# Rebuilds from scratch rather than upgrading in place, so a package dropped
# from the requirements file does not linger in the venv.
ensure_venv() {
  if venv_is_current; then
    return 0
  fi
  log "installing moto into ${VENV_DIR#"$REPO_ROOT"/} (requirements missing or changed)"
  rm -rf -- "$VENV_DIR"
  "$MOTO_PYTHON" -m venv "$VENV_DIR"
  # pip's stdout goes to stderr: stdout is reserved for the endpoint line.
  "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$REQUIREMENTS" >&2
  requirements_hash >"$VENV_MARKER"
}

read_pid() {
  [[ -f "$PID_FILE" ]] && cat -- "$PID_FILE"
}

# A pid file can outlive its process and the pid be reused by something
# else, so check that the process really is a moto_server. An exited but
# not yet reaped (zombie) process has an empty cmdline, so it counts as gone.
is_moto_process() {
  local pid=$1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  grep -qa moto_server "/proc/$pid/cmdline" 2>/dev/null
}

is_running() {
  local pid
  pid=$(read_pid) || return 1
  is_moto_process "$pid"
}

# Polls until the process is gone or the timeout (seconds) passes.
wait_for_exit() {
  local pid=$1 deadline=$((SECONDS + $2))
  while is_moto_process "$pid" && ((SECONDS < deadline)); do
    sleep 0.2
  done
  ! is_moto_process "$pid"
}

# GET /moto-api/ (the dashboard) has no side effects, unlike
# POST /moto-api/reset, so polling it cannot wipe state of a running server.
answers_http() {
  "$VENV_DIR/bin/python" - "$(endpoint)/moto-api/" <<'PY' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
    sys.exit(0 if response.status == 200 else 1)
PY
}

wait_until_ready() {
  local pid=$1 deadline=$((SECONDS + START_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    if answers_http; then
      return 0
    fi
    # Fail fast (e.g. port already taken) instead of waiting out the timeout.
    if ! is_moto_process "$pid"; then
      log "moto_server exited during startup; last lines of $LOG_FILE:"
      tail -n 20 -- "$LOG_FILE" >&2 || true
      rm -f -- "$PID_FILE"
      return 1
    fi
    sleep 0.25
  done
  log "moto_server did not answer within ${START_TIMEOUT_S}s; stopping it"
  stop_server
  return 1
}

start_server() {
  if is_running; then
    log "already running on $(endpoint) (pid $(read_pid))"
    return 0
  fi
  ensure_venv
  # Something else (e.g. a moto started by hand) already answering on the
  # port would make the readiness poll succeed for the wrong server.
  if answers_http; then
    die "port $MOTO_PORT already answers HTTP but is not a server started by this script"
  fi
  mkdir -p -- "$STATE_DIR"
  log "starting moto_server on $(endpoint), log: ${LOG_FILE#"$REPO_ROOT"/}"
  # nohup + redirected stdio so the server outlives this shell and does not
  # hold the caller's stdout pipe open; 9>&- so it does not inherit the lock.
  nohup "$VENV_DIR/bin/moto_server" -H "$MOTO_HOST" -p "$MOTO_PORT" \
    </dev/null >"$LOG_FILE" 2>&1 9>&- &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  wait_until_ready "$pid" || die "moto_server failed to start"
  log "ready (pid $pid)"
}

stop_server() {
  if ! is_running; then
    log "not running on port $MOTO_PORT"
    rm -f -- "$PID_FILE"
    return 0
  fi
  local pid
  pid=$(read_pid)
  kill -TERM "$pid" 2>/dev/null || true
  if ! wait_for_exit "$pid" "$STOP_TIMEOUT_S"; then
    log "still alive after ${STOP_TIMEOUT_S}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    wait_for_exit "$pid" 5 || die "pid $pid survived SIGKILL"
  fi
  rm -f -- "$PID_FILE"
  log "stopped (pid $pid)"
}

usage() {
  log "usage: $0 start|stop|status|restart"
  exit 2
}

main() {
  [[ $# -eq 1 ]] || usage
  [[ "$MOTO_PORT" =~ ^[0-9]+$ ]] || die "MOTO_PORT must be a number, got '$MOTO_PORT'"
  [[ "$MOTO_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "MOTO_VERSION must be like 5.2.5, got '$MOTO_VERSION'"
  case "$1" in
    start)
      take_lock
      start_server
      echo "COGNITO_ENDPOINT=$(endpoint)"
      ;;
    stop)
      take_lock
      stop_server
      ;;
    restart)
      take_lock
      stop_server
      start_server
      echo "COGNITO_ENDPOINT=$(endpoint)"
      ;;
    status)
      if is_running; then
        log "running on $(endpoint) (pid $(read_pid))"
      else
        log "not running on port $MOTO_PORT"
        exit 1
      fi
      ;;
    *) usage ;;
  esac
}

main "$@"
