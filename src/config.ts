// Reads and checks the environment once, at start. A bad value is a ConfigError naming the
// variable; main prints it as one line and exits 2 before connecting to anything.

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512' | 'aws';

export interface Config {
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly groupId: string;
    readonly clientId: string;
    readonly ssl: boolean;
    readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string } | undefined;
  };
  readonly topics: { readonly requested: string; readonly created: string; readonly failed: string; readonly dlq: string };
  readonly cognito: {
    readonly region: string;
    readonly endpoint: string | undefined;
    readonly defaultUserPoolId: string | undefined;
    readonly allowedUserPoolIds: readonly string[];
    readonly rateLimit: number;
    readonly rateBurst: number;
    readonly requestTimeoutMs: number;
  };
  readonly retry: { readonly maxAttempts: number; readonly maxDurationMs: number; readonly minDelayMs: number; readonly maxDelayMs: number };
  readonly redisUrl: string | undefined;
  readonly metricsPort: number;
  readonly logLevel: string;
  readonly logPersonalData: boolean;
  readonly shutdownTimeoutMs: number;
  readonly maxMessageBytes: number;
  readonly maxInFlight: number;
  readonly quarantine: { readonly failureRatio: number; readonly minOutcomes: number; readonly windowMs: number };
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variable: string;

  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const SECRET_VARIABLES = new Set(['KAFKA_SASL_PASSWORD']);
const SASL_MECHANISMS: readonly SaslMechanism[] = ['plain', 'scram-sha-256', 'scram-sha-512', 'aws'];

export function loadConfig(env: Env): Config {
  const read = reader(env);
  // The required variables first, in the order of the contract's table.
  const { kafka, topics } = readKafka(read);
  const region = read.required('AWS_REGION', (value) => matching('AWS_REGION', value, REGION, 'a region such as us-east-1'));
  const defaultUserPoolId = read.optional('USER_POOL_ID', (value) => poolId('USER_POOL_ID', value));
  const allowedUserPoolIds = read.optional('ALLOWED_USER_POOL_IDS', (value) => list('ALLOWED_USER_POOL_IDS', value).map((id) => poolId('ALLOWED_USER_POOL_IDS', id)))
    ?? (defaultUserPoolId !== undefined ? [defaultUserPoolId] : undefined);
  if (allowedUserPoolIds === undefined) {
    throw new ConfigError('USER_POOL_ID', 'set USER_POOL_ID or ALLOWED_USER_POOL_IDS: without a pool no request can be served');
  }
  if (defaultUserPoolId !== undefined && !allowedUserPoolIds.includes(defaultUserPoolId)) {
    throw new ConfigError('USER_POOL_ID', `${defaultUserPoolId} is not in ALLOWED_USER_POOL_IDS`);
  }
  const rateLimit = read.optional('COGNITO_RATE_LIMIT', (value) => number('COGNITO_RATE_LIMIT', value, { min: 0.01, max: 10_000 })) ?? 50;

  return {
    kafka,
    topics,
    cognito: {
      region,
      endpoint: read.optional('COGNITO_ENDPOINT', (value) => url('COGNITO_ENDPOINT', value, ['http:', 'https:'])),
      defaultUserPoolId,
      allowedUserPoolIds,
      rateLimit,
      rateBurst: read.optional('COGNITO_RATE_BURST', (value) => number('COGNITO_RATE_BURST', value, { min: 1, max: 10_000, integer: true }))
        ?? Math.max(1, Math.ceil(rateLimit / 25)),
      requestTimeoutMs: read.optional('COGNITO_TIMEOUT_MS', (value) => number('COGNITO_TIMEOUT_MS', value, { min: 100, max: 120_000, integer: true })) ?? 10_000,
    },
    retry: {
      maxAttempts: read.optional('RETRY_MAX_ATTEMPTS', (value) => number('RETRY_MAX_ATTEMPTS', value, { min: 1, max: 1_000, integer: true })) ?? 12,
      maxDurationMs: read.optional('RETRY_MAX_DURATION_MS', (value) => number('RETRY_MAX_DURATION_MS', value, { min: 0, max: 86_400_000, integer: true })) ?? 120_000,
      minDelayMs: read.optional('RETRY_MIN_DELAY_MS', (value) => number('RETRY_MIN_DELAY_MS', value, { min: 1, max: 60_000, integer: true })) ?? 200,
      maxDelayMs: read.optional('RETRY_MAX_DELAY_MS', (value) => number('RETRY_MAX_DELAY_MS', value, { min: 1, max: 600_000, integer: true })) ?? 20_000,
    },
    redisUrl: read.optional('REDIS_URL', (value) => url('REDIS_URL', value, ['redis:', 'rediss:'])),
    metricsPort: read.optional('METRICS_PORT', (value) => number('METRICS_PORT', value, { min: 0, max: 65_535, integer: true })) ?? 9464,
    logLevel: read.optional('LOG_LEVEL', (value) => oneOf('LOG_LEVEL', value.toLowerCase(), LOG_LEVELS)) ?? 'info',
    logPersonalData: read.optional('LOG_PERSONAL_DATA', (value) => boolean('LOG_PERSONAL_DATA', value)) ?? false,
    shutdownTimeoutMs: read.optional('SHUTDOWN_TIMEOUT_MS', (value) => number('SHUTDOWN_TIMEOUT_MS', value, { min: 1_000, max: 3_600_000, integer: true })) ?? 30_000,
    quarantine: {
      // Off unless set: the contract promises an outcome for every input, and a quarantine holds them back.
      failureRatio: read.optional('QUARANTINE_FAILURE_RATIO', (value) => number('QUARANTINE_FAILURE_RATIO', value, { min: 0, max: 1 })) ?? 0,
      minOutcomes: read.optional('QUARANTINE_MIN_OUTCOMES', (value) => number('QUARANTINE_MIN_OUTCOMES', value, { min: 1, max: 1_000_000, integer: true })) ?? 100,
      windowMs: read.optional('QUARANTINE_WINDOW_MS', (value) => number('QUARANTINE_WINDOW_MS', value, { min: 1_000, max: 86_400_000, integer: true })) ?? 300_000,
    },
    maxInFlight: read.optional('MAX_IN_FLIGHT', (value) => number('MAX_IN_FLIGHT', value, { min: 1, max: 10_000, integer: true })) ?? 100,
    maxMessageBytes: read.optional('MAX_MESSAGE_BYTES', (value) => number('MAX_MESSAGE_BYTES', value, { min: 1_024, max: 100_000_000, integer: true })) ?? 262_144,
  };
}

