#!/usr/bin/env bash
# Makes local stand-ins for the Dockerfile's base images where no image registry can be reached:
# Debian from its own packages (debootstrap), Node 24 from the npm registry's `node` package (the
# binary the project's scripts already run). Same layout as the official images, so the
# Dockerfile builds unchanged given BUILD_IMAGE and RUNTIME_IMAGE:
#   local/debian:bookworm            debootstrap --variant=minbase
#   local/node-build:<node version>  Debian + node + npm at /usr/local (as node:*-bookworm-slim)
#   local/node-runtime:<node version> FROM scratch: /nodejs/bin/node, its libraries, CA
#                                    certificates, user 65532; no shell, no package manager
#                                    (as gcr.io/distroless/nodejs24-debian12:nonroot)
# Where the official images can be pulled, none of this is needed.
#
#   bash scripts/docker/base-images.sh            # builds what is missing, prints the two names
#   bash scripts/docker/base-images.sh --prefer-official   # the official bases when the engine
#                                                 # has both (docker pull them first), else stand-ins
#   REBUILD=1 bash scripts/docker/base-images.sh  # builds all three again
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$root/.cache/docker"
node_bin="$root/node_modules/node/bin/node"
export DOCKER_BUILDKIT=0 # BuildKit would pull its frontend image from a registry

[ -x "$node_bin" ] || { echo "base-images: $node_bin is missing: run npm ci first" >&2; exit 1; }
node_version="$("$node_bin" -p 'process.versions.node')"
debian=local/debian:bookworm
build_image="local/node-build:$node_version"
runtime_image="local/node-runtime:$node_version"

has_image() { [ "${REBUILD:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

# The mirror this machine's apt uses (deb822 or one-line sources).
debian_mirror() {
  local uri
  uri="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -v security | head -n 1 | awk '{print $2}')"
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ "${1:-}" = --prefer-official ]; then
  # The Dockerfile's defaults: one place says them.
  official_build="$(sed -n 's/^ARG BUILD_IMAGE=//p' "$root/Dockerfile")"
  official_runtime="$(sed -n 's/^ARG RUNTIME_IMAGE=//p' "$root/Dockerfile")"
  if docker image inspect "$official_build" "$official_runtime" >/dev/null 2>&1; then
    echo "BUILD_IMAGE=$official_build"
    echo "RUNTIME_IMAGE=$official_runtime"
    exit 0
  fi
fi

mkdir -p "$work"
if ! has_image "$debian"; then
  command -v debootstrap >/dev/null || { echo "base-images: debootstrap is missing: apt-get install -y debootstrap" >&2; exit 1; }
  rootfs="$work/bookworm-rootfs"
  rm -rf "$rootfs"
  echo "base-images: debootstrap bookworm from $(debian_mirror)" >&2
  debootstrap --variant=minbase bookworm "$rootfs" "$(debian_mirror)" >"$work/debootstrap.log" 2>&1 \
    || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$rootfs" -c . | docker import - "$debian" >/dev/null
  rm -rf "$rootfs"
fi

# The build context: the Node binary, npm and the host's CA bundle (registries are reached through
# a TLS-inspecting path here). Only the stand-ins carry the bundle; the service's image does not.
context="$work/context"
rm -rf "$context" && mkdir -p "$context"
cp "$node_bin" "$context/node"
cp -r "$(dirname "$(readlink -f "$(command -v npm)")")/.." "$context/npm"
cp /etc/ssl/certs/ca-certificates.crt "$context/ca-certificates.crt"

if ! has_image "$build_image"; then
  docker build -q -t "$build_image" --build-arg "DEBIAN=$debian" \
    -f "$root/scripts/docker/node-build.Dockerfile" "$context" >/dev/null
fi
if ! has_image "$runtime_image"; then
  docker build -q -t "$runtime_image" --build-arg "DEBIAN=$debian" \
    -f "$root/scripts/docker/node-runtime.Dockerfile" "$context" >/dev/null
fi
rm -rf "$context"
echo "BUILD_IMAGE=$build_image"
echo "RUNTIME_IMAGE=$runtime_image"
