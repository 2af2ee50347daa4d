# shellcheck shell=bash
# Part of scripts/kafka.sh: the properties files it writes for the broker and its clients.

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
