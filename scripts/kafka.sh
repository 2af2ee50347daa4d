#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker on 127.0.0.1 for local tests and CI.
#
# One JVM is both broker and KRaft controller (no ZooKeeper). The jars come from
# Maven Central through scripts/kafka/pom.xml, for the version pinned in
# scripts/versions.env (KAFKA_VERSION in the environment overrides it), and are
# cached in .cache/kafka/libs/<version>; each start gets a fresh data directory
# in .cache/kafka/run/<port>. Tests, the bench and the demo start it through
# scripts/stack.ts; this script is its engine and stays usable by hand.
#
# Bash split by concern rather than TypeScript: the work is running java,
# keytool and mvn and keeping a pid across calls, which a shell does in a line
# each, and `scripts/kafka.sh start|stop|restart` by hand needs no Node. This
# file holds the settings and the broker's life (start, stop, restart, status);
# scripts/kafka/jars.sh fetches and runs the jars, scripts/kafka/tls.sh makes
# the throwaway CA, scripts/kafka/properties.sh writes the properties files.
#
# Usage: scripts/kafka.sh start|stop|restart|status
#   start   fetch the jars if needed, start the broker, wait until it serves,
#           and print KAFKA_BROKERS=127.0.0.1:<port> as the last line on stdout
#           (all other messages go to stderr). Succeeds if already running.
#   stop    stop the broker started by this script and delete its data dir.
#   restart stop the broker and start it again on the same data dir: topics,
#           messages, committed offsets, SCRAM users and the TLS files survive
#           (as `stop` then `start` with KAFKA_KEEP_DATA=1). For tests of a
#           broker outage. Starts afresh if there is no data dir to keep.
#   status  exit 0 if the broker is running, 1 if not.
#
# Environment:
#   KAFKA_VERSION          Apache Kafka version, default from scripts/versions.env;
#                          3.x or 4.x (their jars log through log4j 1 and log4j2)
#   KAFKA_PORT             client (PLAINTEXT) port, default 9092
#   KAFKA_CONTROLLER_PORT  KRaft controller port, default KAFKA_PORT+1
#   KAFKA_SECURE_PORT      opt-in: also a SASL_SSL listener on this port, with
#                          SCRAM-SHA-256 and SCRAM-SHA-512 (see below)
#   KAFKA_SCRAM_USERNAME   its SCRAM user, default user-provisioner
#   KAFKA_SCRAM_PASSWORD   its SCRAM password, default user-provisioner-secret;
#                          no comma, double quote, backslash or whitespace
#   KAFKA_KEEP_DATA        1: `stop` keeps the data dir, and `start` reuses a
#                          formatted one as it is (its server.properties, its
#                          listeners and TLS files) instead of starting afresh
#
# The secure listener: each start makes a throwaway CA and a broker
# certificate for 127.0.0.1 and localhost (keytool, no openssl) in
# <data dir>/tls, and adds the SCRAM user when it formats the storage. The
# broker's own listeners (inter-broker, controller) stay PLAINTEXT. With it,
# `start` and `status` print two more lines before the last one:
#   KAFKA_SECURE_BROKERS=127.0.0.1:<secure port>
#   KAFKA_CA_FILE=<data dir>/tls/ca.pem   (the CA, PEM, for clients)
# <data dir>/client-secure.properties holds the settings of a Java client
# (Kafka's CLI tools: --command-config) for that listener, as SCRAM-SHA-512.
# It is a test broker: the SCRAM password is on the format command line and
# in that file, readable by the local user only.
#
# Needs java (17+, with keytool) on PATH, and mvn for the first start of a version.
set -euo pipefail

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(dirname "$SCRIPTS_DIR")"
POM="$SCRIPTS_DIR/kafka/pom.xml"

KAFKA_VERSION="${KAFKA_VERSION:-$(sed -n 's/^KAFKA_VERSION=//p' "$SCRIPTS_DIR/versions.env")}"

CACHE_DIR="$REPO_ROOT/.cache/kafka"
LIBS_DIR="$CACHE_DIR/libs/$KAFKA_VERSION"
LIBS_MARKER="$LIBS_DIR.sha256"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_KEEP_DATA="${KAFKA_KEEP_DATA:-0}"
# A loaded machine (2 cores, load 26) took a Kafka 4.1.1 broker with TLS 60 s to serve.
START_TIMEOUT_S=120
STOP_TIMEOUT_S=30

