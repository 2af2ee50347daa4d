#!/usr/bin/env bash
# A Docker engine for the container suites, on a machine that may have none running:
#   bash scripts/docker/engine.sh start   # installs docker.io and debootstrap as root if missing,
#                                         # starts dockerd unless one answers, waits for it
#   bash scripts/docker/engine.sh stop    # stops the dockerd that `start` started, nothing else
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
run_dir="$root/.cache/docker"
pid_file="$run_dir/dockerd.pid"

die() { echo "engine.sh: $*" >&2; exit 1; }

start() {
  if docker info >/dev/null 2>&1; then
    echo "engine.sh: a Docker engine answers already" >&2
    return
  fi
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
      die "no Docker engine: install ${missing[*]} (Debian: apt-get install -y ${missing[*]}) and start dockerd"
    fi
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
  fi
  [ "$(id -u)" = 0 ] || die "dockerd is not running and starting it needs root"
  mkdir -p "$run_dir"
  dockerd >"$run_dir/dockerd.log" 2>&1 &
  echo $! >"$pid_file"
  for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
      echo "engine.sh: dockerd started (pid $(cat "$pid_file")); log: $run_dir/dockerd.log" >&2
      return
    fi
    sleep 1
  done
  tail -n 20 "$run_dir/dockerd.log" >&2
  die "dockerd did not answer within 60 s"
}

stop() {
  [ -f "$pid_file" ] || return 0
  local pid
  pid="$(cat "$pid_file")"
  rm -f "$pid_file"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 1
  done
  kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) die "usage: engine.sh start|stop" ;;
esac
