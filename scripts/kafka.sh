#!/usr/bin/env bash
# Runs a real single-node Apache Kafka broker on 127.0.0.1 for local tests and CI.
#
# One JVM is both broker and KRaft controller (no ZooKeeper). The jars come from
# Maven Central through scripts/kafka/pom.xml (Kafka's version is pinned there)
# and are cached in .cache/kafka/libs; each start gets a fresh data directory in
# .cache/kafka/run/<port>.
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
# Needs java (17+, with keytool) on PATH, and mvn for the first start.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
POM="$REPO_ROOT/scripts/kafka/pom.xml"
LOG4J_CONFIG="$REPO_ROOT/scripts/kafka/log4j.properties"

CACHE_DIR="$REPO_ROOT/.cache/kafka"
LIBS_DIR="$CACHE_DIR/libs"
# Holds the checksum of the pom the jars in LIBS_DIR were fetched for, so
# changing the pinned version (or anything else in the pom) refetches.
LIBS_MARKER="$CACHE_DIR/libs.pom-sha256"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_KEEP_DATA="${KAFKA_KEEP_DATA:-0}"
START_TIMEOUT_S=60
STOP_TIMEOUT_S=30

# The machine is small and shared: keep the broker's heap modest.
BROKER_JVM_OPTS=(-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true)
# CLI tools are short-lived: the client compiler alone starts them faster.
TOOL_JVM_OPTS=(-Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC)

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

# --- jars -------------------------------------------------------------------

pom_checksum() {
  sha256sum "$POM" | cut -d' ' -f1
}

libs_are_cached() {
  [[ -f "$LIBS_MARKER" && -d "$LIBS_DIR" ]] &&
    [[ "$(cat "$LIBS_MARKER")" == "$(pom_checksum)" ]]
}

fetch_libs() {
  command -v mvn >/dev/null || die "mvn not found on PATH (needed once to fetch the Kafka jars)"
  log "fetching Kafka jars with Maven into $LIBS_DIR (first start only)"
  # Download next to the cache and swap it in at the end: an interrupted run
  # leaves no half-filled libs dir, and jars of an older pin don't linger on
  # the classpath.
  local tmp_dir="$LIBS_DIR.tmp"
  # Maven 3.8 prints colour-reset codes even with -q -B: keep its output in a
  # file and show it only when it fails.
  local mvn_log="$CACHE_DIR/maven.log"
  rm -rf "$tmp_dir"
  mkdir -p "$CACHE_DIR"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
    -DoutputDirectory="$tmp_dir" >"$mvn_log" 2>&1; then
    tail -n 50 "$mvn_log" >&2
    die "Maven could not fetch the Kafka jars; full output: $mvn_log"
  fi
  rm -rf "$LIBS_DIR"
  mv "$tmp_dir" "$LIBS_DIR"
  pom_checksum >"$LIBS_MARKER"
}

ensure_libs() {
  if libs_are_cached; then
    return 0
  fi
  fetch_libs
}

# Runs a Kafka main class from the cached jars with our log4j config.
run_java() {
  java -cp "$LIBS_DIR/*" -Dlog4j.configuration="file:$LOG4J_CONFIG" "$@"
}

