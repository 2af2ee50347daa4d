# Stand-in for apache/kafka (scripts/docker/stand-ins.sh builds it): Debian's Java 17 and the
# Kafka jars from Maven Central (scripts/kafka/pom.xml), laid out as the official image so the
# compose file runs unchanged: configured by KAFKA_* variables, tools in /opt/kafka/bin. The same
# file for Kafka 3 and 4: run.sh and tool.sh pick the logging config of the jars they find.
ARG DEBIAN
FROM ${DEBIAN}
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*
COPY libs /opt/kafka/libs
COPY log4j.properties log4j2.xml /opt/kafka/config/
COPY run.sh tool.sh /opt/kafka/bin/
RUN set -e; cd /opt/kafka/bin; \
    for tool in kafka-topics kafka-console-producer kafka-console-consumer kafka-consumer-groups kafka-storage; do \
      ln -s tool.sh "$tool.sh"; \
    done; \
    useradd --system --uid 1000 --home-dir /opt/kafka appuser; \
    mkdir -p /var/lib/kafka/data && chown appuser /var/lib/kafka/data /opt/kafka/config
USER appuser
EXPOSE 9092
CMD ["/opt/kafka/bin/run.sh"]
