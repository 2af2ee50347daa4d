#!/bin/sh
# The Kafka CLI tools of the stand-in image: each /opt/kafka/bin/<tool>.sh is a link here, and
# runs that tool's class from the jars. Short-lived JVMs: the client compiler alone starts faster.
set -eu
# Kafka 4 logs through log4j2 and moved ConsoleProducer to its tools module: the jars tell which
# Kafka this image holds.
case "$(echo /opt/kafka/libs/kafka_2.13-*.jar)" in
  */kafka_2.13-3.*)
    log_config=-Dlog4j.configuration=file:/opt/kafka/config/log4j.properties
    producer=kafka.tools.ConsoleProducer ;;
  *)
    log_config=-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.xml
    producer=org.apache.kafka.tools.ConsoleProducer ;;
esac
case "$(basename "$0")" in
  kafka-topics.sh) class=org.apache.kafka.tools.TopicCommand ;;
  kafka-console-producer.sh) class="$producer" ;;
  kafka-console-consumer.sh) class=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  kafka-consumer-groups.sh) class=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  kafka-storage.sh) class=kafka.tools.StorageTool ;;
  *) echo "tool.sh: no Kafka tool is called $(basename "$0")" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several options
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  "$log_config" -cp '/opt/kafka/libs/*' "$class" "$@"
