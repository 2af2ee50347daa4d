// Every environment variable the service reads, once: how it is parsed and bounded, what it
// defaults to, and what it means. config.ts reads through this table, and
// scripts/generate-config-docs.ts writes the README's and docs/contract.md's tables and
// .env.example from it, so the docs cannot drift from what is checked.
import { boolean, customAttribute, hostPort, list, missing, number, oneOf, poolId, region, text, topic, url, type Parser } from './parse.ts';

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512', 'aws'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The headings of .env.example, in the order the table takes them. */
export type Group = 'Kafka' | 'Topics' | 'Cognito' | 'Retries of transient Cognito failures' | 'Operations';

export interface Variable<T, Unset> {
  readonly parser: Parser<T>;
  /** What an unset or blank variable gives: its default, undefined, or a ConfigError. */
  readonly unset: (name: string) => Unset;
  /** The default as people read it, in Markdown. */
  readonly shownDefault: string;
  readonly group: Group;
  /** What it is for, in Markdown. */
  readonly meaning: string;
  /** The value .env.example shows. */
  readonly example: string;
  /** .env.example sets it instead of leaving it commented out. */
  readonly setInExample: boolean;
  /** Taken as it is: a secret's spaces may be part of it. Everything else is trimmed. */
  readonly verbatim: boolean;
}

interface About {
  readonly group: Group;
  readonly meaning: string;
  readonly example?: string;
  readonly setInExample?: boolean;
  readonly verbatim?: boolean;
}

function required<T>(parser: Parser<T>, about: About & { readonly example: string }): Variable<T, never> {
  return { ...described(about, about.example), parser, unset: missing, shownDefault: 'required', setInExample: true };
}

function optional<T>(parser: Parser<T>, about: About & { readonly shownDefault?: string }): Variable<T, undefined> {
  return { ...described(about, ''), parser, unset: () => undefined, shownDefault: about.shownDefault ?? 'none' };
}

function withDefault<T extends string | number | boolean>(parser: Parser<T>, value: T, about: About): Variable<T, T> {
  return { ...described(about, String(value)), parser, unset: () => value, shownDefault: `\`${String(value)}\`` };
}

function described(about: About, example: string) {
  return {
    group: about.group,
    meaning: about.meaning,
    example: about.example ?? example,
    setInExample: about.setInExample ?? false,
    verbatim: about.verbatim ?? false,
  };
}

const withSasl = 'required with `plain` and SCRAM';