run_tool() {
  run_java "${TOOL_JVM_OPTS[@]}" "$@"
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

# --- tls --------------------------------------------------------------------

run_keytool() {
  keytool -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC "$@" >>"$LOG_FILE" 2>&1
}

# A CA valid for this run only, and a broker certificate it signed for the
# addresses clients use (127.0.0.1; localhost for tools that prefer names).
# EC keys: generated in milliseconds, and every client here speaks ECDSA.
generate_tls() {
  local store_password ca_store="$TLS_DIR/ca.p12" csr="$TLS_DIR/broker.csr" cert="$TLS_DIR/broker.pem"
  command -v keytool >/dev/null || die "keytool not found on PATH (it comes with Java)"
  # The stores' password is in server.properties and client-secure.properties.
  store_password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  mkdir -m 700 "$TLS_DIR"
  KEYSTORE_FILE="$TLS_DIR/broker.keystore.p12"
  TRUSTSTORE_FILE="$TLS_DIR/truststore.p12"
  STORE_PASSWORD="$store_password"

  run_keytool -genkeypair -alias ca -keyalg EC -groupname secp256r1 \
    -dname "CN=user-provisioner test CA $KAFKA_PORT" -validity 30 \
    -ext bc:c -ext KU:c=keyCertSign,cRLSign \
    -storetype PKCS12 -keystore "$ca_store" -storepass "$store_password" &&
    run_keytool -exportcert -rfc -alias ca -keystore "$ca_store" \
      -storepass "$store_password" -file "$CA_FILE" &&
    run_keytool -genkeypair -alias broker -keyalg EC -groupname secp256r1 \
      -dname "CN=127.0.0.1" -validity 30 \
      -storetype PKCS12 -keystore "$KEYSTORE_FILE" -storepass "$store_password" &&
    run_keytool -certreq -alias broker -keystore "$KEYSTORE_FILE" \
      -storepass "$store_password" -file "$csr" &&
    run_keytool -gencert -rfc -alias ca -keystore "$ca_store" \
      -storepass "$store_password" -infile "$csr" -outfile "$cert" -validity 30 \
      -ext SAN=ip:127.0.0.1,dns:localhost -ext KU:c=digitalSignature -ext EKU=serverAuth &&
    run_keytool -importcert -noprompt -alias ca -file "$CA_FILE" \
      -keystore "$KEYSTORE_FILE" -storepass "$store_password" &&
    run_keytool -importcert -alias broker -file "$cert" \
      -keystore "$KEYSTORE_FILE" -storepass "$store_password" &&
    run_keytool -importcert -noprompt -alias ca -file "$CA_FILE" \
      -storetype PKCS12 -keystore "$TRUSTSTORE_FILE" -storepass "$store_password"
}

# --- start ------------------------------------------------------------------

# The listener lines of server.properties: PLAINTEXT for clients and the
# broker itself, CONTROLLER for KRaft, and SASL_SSL for clients when asked.
write_listener_properties() {
  if [[ -z "$SECURE_BROKERS" ]]; then
    cat <<EOF
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
EOF
    return 0
  fi
  local scram_login="org.apache.kafka.common.security.scram.ScramLoginModule required;"
  cat <<EOF
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_SECURE_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SECURE_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL

# Clients only: SCRAM users come from the metadata log (added at format time).
# GSSAPI, Kafka's default mechanism, would need Kerberos.
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$scram_login
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram_login
listener.name.sasl_ssl.ssl.keystore.type=PKCS12
listener.name.sasl_ssl.ssl.keystore.location=$KEYSTORE_FILE
listener.name.sasl_ssl.ssl.keystore.password=$STORE_PASSWORD
listener.name.sasl_ssl.ssl.truststore.type=PKCS12
listener.name.sasl_ssl.ssl.truststore.location=$TRUSTSTORE_FILE
listener.name.sasl_ssl.ssl.truststore.password=$STORE_PASSWORD
listener.name.sasl_ssl.ssl.client.auth=none

EOF
}

write_server_properties() {
  {
    cat <<EOF
# Written by scripts/kafka.sh: single-node KRaft broker+controller for tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT

EOF
    write_listener_properties
    cat <<EOF
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER

log.dirs=$DATA_DIR/logs

# One node: internal topics cannot have more than one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# The consumer offsets topic is created on the first group join; one
# partition instead of 50 makes that quick.
offsets.topic.num.partitions=1
# Tests want consumers to join a group at once, not after 3 s.
group.initial.rebalance.delay.ms=0

num.partitions=1
# The service's tests create their topics; a typo must not create one silently.
auto.create.topics.enable=false
EOF
  } >"$PROPS_FILE"
}

# Client settings for the readiness check: fail fast instead of the
# AdminClient's default of retrying for a minute.
write_client_properties() {
  cat >"$CLIENT_PROPS_FILE" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

write_secure_client_properties() {
  (
    umask 077
    cat >"$SECURE_CLIENT_PROPS_FILE" <<EOF
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$SCRAM_USERNAME" password="$SCRAM_PASSWORD";
ssl.truststore.type=PKCS12
ssl.truststore.location=$TRUSTSTORE_FILE
ssl.truststore.password=$STORE_PASSWORD
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
  )
}

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
  nohup java "${BROKER_JVM_OPTS[@]}" -cp "$LIBS_DIR/*" \
    -Dlog4j.configuration="file:$LOG4J_CONFIG" \
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
