# shellcheck shell=bash
# Part of scripts/kafka.sh: the broker's jars, fetched once per Kafka version with Maven from
# scripts/kafka/pom.xml (the version comes from scripts/versions.env as -Dkafka.version, its
# major as -Dkafka.major) and cached in .cache/kafka/libs/<version>; and running a Kafka main
# class from them with the logging of that major.

# Kafka 3 logs through log4j 1 (reload4j), Kafka 4 through log4j2: each reads its own config.
set_logging() {
  KAFKA_MAJOR="${KAFKA_VERSION%%.*}"
  if [[ "$KAFKA_MAJOR" == 3 ]]; then
    LOG_OPTS=(-Dlog4j.configuration="file:$SCRIPTS_DIR/kafka/log4j.properties")
  else
    LOG_OPTS=(-Dlog4j2.configurationFile="$SCRIPTS_DIR/kafka/log4j2.xml")
  fi
}

# Holds the checksum of the pom and version the jars were fetched for, so changing either
# refetches.
libs_key() {
  { cat "$POM"; echo "kafka.version=$KAFKA_VERSION"; } | sha256sum | cut -d' ' -f1
}

libs_are_cached() {
  [[ -f "$LIBS_MARKER" && -d "$LIBS_DIR" ]] &&
    [[ "$(cat "$LIBS_MARKER")" == "$(libs_key)" ]]
}

fetch_libs() {
  command -v mvn >/dev/null || die "mvn not found on PATH (needed once to fetch the Kafka jars)"
  log "fetching Kafka $KAFKA_VERSION jars with Maven into $LIBS_DIR (first start only)"
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
    -Dkafka.version="$KAFKA_VERSION" -Dkafka.major="$KAFKA_MAJOR" -DoutputDirectory="$tmp_dir" >"$mvn_log" 2>&1; then
    tail -n 50 "$mvn_log" >&2
    die "Maven could not fetch the Kafka $KAFKA_VERSION jars; full output: $mvn_log"
  fi
  rm -rf "$LIBS_DIR"
  mv "$tmp_dir" "$LIBS_DIR"
  libs_key >"$LIBS_MARKER"
}

ensure_libs() {
  if libs_are_cached; then
    return 0
  fi
  fetch_libs
}

# Runs a Kafka main class from the cached jars with our logging config.
run_java() {
  java -cp "$LIBS_DIR/*" "${LOG_OPTS[@]}" "$@"
}

run_tool() {
  run_java "${TOOL_JVM_OPTS[@]}" "$@"
}
