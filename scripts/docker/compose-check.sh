#!/usr/bin/env bash
# The compose demo, for real: builds what is missing (compose v2, the stand-in images, the
# service's image), `up --wait`, the example events through it with their outcomes checked, the
# new user's trace in Jaeger, /readyz, Prometheus with the alert rules loaded and the service
# scraped, then `down` and no container, network or volume of the project left. Its own project
# name and ports (127.0.0.1 only), so a demo on the default ports and the test suites' brokers
# are left alone.
#
#   bash scripts/docker/compose-check.sh            # stand-ins for every image (no registry here)
#   bash scripts/docker/compose-check.sh --public   # the public images: docker compose pulls them
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
# BuildKit would pull its frontend image; compose would otherwise try to build through it (Bake).
export DOCKER_BUILDKIT=0 COMPOSE_BAKE=false
project=user-provisioner-check
export DEMO_METRICS_PORT=38464 DEMO_PROMETHEUS_PORT=38090 DEMO_MOTO_PORT=38500 DEMO_GRAFANA_PORT=38300 \
  DEMO_JAEGER_PORT=38686
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

# The new user's request as one trace in Jaeger: the user.created.v1 outcome's traceparent names
# the trace and its `process` span. Spans leave the service in batches (every 5 s), so Jaeger's
# query API (/api/traces, what its UI reads) is polled for up to 60 s.
jaeger_trace() {
  node_modules/.bin/node --input-type=module - "http://127.0.0.1:$DEMO_JAEGER_PORT" "$outcomes" <<'JS'
import { setTimeout } from 'node:timers/promises';
const [jaeger, outcomes] = process.argv.slice(2);
const fail = (message) => { console.error(`compose-check: FAILED: ${message}`); process.exit(1); };
// Jaeger writes a trace id whose high half is zero in 16 digits; a traceparent has all 32.
const hex32 = (id) => id.padStart(32, '0');

// kafka-console-consumer's lines: headers, key and value, tab-separated.
const created = outcomes.split('\n').map((line) => line.split('\t').at(-1))
  .flatMap((value) => { try { return [JSON.parse(value)]; } catch { return []; } })
  .find((event) => event.type === 'user.created.v1');
const [, traceId, spanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(created?.traceparent ?? '') ?? [];
if (traceId === undefined) fail(`the user.created.v1 outcome has no traceparent (${created?.traceparent})`);

const wanted = ['process user-requested', 'CognitoIdentityProvider.AdminCreateUser', 'send user-created'];
const names = (trace) => new Set(trace.spans.map((span) => span.operationName));
let traces = [];
for (const deadline = Date.now() + 60_000; ; await setTimeout(2000)) {
  const response = await fetch(`${jaeger}/api/traces?service=user-provisioner&limit=100`, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
  traces = response?.ok ? (await response.json()).data : [];
  if (traces.some((trace) => wanted.every((name) => names(trace).has(name)))) break;
  if (Date.now() > deadline) {
    const seen = traces.map((trace) => `${trace.traceID}: ${[...names(trace)].join(', ')}`).join('; ');
    fail(`Jaeger holds no trace of user-provisioner with ${wanted.join(', ')} after 60 s (${seen || 'none'})`);
  }
}
console.error(`compose-check: Jaeger: ${traces.length} traces of user-provisioner, one with ${wanted.join(', ')}`);

const trace = traces.find((t) => hex32(t.traceID) === traceId);
if (trace === undefined) fail(`Jaeger has no trace ${traceId}, the user.created.v1 outcome's`);
const parent = trace.spans.find((span) => span.spanID === spanId);
if (parent?.operationName !== 'process user-requested') {
  fail(`the outcome's traceparent names span ${spanId}, which is ${parent ? `"${parent.operationName}"` : 'not'} in trace ${traceId}`);
}
if (!wanted.every((name) => names(trace).has(name))) fail(`trace ${traceId} lacks one of ${wanted.join(', ')}`);
console.error(`compose-check: Jaeger: the user.created.v1 outcome's trace ${traceId}, its span ${spanId} "process user-requested", ${trace.spans.length} spans`);
JS
}
timed "Jaeger" jaeger_trace

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
for image in "${KAFKA_IMAGE:-}" "${MOTO_IMAGE:-}" "${REDIS_IMAGE:-}" "${PROMETHEUS_IMAGE:-}" "${JAEGER_IMAGE:-}" \
  "$(compose config --images | grep -m1 user-provisioner)"; do
  [ -n "$image" ] && docker image ls --format '  {{.Repository}}:{{.Tag}} {{.Size}}' "$image" >&2
done
