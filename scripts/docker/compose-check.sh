#!/usr/bin/env bash
# The compose demo, for real: builds what is missing (compose v2, the stand-in images, the
# service's image), `up --wait`, the example events through it with their outcomes checked,
# /readyz, Prometheus with the alert rules loaded and the service scraped, then `down` and no
# container, network or volume of the project left. Its own project name and ports (127.0.0.1
# only), so a demo on the default ports and the test suites' brokers are left alone.
#
#   bash scripts/docker/compose-check.sh            # stand-ins for every image (no registry here)
#   bash scripts/docker/compose-check.sh --public   # the public images: docker compose pulls them
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# BuildKit would pull its frontend image; compose would otherwise try to build through it (Bake).
export DOCKER_BUILDKIT=0 COMPOSE_BAKE=false
project=user-provisioner-check
export DEMO_METRICS_PORT=38464 DEMO_PROMETHEUS_PORT=38090 DEMO_MOTO_PORT=38500 DEMO_GRAFANA_PORT=38300
# The image's OCI labels: the commit built and, where the clone has one, its origin's URL.
REVISION="$(git rev-parse HEAD)"
SOURCE="$(git remote get-url origin 2>/dev/null || true)"
export REVISION SOURCE
started=$SECONDS

log() { echo "compose-check: $*" >&2; }
fail() { log "FAILED: $*"; exit 1; }
# Runs a step and says how long it took.
timed() {
  local label=$1 at=$SECONDS
  shift
  "$@"
  log "$label: $((SECONDS - at)) s"
}

# shellcheck disable=SC2207 # one or two words, none with spaces
compose_cli=($(bash scripts/docker/compose.sh --install))
compose() { "${compose_cli[@]}" -p "$project" "$@"; }
log "compose: $("${compose_cli[@]}" version)"

if [ "${1:-}" != --public ]; then
  images="$(timed "stand-in images" bash scripts/docker/stand-ins.sh)"
  while IFS='=' read -r name value; do export "$name=$value"; done <<<"$images"
fi

leftovers() {
  local label="label=com.docker.compose.project=$project"
  docker ps -aq --filter "$label"
  docker network ls -q --filter "$label"
  docker volume ls -q --filter "$label"
}
down() { compose --profile '*' down -v --remove-orphans --timeout 60 >&2; }
finish() {
  local status=$?
  if [ "$status" != 0 ]; then
    compose ps -a >&2 || true
    compose logs --no-color --tail 40 >&2 || true
  fi
  timed down down || status=1
  if [ -n "$(leftovers)" ]; then
    log "FAILED: left behind by down:"
    leftovers >&2
    status=1
  fi
  log "wall time $((SECONDS - started)) s"
  if [ "$status" = 0 ]; then log passed; else log failed; fi
  exit "$status"
}
[ -z "$(leftovers)" ] || { log "an earlier run left $project behind: removing it"; down; }
trap finish EXIT

timed "build the service image" compose build user-provisioner >&2
timed up compose up -d --wait --wait-timeout 240 --no-build >&2

outcomes="$(timed examples compose run --rm -T send-examples)"
echo "$outcomes"
# The four examples: a new user, its binary-mode replay, an invalid request, a dead letter.
expect() { grep -qF -- "$2" <<<"$outcomes" || fail "no $1 among the outcomes (looked for $2)"; }
expect "user created" '"type":"user.created.v1"'
expect "replay of the same request" '"alreadyExisted":true'
expect "failed provisioning of the invalid request" '"type":"user.provisioning-failed.v1"'
expect "dead letter of the message that is no event" 'this is not an event'

curl -fsS "http://127.0.0.1:$DEMO_METRICS_PORT/readyz" >/dev/null || fail "/readyz did not answer 200"
log "/readyz: 200"

prometheus="http://127.0.0.1:$DEMO_PROMETHEUS_PORT/api/v1"
rules="$(curl -fsS "$prometheus/rules")"
while read -r alert; do
  grep -qF "\"name\":\"$alert\"" <<<"$rules" || fail "Prometheus has not loaded the alert $alert"
done < <(sed -n 's/^ *- alert: *//p' deploy/prometheus/alerts.yml)
log "Prometheus: every alert of deploy/prometheus/alerts.yml loaded"
# The first scrape comes within one scrape interval (15 s) of the start.
for _ in $(seq 30); do
  curl -fsS "$prometheus/query" --data-urlencode 'query=up{job="user-provisioner"}' | grep -qF '"1"]' && break
  sleep 2
done || true
curl -fsS "$prometheus/query" --data-urlencode 'query=up{job="user-provisioner"}' | grep -qF '"1"]' \
  || fail "Prometheus does not scrape the service (up{job=\"user-provisioner\"} is not 1)"
log "Prometheus: scrapes the service"

log "images:"
for image in "${KAFKA_IMAGE:-}" "${MOTO_IMAGE:-}" "${REDIS_IMAGE:-}" "${PROMETHEUS_IMAGE:-}" \
  "$(compose config --images | grep -m1 user-provisioner)"; do
  [ -n "$image" ] && docker image ls --format '  {{.Repository}}:{{.Tag}} {{.Size}}' "$image" >&2
done