# The machine is small and shared: keep the broker's heap modest.
BROKER_JVM_OPTS=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true)
# CLI tools are short-lived: the client compiler alone starts them faster.
TOOL_JVM_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

# shellcheck source=scripts/kafka/jars.sh
source "$SCRIPTS_DIR/kafka/jars.sh"
# shellcheck source=scripts/kafka/tls.sh
source "$SCRIPTS_DIR/kafka/tls.sh"
# shellcheck source=scripts/kafka/properties.sh
source "$SCRIPTS_DIR/kafka/properties.sh"

log() {
  echo "kafka.sh: $*" >&2
}

die() {
  log "error: $*"
  exit 1
}

usage() {
  echo "usage: $0 start|stop|restart|status" >&2
  exit 2
}

is_port_number() {
  [[ "$1" =~ ^[0-9]+$ ]] && (("$1" >= 1 && "$1" <= 65535))
}

# Set after the ports are validated (see main), because the data dir and the
# default controller port are derived from KAFKA_PORT.
set_paths() {
  KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
  is_port_number "$KAFKA_CONTROLLER_PORT" ||
    die "KAFKA_CONTROLLER_PORT must be a port number, got '$KAFKA_CONTROLLER_PORT'"
  [[ "$KAFKA_CONTROLLER_PORT" != "$KAFKA_PORT" ]] ||
    die "KAFKA_CONTROLLER_PORT must differ from KAFKA_PORT ($KAFKA_PORT)"

  DATA_DIR="$CACHE_DIR/run/$KAFKA_PORT"
  PROPS_FILE="$DATA_DIR/server.properties"
  CLIENT_PROPS_FILE="$DATA_DIR/client.properties"
  PID_FILE="$DATA_DIR/kafka.pid"
  LOG_FILE="$DATA_DIR/kafka.log"
  # Written by the storage format: its presence means the data dir can be reused.
  META_FILE="$DATA_DIR/logs/meta.properties"
  BROKERS="127.0.0.1:$KAFKA_PORT"

  TLS_DIR="$DATA_DIR/tls"
  CA_FILE="$TLS_DIR/ca.pem"
  SECURE_CLIENT_PROPS_FILE="$DATA_DIR/client-secure.properties"
  set_secure_settings
}

# The secure listener is off unless KAFKA_SECURE_PORT is set.
set_secure_settings() {
  KAFKA_SECURE_PORT="${KAFKA_SECURE_PORT:-}"
  SECURE_BROKERS=""
  [[ -n "$KAFKA_SECURE_PORT" ]] || return 0
  is_port_number "$KAFKA_SECURE_PORT" ||
    die "KAFKA_SECURE_PORT must be a port number, got '$KAFKA_SECURE_PORT'"
  [[ "$KAFKA_SECURE_PORT" != "$KAFKA_PORT" && "$KAFKA_SECURE_PORT" != "$KAFKA_CONTROLLER_PORT" ]] ||
    die "KAFKA_SECURE_PORT must differ from KAFKA_PORT and KAFKA_CONTROLLER_PORT"
  SECURE_BROKERS="127.0.0.1:$KAFKA_SECURE_PORT"

  SCRAM_USERNAME="${KAFKA_SCRAM_USERNAME:-user-provisioner}"
  SCRAM_PASSWORD="${KAFKA_SCRAM_PASSWORD:-user-provisioner-secret}"
  # Kafka's --add-scram splits its argument on commas and strips quotes, and
  # the JAAS line of client-secure.properties quotes the values: keep both
  # unambiguous rather than escape them.
  [[ "$SCRAM_USERNAME" =~ ^[A-Za-z0-9._@-]+$ ]] ||
    die "KAFKA_SCRAM_USERNAME may hold letters, digits and . _ @ - only"
  local forbidden='[,"\[:space:]]'
  [[ -n "$SCRAM_PASSWORD" && ! "$SCRAM_PASSWORD" =~ $forbidden ]] ||
    die "KAFKA_SCRAM_PASSWORD must be non-empty, without comma, double quote, backslash or whitespace"
}

# --- process ----------------------------------------------------------------

