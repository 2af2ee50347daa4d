#!/bin/sh
# The stand-in's broker: configured as the official apache/kafka image is, by KAFKA_* variables
# (KAFKA_NODE_ID -> node.id; `___` -> `-`, `__` -> `_`, `_` -> `.`), storage formatted on the
# first start with CLUSTER_ID (the official image's default when unset), then Kafka in the
# foreground as PID 1 so that `docker stop` shuts it down cleanly.
set -eu
props=/opt/kafka/config/server.properties
# Kafka 4 logs through log4j2, Kafka 3 through log4j 1: the jars tell which this image holds.
case "$(echo /opt/kafka/libs/kafka_2.13-*.jar)" in
  */kafka_2.13-3.*) log_config=-Dlog4j.configuration=file:/opt/kafka/config/log4j.properties ;;
  *) log_config=-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.xml ;;
esac
: "${CLUSTER_ID:=5L6g3nShT-eMCtK--X86sw}"

# Options of the JVM and this script, not broker settings.
env | sort | while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_LOG4J_OPTS | KAFKA_JMX_OPTS) ;;
    KAFKA_*)
      key="$(printf '%s' "${name#KAFKA_}" | tr '[:upper:]' '[:lower:]' | sed 's/___/-/g; s/__/@/g; s/_/./g; s/@/_/g')"
      printf '%s=%s\n' "$key" "$value" ;;
  esac
done >"$props"
grep -q '^process\.roles=' "$props" || { echo "run.sh: configure the broker with KAFKA_* variables (KAFKA_PROCESS_ROLES, ...)" >&2; exit 1; }
grep -q '^log\.dirs=' "$props" || echo "log.dirs=/var/lib/kafka/data" >>"$props"

java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  "$log_config" -cp '/opt/kafka/libs/*' \
  kafka.tools.StorageTool format --config "$props" --cluster-id "$CLUSTER_ID" --ignore-formatted
# shellcheck disable=SC2086 # the *_OPTS hold several options each
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true ${KAFKA_OPTS:-} \
  "$log_config" -cp '/opt/kafka/libs/*' \
  kafka.Kafka "$props"
