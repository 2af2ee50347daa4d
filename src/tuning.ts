// The service's tuning numbers that are not configuration: each named once, with its unit and why.
// An operator changes the environment (config.ts); a developer changes these, with a bench run.

export const tuning = {
  kafka: {
    // The session timeout and the heartbeat interval are configuration (KAFKA_SESSION_TIMEOUT_MS, KAFKA_HEARTBEAT_INTERVAL_MS).
    /** How long the group waits for every member to rejoin on a rebalance. */
    rebalanceTimeoutMs: 60_000, // one minute
    /** The longest a fetch waits for data; kafkajs heartbeats between fetches, so never longer than the heartbeat interval. */
    maxFetchWaitMs: 5_000, // kafkajs's default
    /** Partitions whose batches may be processed at the same time (the in-flight bound is global). */
    partitionsConsumedConcurrently: 16,
    /** Resolved offsets are committed this often as well as after each batch: a short tail to redo. */
    autoCommitIntervalMs: 1_000, // one second
  },
  /** Outcomes published while the producer's one request is on the wire share the next request. */
  outcomeBatch: {
    maxItems: 500,
    maxBytes: 512 * 1024, // well under the broker's default message.max.bytes (1 MiB)
  },
  /** A systemic pause runs one held message again (its canary) after these waits, doubling while it fails. */
  systemicCanary: {
    firstDelayMs: 1_000, // one second
    maxDelayMs: 30_000, // 30 s
    /** A minute without a systemic error after a release: a fault back sooner is the same one, its wait keeps growing. */
    sustainedMs: 60_000, // one minute
  },
  /** Each allowed pool's configuration (DescribeUserPool, a low quota of its own) is read again this rarely. */
  poolConfiguration: {
    refreshIntervalMs: 300_000, // five minutes
    minimumIntervalMs: 30_000, // after AdminCreateUser refused a parameter, no sooner than 30 s after the last read
  },
  /** Past this share of SHUTDOWN_TIMEOUT_MS, work still waiting is handed back uncommitted. */
  shutdownHandBackFraction: 0.7,
} as const;
