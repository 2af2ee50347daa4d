# shellcheck shell=bash
# Part of scripts/kafka.sh: the throwaway CA and broker certificate of the SASL_SSL listener.

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