function sasl(read: Reader): Config['kafka']['sasl'] {
  const mechanism = read.optional('KAFKA_SASL_MECHANISM', (value) => oneOf('KAFKA_SASL_MECHANISM', value.toLowerCase(), SASL_MECHANISMS));
  if (mechanism === undefined) return undefined;
  // MSK IAM signs with the AWS credential chain: no username or password.
  if (mechanism === 'aws') return { mechanism, username: '', password: '' };
  const username = read.required('KAFKA_SASL_USERNAME', (value) => value);
  const password = read.required('KAFKA_SASL_PASSWORD', (value) => value);
  return { mechanism, username, password };
}

type Reader = ReturnType<typeof reader>;

function reader(env: Env) {
  const raw = (name: string): string | undefined => {
    // A secret is taken as it is: spaces may be part of it.
    const value = SECRET_VARIABLES.has(name) ? env[name] : env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  return {
    required<T>(name: string, parse: (value: string) => T): T {
      const value = raw(name);
      if (value === undefined) throw new ConfigError(name, 'is required');
      return parse(value);
    },
    optional<T>(name: string, parse: (value: string) => T): T | undefined {
      const value = raw(name);
      return value === undefined ? undefined : parse(value);
    },
  };
}

function list(name: string, value: string): string[] {
  const items = value.split(',').map((item) => item.trim());
  if (items.some((item) => item === '')) throw new ConfigError(name, 'has an empty item in its comma-separated list');
  return items;
}

function hostPort(name: string, value: string): string {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = Number(match?.[2]);
  if (!match || port < 1 || port > 65_535) throw new ConfigError(name, `"${value}" is not host:port`);
  return value;
}

function number(name: string, value: string, range: { min: number; max: number; integer?: boolean }): number {
  const parsed = Number(value);
  if (!/^-?\d+(\.\d+)?$/.test(value) || !Number.isFinite(parsed)) throw new ConfigError(name, `"${value}" is not a number`);
  if (range.integer && !Number.isInteger(parsed)) throw new ConfigError(name, `"${value}" is not a whole number`);
  if (parsed < range.min || parsed > range.max) throw new ConfigError(name, `${value} is outside ${range.min}..${range.max}`);
  return parsed;
}

function boolean(name: string, value: string): boolean {
  const normalized = value.toLowerCase();
  if (['true', '1', 'yes'].includes(normalized)) return true;
  if (['false', '0', 'no'].includes(normalized)) return false;
  throw new ConfigError(name, `"${value}" is not true or false`);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(name, `"${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

function matching(name: string, value: string, pattern: RegExp, expected: string): string {
  if (!pattern.test(value)) throw new ConfigError(name, `"${value}" is not ${expected}`);
  return value;
}

function poolId(name: string, value: string): string {
  return matching(name, value, POOL_ID, 'a user pool id such as us-east-1_Example1');
}

function topic(name: string, value: string): string {
  return matching(name, value, TOPIC_NAME, 'a Kafka topic name (letters, digits, ".", "_", "-"; at most 249)');
}

function url(name: string, value: string, protocols: readonly string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a URL');
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  return value;
}

/**
 * What a command that only talks to Kafka (replay) needs from the same environment as the
 * service: no Cognito, pool, rate or HTTP variable is read, so none is required.
 */
export interface KafkaConfig {
  readonly kafka: Config['kafka'];
  readonly topics: Config['topics'];
  /** Set only for MSK IAM (KAFKA_SASL_MECHANISM=aws), whose tokens are signed for a region. */
  readonly awsRegion: string | undefined;
  readonly logLevel: string;
  readonly logPersonalData: boolean;
}

export function loadKafkaConfig(env: Env): KafkaConfig {
  const read = reader(env);
  const { kafka, topics } = readKafka(read);
  return {
    kafka,
    topics,
    awsRegion: kafka.sasl?.mechanism === 'aws'
      ? read.required('AWS_REGION', (value) => matching('AWS_REGION', value, REGION, 'a region such as us-east-1'))
      : undefined,
    logLevel: read.optional('LOG_LEVEL', (value) => oneOf('LOG_LEVEL', value.toLowerCase(), LOG_LEVELS)) ?? 'info',
    logPersonalData: read.optional('LOG_PERSONAL_DATA', (value) => boolean('LOG_PERSONAL_DATA', value)) ?? false,
  };
}

/** The Kafka connection and the topics: what the service and replay share. */
function readKafka(read: Reader): Pick<Config, 'kafka' | 'topics'> {
  const brokers = read.required('KAFKA_BROKERS', (value) => list('KAFKA_BROKERS', value).map((broker) => hostPort('KAFKA_BROKERS', broker)));
  const ssl = read.optional('KAFKA_SSL', (value) => boolean('KAFKA_SSL', value)) ?? false;
  const credentials = sasl(read);
  // MSK's IAM listener speaks only TLS: without it the connection could never authenticate.
  if (credentials?.mechanism === 'aws' && !ssl) throw new ConfigError('KAFKA_SSL', 'must be true with KAFKA_SASL_MECHANISM=aws (MSK IAM runs over TLS)');
  return {
    kafka: {
      brokers,
      groupId: read.optional('KAFKA_GROUP_ID', (value) => value) ?? 'user-provisioner',
      clientId: read.optional('KAFKA_CLIENT_ID', (value) => value) ?? 'user-provisioner',
      ssl,
      sasl: credentials,
    },
    topics: {
      requested: read.optional('TOPIC_REQUESTED', (value) => topic('TOPIC_REQUESTED', value)) ?? 'user-requested',
      created: read.optional('TOPIC_CREATED', (value) => topic('TOPIC_CREATED', value)) ?? 'user-created',
      failed: read.optional('TOPIC_FAILED', (value) => topic('TOPIC_FAILED', value)) ?? 'user-provisioning-failed',
      dlq: read.optional('TOPIC_DLQ', (value) => topic('TOPIC_DLQ', value)) ?? 'user-requested.dlq',
    },
  };
}