export const VARIABLES = {
  KAFKA_BROKERS: required(list(hostPort), { group: 'Kafka', example: '127.0.0.1:9092', meaning: 'the brokers to connect to' }),
  KAFKA_GROUP_ID: withDefault(text, 'user-provisioner', { group: 'Kafka', meaning: 'consumer group; also names the shared quota in Redis' }),
  KAFKA_CLIENT_ID: withDefault(text, 'user-provisioner', { group: 'Kafka', meaning: 'client id' }),
  KAFKA_SSL: withDefault(boolean, false, { group: 'Kafka', meaning: 'TLS to the brokers, verified against Node\'s bundled CAs (a private CA: `NODE_EXTRA_CA_CERTS`)' }),
  KAFKA_SASL_MECHANISM: optional(oneOf(SASL_MECHANISMS), {
    group: 'Kafka',
    example: 'scram-sha-512',
    meaning: 'SASL authentication; `aws` is MSK IAM, signed with the AWS credential chain, and needs `KAFKA_SSL` true',
  }),
  KAFKA_SASL_USERNAME: optional(text, { group: 'Kafka', shownDefault: withSasl, meaning: 'SASL username' }),
  KAFKA_SASL_PASSWORD: optional(text, { group: 'Kafka', shownDefault: withSasl, verbatim: true, meaning: 'SASL password, taken verbatim (spaces too) and never logged' }),
  // The range is the broker's default group.min/max.session.timeout.ms: outside it JoinGroup fails.
  KAFKA_SESSION_TIMEOUT_MS: withDefault(number({ min: 6_000, max: 1_800_000, integer: true }), 6_000, {
    group: 'Kafka',
    meaning: 'the group forgets a member silent this long: a crashed replica\'s partitions wait about this long for the others (README, Kafka sessions)',
  }),
  KAFKA_HEARTBEAT_INTERVAL_MS: withDefault(number({ min: 100, max: 600_000, integer: true }), 1_000, {
    group: 'Kafka',
    meaning: 'how often a member heartbeats, also while messages wait on retries or the rate limit; at most a third of `KAFKA_SESSION_TIMEOUT_MS`',
  }),

  TOPIC_REQUESTED: withDefault(topic, 'user-requested', { group: 'Topics', meaning: 'input: provisioning requests (`user.requested.v1`)' }),
  TOPIC_CREATED: withDefault(topic, 'user-created', { group: 'Topics', meaning: 'created outcomes (`user.created.v1`)' }),
  TOPIC_FAILED: withDefault(topic, 'user-provisioning-failed', { group: 'Topics', meaning: 'failed outcomes (`user.provisioning-failed.v1`)' }),
  TOPIC_DLQ: withDefault(topic, 'user-requested.dlq', { group: 'Topics', meaning: 'dead letters: input that is not an event at all' }),

  AWS_REGION: required(region, {
    group: 'Cognito',
    example: 'us-east-1',
    meaning: 'region of the user pools (and of MSK IAM signing); credentials come from the AWS SDK\'s default chain, never from events',
  }),
  COGNITO_ENDPOINT: optional(url(['http:', 'https:']), { group: 'Cognito', example: 'http://127.0.0.1:5000', meaning: 'endpoint override, for emulators and tests only' }),
  USER_POOL_ID: optional(poolId, { group: 'Cognito', example: 'us-east-1_Example1', setInExample: true, meaning: 'the pool used when an event names none' }),
  ALLOWED_USER_POOL_IDS: optional(list(poolId), {
    group: 'Cognito',
    shownDefault: '`USER_POOL_ID`',
    example: 'us-east-1_Example1,us-east-1_Example2',
    meaning: 'allowlist: an event naming another pool fails with `pool-not-allowed` and no Cognito call. Set it or `USER_POOL_ID`, which must be in it.',
  }),
  PROVENANCE_ATTRIBUTE: optional(customAttribute, {
    group: 'Cognito',
    example: 'custom:provisioning_id',
    meaning: 'a custom String attribute of every allowed pool that receives the id of the request that created the user, so a redelivered request is told apart from another request for the same username exactly; checked against each pool\'s schema at start (exit 2 when missing)',
  }),
  COGNITO_RATE_LIMIT: withDefault(number({ min: 0.01, max: 10_000 }), 50, {
    group: 'Cognito',
    meaning: 'AdminCreateUser calls per second this deployment may spend (Cognito\'s UserCreation quota, per account and region, shared with SignUp)',
  }),
  COGNITO_RATE_BURST: optional(number({ min: 1, max: 10_000, integer: true }), {
    group: 'Cognito',
    shownDefault: 'a 25th of the rate, rounded up (2 at 50/s)',
    example: '2',
    meaning: 'calls that may start at once after a quiet spell',
  }),
  COGNITO_TIMEOUT_MS: withDefault(number({ min: 100, max: 120_000, integer: true }), 10_000, { group: 'Cognito', meaning: 'timeout of one Cognito call' }),
  REDIS_URL: optional(url(['redis:', 'rediss:']), {
    group: 'Cognito',
    example: 'redis://127.0.0.1:6379',
    meaning: 'one token bucket in Redis for the rate limit, shared by every replica of the consumer group; without it each replica spends `COGNITO_RATE_LIMIT` on its own',
  }),

  RETRY_MAX_ATTEMPTS: withDefault(number({ min: 1, max: 1_000, integer: true }), 12, {
    group: 'Retries of transient Cognito failures',
    meaning: 'Cognito calls one request may make, first attempts included',
  }),
  RETRY_MAX_DURATION_MS: withDefault(number({ min: 0, max: 86_400_000, integer: true }), 120_000, {
    group: 'Retries of transient Cognito failures',
    meaning: 'how long one request may keep retrying',
  }),
  RETRY_MIN_DELAY_MS: withDefault(number({ min: 1, max: 60_000, integer: true }), 200, {
    group: 'Retries of transient Cognito failures',
    meaning: 'shortest backoff (randomized, factor 2)',
  }),
  RETRY_MAX_DELAY_MS: withDefault(number({ min: 1, max: 600_000, integer: true }), 20_000, {
    group: 'Retries of transient Cognito failures',
    meaning: 'longest backoff',
  }),

  METRICS_PORT: withDefault(number({ min: 0, max: 65_535, integer: true }), 9464, {
    group: 'Operations',
    meaning: 'port of `/metrics`, `/healthz`, `/readyz` (0 picks a free port and logs it)',
  }),
  LOG_LEVEL: withDefault(oneOf(LOG_LEVELS), 'info', { group: 'Operations', meaning: 'pino log level' }),
  LOG_PERSONAL_DATA: withDefault(boolean, false, { group: 'Operations', meaning: 'log usernames as they are instead of their hash' }),
  SHUTDOWN_TIMEOUT_MS: withDefault(number({ min: 1_000, max: 3_600_000, integer: true }), 30_000, {
    group: 'Operations',
    meaning: 'how long SIGTERM waits for in-flight work',
  }),
  MAX_IN_FLIGHT: withDefault(number({ min: 1, max: 10_000, integer: true }), 100, { group: 'Operations', meaning: 'messages processed at once, across all partitions' }),
  MAX_MESSAGE_BYTES: withDefault(number({ min: 1_024, max: 100_000_000, integer: true }), 262_144, {
    group: 'Operations',
    meaning: 'larger input messages are dead letters (`oversized`)',
  }),
  // Off unless set: docs/contract.md promises an outcome for every input, and a quarantine holds them back.
  QUARANTINE_FAILURE_RATIO: withDefault(number({ min: 0, max: 1 }), 0, {
    group: 'Operations',
    example: '0.5',
    meaning: 'share of failed outcomes and dead letters that stops consumption; 0 is off',
  }),
  QUARANTINE_MIN_OUTCOMES: withDefault(number({ min: 1, max: 1_000_000, integer: true }), 100, {
    group: 'Operations',
    meaning: 'outcomes the window must hold before the share counts',
  }),
  QUARANTINE_WINDOW_MS: withDefault(number({ min: 1_000, max: 86_400_000, integer: true }), 300_000, {
    group: 'Operations',
    meaning: 'the sliding window of the quarantine',
  }),
} as const;

export type VariableName = keyof typeof VARIABLES;