# Prints the pid of the broker this script started for KAFKA_PORT, if it is
# still running. The command-line check guards against a reused pid.
broker_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  ps -o args= -p "$pid" | grep -qF -- "$PROPS_FILE" || return 1
  echo "$pid"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# The SASL_SSL port of the running broker's config, if it has that listener.
configured_secure_port() {
  local listeners
  listeners="$(grep -m1 '^listeners=' "$PROPS_FILE" 2>/dev/null)" || return 1
  [[ "$listeners" =~ SASL_SSL://127\.0\.0\.1:([0-9]+) ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

# The lines start and status print for a running broker; KAFKA_BROKERS last.
print_addresses() {
  local secure_port
  if secure_port="$(configured_secure_port)"; then
    echo "KAFKA_SECURE_BROKERS=127.0.0.1:$secure_port"
    echo "KAFKA_CA_FILE=$CA_FILE"
  fi
  echo "KAFKA_BROKERS=$BROKERS"
}

# --- start ------------------------------------------------------------------

format_storage() {
  local cluster_id scram=()
  # KRaft keeps SCRAM users in the metadata log: adding them at format time
  # means they exist before the listener accepts its first client.
  if [[ -n "$SECURE_BROKERS" ]]; then
    scram=(--add-scram "SCRAM-SHA-256=[name=$SCRAM_USERNAME,password=$SCRAM_PASSWORD]"
      --add-scram "SCRAM-SHA-512=[name=$SCRAM_USERNAME,password=$SCRAM_PASSWORD]")
  fi
  cluster_id="$(run_tool kafka.tools.StorageTool random-uuid)"
  run_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS_FILE" \
    "${scram[@]}" >>"$LOG_FILE" 2>&1
}

launch_broker() {
  nohup java "${BROKER_JVM_OPTS[@]}" -cp "$LIBS_DIR/*" "${LOG_OPTS[@]}" \
    kafka.Kafka "$PROPS_FILE" </dev/null >>"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
}

# "Kafka Server started" is logged by KafkaRaftServer once both roles are up.
broker_logged_started() {
  grep -qF "Kafka Server started" "$LOG_FILE"
}

# Listing topics through the client port proves the broker really serves
# requests (metadata included), not just that the port accepts connections.
broker_answers() {
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BROKERS" \
    --command-config "$CLIENT_PROPS_FILE" --list >/dev/null 2>>"$LOG_FILE"
}

# The same through the secure listener: TLS with our CA, and the SCRAM user.
secure_listener_answers() {
  [[ -z "$SECURE_BROKERS" ]] && return 0
  run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$SECURE_BROKERS" \
    --command-config "$SECURE_CLIENT_PROPS_FILE" --list >/dev/null 2>>"$LOG_FILE"
}

wait_until_ready() {
  local deadline=$((SECONDS + START_TIMEOUT_S))
  while ((SECONDS < deadline)); do
    broker_pid >/dev/null || {
      log "the broker exited during start-up"
      return 1
    }
    if broker_logged_started && broker_answers && secure_listener_answers; then
      return 0
    fi
    sleep 1
  done
  log "the broker did not answer within ${START_TIMEOUT_S}s"
  return 1
}

show_log() {
  log "broker log: $LOG_FILE (last 50 lines below)"
  tail -n 50 "$LOG_FILE" >&2 || true
}

# Kills the broker after a failed start but keeps the data dir: its log is
# what explains the failure.
abort_start() {
  show_log
  kill_broker
  die "Kafka did not start on $BROKERS"
}

# A running broker answers a start only if it has the secure listener asked
# for: printing addresses it does not serve would fail later, and obscurely.
check_running_listeners() {
  local running_secure_port
  [[ -n "$KAFKA_SECURE_PORT" ]] || return 0
  if ! running_secure_port="$(configured_secure_port)"; then
    die "the broker on $BROKERS is already running without a secure listener; stop it first"
  fi
  [[ "$running_secure_port" == "$KAFKA_SECURE_PORT" ]] ||
    die "the broker on $BROKERS is already running with its secure listener on $running_secure_port; stop it first"
}

cmd_start() {
  local pid
  if pid="$(broker_pid)"; then
    check_running_listeners
    log "already running (pid $pid) on $BROKERS"
    print_addresses
    return 0
  fi

  command -v java >/dev/null || die "java not found on PATH (Java 17+ is needed)"
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" ${KAFKA_SECURE_PORT:+"$KAFKA_SECURE_PORT"}; do
    if port_in_use "$port"; then
      die "port $port on 127.0.0.1 is already in use by another process"
    fi
  done

  ensure_libs

  local started_at=$SECONDS
  if [[ "$KAFKA_KEEP_DATA" == "1" && -f "$META_FILE" && -f "$PROPS_FILE" ]]; then
    start_on_kept_data
    return 0
  fi

  rm -rf "$DATA_DIR"
  mkdir -p "$DATA_DIR"
  if [[ -n "$SECURE_BROKERS" ]]; then
    generate_tls || abort_start
    write_secure_client_properties
  fi
  write_server_properties
  write_client_properties
  format_storage || abort_start
  launch_broker
  wait_until_ready || abort_start

  log "started (pid $(cat "$PID_FILE")) on $BROKERS${SECURE_BROKERS:+ and $SECURE_BROKERS (SASL_SSL)} in $((SECONDS - started_at))s; log: $LOG_FILE"
  print_addresses
}

# The broker of an earlier start, again on its data dir: no new storage, TLS
# files or properties, so clients find their topics, offsets and SCRAM users.
start_on_kept_data() {
  local started_at=$SECONDS kept_secure_port=""
  kept_secure_port="$(configured_secure_port)" || true
  [[ "$kept_secure_port" == "$KAFKA_SECURE_PORT" ]] ||
    die "the kept data dir $DATA_DIR has ${kept_secure_port:+its secure listener on $kept_secure_port}${kept_secure_port:-no secure listener}; KAFKA_SECURE_PORT is '$KAFKA_SECURE_PORT'"
  # Readiness is read from the log: the earlier run's "started" line must not count.
  if [[ -f "$LOG_FILE" ]]; then
    mv "$LOG_FILE" "$LOG_FILE.previous"
  fi
  log "starting on the kept data dir $DATA_DIR"
  launch_broker
  wait_until_ready || abort_start
  log "started (pid $(cat "$PID_FILE")) on $BROKERS${SECURE_BROKERS:+ and $SECURE_BROKERS (SASL_SSL)} in $((SECONDS - started_at))s, data kept; log: $LOG_FILE"
  print_addresses
}

# --- stop -------------------------------------------------------------------

# SIGTERM lets Kafka shut down cleanly; SIGKILL if it takes too long.
kill_broker() {
  local pid waited=0
  pid="$(broker_pid)" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && ((waited < STOP_TIMEOUT_S)); do
    sleep 1
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker (pid $pid) still running after ${STOP_TIMEOUT_S}s, killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
}

cmd_stop() {
  local pid
  if pid="$(broker_pid)"; then
    log "stopping broker (pid $pid) on $BROKERS"
    kill_broker
  else
    log "no broker started by this script is running on $BROKERS"
  fi
  if [[ "$KAFKA_KEEP_DATA" == "1" ]]; then
    log "keeping the data dir $DATA_DIR (KAFKA_KEEP_DATA=1)"
  else
    rm -rf "$DATA_DIR"
  fi
}

cmd_restart() {
  KAFKA_KEEP_DATA=1
  cmd_stop
  cmd_start
}

# --- status -----------------------------------------------------------------

cmd_status() {
  local pid
  if pid="$(broker_pid)"; then
    log "running (pid $pid) on $BROKERS; log: $LOG_FILE"
    print_addresses
    return 0
  fi
  log "not running on $BROKERS"
  return 1
}

main() {
  [[ $# -eq 1 ]] || usage
  [[ "$KAFKA_VERSION" =~ ^[34]\.[0-9]+\.[0-9]+$ ]] ||
    die "KAFKA_VERSION must be a 3.x or 4.x release like 3.9.1, got '$KAFKA_VERSION'"
  set_logging
  is_port_number "$KAFKA_PORT" || die "KAFKA_PORT must be a port number, got '$KAFKA_PORT'"
  [[ "$KAFKA_KEEP_DATA" == "0" || "$KAFKA_KEEP_DATA" == "1" ]] ||
    die "KAFKA_KEEP_DATA must be 0 or 1, got '$KAFKA_KEEP_DATA'"
  set_paths
  case "$1" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_restart ;;
  status) cmd_status ;;
  *) usage ;;
  esac
}

main "$@"
