#!/bin/sh
# The Kafka CLI tools of the stand-in image: each /opt/kafka/bin/<tool>.sh is a link here, and
# runs that tool's class from the jars. Short-lived JVMs: the client compiler alone starts faster.
set -eu
case "$(basename "$0")" in
  kafka-topics.sh) class=org.apache.kafka.tools.TopicCommand ;;
  kafka-console-producer.sh) class=kafka.tools.ConsoleProducer ;;
  kafka-console-consumer.sh) class=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
  kafka-consumer-groups.sh) class=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
  kafka-storage.sh) class=kafka.tools.StorageTool ;;
  *) echo "tool.sh: no Kafka tool is called $(basename "$0")" >&2; exit 2 ;;
esac
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS holds several options
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -Dlog4j.configuration=file:/opt/kafka/config/log4j.properties -cp '/opt/kafka/libs/*' "$class" "$@"
