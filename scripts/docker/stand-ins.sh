#!/usr/bin/env bash
# Makes local stand-ins for the images docker-compose.yml names (Kafka and moto also for
# `npm run test:integration:containers`: test/support/container-peers.ts), where no image registry
# can be reached, from the registries that can (on top of base-images.sh's local/debian:bookworm):
#   local/kafka:<KAFKA_VERSION>   Debian's Java 17 + the Kafka jars from Maven Central
#                                 (scripts/kafka/pom.xml), configured by KAFKA_* variables
#   local/moto:<MOTO_VERSION>     Debian's Python + moto from PyPI (scripts/moto-requirements.txt)
#   local/prometheus:bookworm     Debian's prometheus package (2.x; the public image is 3.x)
#   local/redis:bookworm          Debian's redis-server package
#   local/jaeger:<JAEGER_VERSION> the `jaeger` binary (v2, all-in-one) built here with Go from the
#                                 Go module proxy; no UI (the module holds no built UI assets, the
#                                 public image does), the same collector and query API
# Versions come from scripts/versions.env (the environment overrides them). Grafana has no
# stand-in: it sits behind the compose profile `grafana`.
# Prints the variables docker-compose.yml takes, base-images.sh's two included:
#   eval "$(bash scripts/docker/stand-ins.sh)"; export KAFKA_IMAGE MOTO_IMAGE ...
#   REBUILD=1 bash scripts/docker/stand-ins.sh   # builds these five again
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$root/.cache/docker"
export DOCKER_BUILDKIT=0 # BuildKit would pull its frontend image from a registry

KAFKA_VERSION="${KAFKA_VERSION:-$(sed -n 's/^KAFKA_VERSION=//p' "$root/scripts/versions.env")}"
MOTO_VERSION="${MOTO_VERSION:-$(sed -n 's/^MOTO_VERSION=//p' "$root/scripts/versions.env")}"
JAEGER_VERSION="${JAEGER_VERSION:-$(sed -n 's/^JAEGER_VERSION=//p' "$root/scripts/versions.env")}"
JAEGER_MODULE_VERSION="${JAEGER_MODULE_VERSION:-$(sed -n 's/^JAEGER_MODULE_VERSION=//p' "$root/scripts/versions.env")}"
debian=local/debian:bookworm
kafka_image="local/kafka:$KAFKA_VERSION"
moto_image="local/moto:$MOTO_VERSION"
prometheus_image=local/prometheus:bookworm
redis_image=local/redis:bookworm
jaeger_image="local/jaeger:$JAEGER_VERSION"

has_image() { [ "${REBUILD:-0}" != 1 ] && docker image inspect "$1" >/dev/null 2>&1; }

# local/debian:bookworm, and the Dockerfile's bases (BUILD_IMAGE, RUNTIME_IMAGE).
REBUILD=0 bash "$root/scripts/docker/base-images.sh"

# Builds image $1 from scripts/docker/$2.Dockerfile with the context $3, quietly unless it fails.
build() {
  local log="$work/$2.build.log"
  echo "stand-ins: building $1" >&2
  if ! docker build -t "$1" --build-arg "DEBIAN=$debian" "${@:4}" \
    -f "$root/scripts/docker/$2.Dockerfile" "$3" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "stand-ins: building $1 failed; full output: $log" >&2
    exit 1
  fi
}

context="$work/stand-in-context"
if ! has_image "$kafka_image"; then
  command -v mvn >/dev/null || { echo "stand-ins: mvn is missing (it fetches the Kafka jars)" >&2; exit 1; }
  rm -rf "$context" && mkdir -p "$context"
  mvn -B -q -f "$root/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -Dkafka.major="${KAFKA_VERSION%%.*}" -DoutputDirectory="$context/libs" >"$work/kafka-jars.log" 2>&1 \
    || { tail -n 30 "$work/kafka-jars.log" >&2; exit 1; }
  cp "$root/scripts/kafka/log4j.properties" "$root/scripts/kafka/log4j2.xml" "$root/scripts/docker/kafka/run.sh" "$root/scripts/docker/kafka/tool.sh" "$context/"
  build "$kafka_image" kafka "$context"
fi
if ! has_image "$moto_image"; then
  rm -rf "$context" && mkdir -p "$context"
  # pip reaches PyPI through this machine's TLS-inspecting path; the bundle stays in the build.
  cp /etc/ssl/certs/ca-certificates.crt "$root/scripts/moto-requirements.txt" "$context/"
  build "$moto_image" moto "$context" --build-arg "MOTO_VERSION=$MOTO_VERSION"
fi
rm -rf "$context" && mkdir -p "$context"
has_image "$prometheus_image" || build "$prometheus_image" prometheus "$context"
has_image "$redis_image" || build "$redis_image" redis "$context"
if ! has_image "$jaeger_image"; then
  command -v go >/dev/null || { echo "stand-ins: go is missing (it builds Jaeger)" >&2; exit 1; }
  echo "stand-ins: building jaeger v$JAEGER_VERSION from the Go module proxy (about 10 minutes, once)" >&2
  started=$SECONDS
  # As compose.sh builds compose: a writable copy of the downloaded module, built in place.
  module="$(go mod download -json "github.com/jaegertracing/jaeger@v$JAEGER_MODULE_VERSION" \
    | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  [ -d "$module" ] || { echo "stand-ins: go mod download gave no Jaeger module directory" >&2; exit 1; }
  grep -qF "v$JAEGER_MODULE_VERSION / v$JAEGER_VERSION " "$module/CHANGELOG.md" \
    || { echo "stand-ins: Jaeger v$JAEGER_MODULE_VERSION is not v$JAEGER_VERSION (its CHANGELOG.md)" >&2; exit 1; }
  src="$work/jaeger-src"
  rm -rf "$src" && cp -r "$module" "$src" && chmod -R u+w "$src"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/jaegertracing/jaeger/internal/version.latestVersion=v$JAEGER_VERSION" \
    -o "$context/jaeger" ./cmd/jaeger) >"$work/jaeger-go.build.log" 2>&1 \
    || { tail -n 30 "$work/jaeger-go.build.log" >&2; exit 1; }
  rm -rf "$src"
  echo "stand-ins: jaeger built in $((SECONDS - started)) s" >&2
  build "$jaeger_image" jaeger "$context"
fi
rm -rf "$context"

echo "KAFKA_IMAGE=$kafka_image"
echo "MOTO_IMAGE=$moto_image"
echo "PROMETHEUS_IMAGE=$prometheus_image"
echo "REDIS_IMAGE=$redis_image"
echo "JAEGER_IMAGE=$jaeger_image"
