#!/usr/bin/env bash
# `docker compose` (v2) where the engine has no compose plugin: builds the CLI from the Go module
# proxy at the pinned version into .cache/docker/compose-<version>/ once, then runs it standalone
# (a v2 binary is both the plugin and `docker-compose`). Where `docker compose version` answers,
# that is used and nothing is built. Debian's docker-compose 1.29 (v1) cannot read this project's
# compose file (top-level `name`), so v1 is never a fallback.
#
#   bash scripts/docker/compose.sh up -d        # any docker compose arguments
#   bash scripts/docker/compose.sh --install    # only make sure a v2 is there, print its command
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# The Go module of the release pinned in scripts/versions.env is the source.
COMPOSE_VERSION="${COMPOSE_VERSION:-$(sed -n 's/^COMPOSE_VERSION=//p' "$root/scripts/versions.env")}"
plugin_dir="$root/.cache/docker/compose-$COMPOSE_VERSION"
binary="$plugin_dir/docker-compose"

build_compose() {
  command -v go >/dev/null || { echo "compose.sh: no docker compose and no go to build it with" >&2; exit 1; }
  echo "compose.sh: building docker compose v$COMPOSE_VERSION from the Go module proxy (a few minutes, once)" >&2
  local module src
  # `go install module@version` refuses this module (its go.mod has exclude directives);
  # building inside a writable copy of the downloaded module works.
  module="$(go mod download -json "github.com/docker/compose/v2@v$COMPOSE_VERSION" \
    | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -d "$module" ] || { echo "compose.sh: go mod download gave no module directory" >&2; exit 1; }
  src="$plugin_dir/src"
  rm -rf "$src" && mkdir -p "$plugin_dir"
  cp -r "$module" "$src" && chmod -R u+w "$src"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=v$COMPOSE_VERSION" \
    -o "$binary.tmp" ./cmd)
  mv "$binary.tmp" "$binary"
  rm -rf "$src"
}

# The command that runs compose v2 here, as words.
compose_command() {
  if docker compose version >/dev/null 2>&1; then
    echo docker compose
    return
  fi
  [ -x "$binary" ] || build_compose
  echo "$binary"
}

if [ "${1:-}" = --install ]; then
  compose_command
  exit 0
fi
# shellcheck disable=SC2207 # the command is one or two words without spaces inside
command=($(compose_command))
exec "${command[@]}" "$@"
