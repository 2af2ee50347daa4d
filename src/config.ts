// Reads and checks the environment once, at start, through the table of src/config/variables.ts.
// A bad value is a ConfigError naming the variable; main prints it as one line and exits 2
// before connecting to anything.
import { ConfigError, missing } from './config/parse.ts';
import { VARIABLES, type SaslMechanism, type Variable, type VariableName } from './config/variables.ts';

export { ConfigError } from './config/parse.ts';
export type { SaslMechanism } from './config/variables.ts';

export interface Config {
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly groupId: string;
    readonly clientId: string;
    readonly ssl: boolean;
    readonly sasl: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string } | undefined;
    readonly sessionTimeoutMs: number;
    readonly heartbeatIntervalMs: number;
  };
  readonly topics: { readonly requested: string; readonly created: string; readonly failed: string; readonly dlq: string };
  readonly cognito: {
    readonly region: string;
    readonly endpoint: string | undefined;
    readonly defaultUserPoolId: string | undefined;
    readonly allowedUserPoolIds: readonly string[];
    readonly provenanceAttribute: string | undefined;
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

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env): Config {
  const read = reader(env);
  // The required variables first, in the order of the table.
  const { kafka, topics } = readKafka(read);
  const region = read('AWS_REGION');
  const defaultUserPoolId = read('USER_POOL_ID');
  const allowedUserPoolIds = read('ALLOWED_USER_POOL_IDS') ?? (defaultUserPoolId !== undefined ? [defaultUserPoolId] : undefined);
  if (allowedUserPoolIds === undefined) {
    throw new ConfigError('USER_POOL_ID', 'set USER_POOL_ID or ALLOWED_USER_POOL_IDS: without a pool no request can be served');
  }
  if (defaultUserPoolId !== undefined && !allowedUserPoolIds.includes(defaultUserPoolId)) {
    throw new ConfigError('USER_POOL_ID', `${defaultUserPoolId} is not in ALLOWED_USER_POOL_IDS`);
  }
  const rateLimit = read('COGNITO_RATE_LIMIT');

  return {
    kafka,
    topics,
    cognito: {
      region,
      endpoint: read('COGNITO_ENDPOINT'),
      defaultUserPoolId,
      allowedUserPoolIds,
      provenanceAttribute: read('PROVENANCE_ATTRIBUTE'),
      rateLimit,
      rateBurst: read('COGNITO_RATE_BURST') ?? Math.max(1, Math.ceil(rateLimit / 25)),
      requestTimeoutMs: read('COGNITO_TIMEOUT_MS'),
    },
    retry: {
      maxAttempts: read('RETRY_MAX_ATTEMPTS'),
      maxDurationMs: read('RETRY_MAX_DURATION_MS'),
      minDelayMs: read('RETRY_MIN_DELAY_MS'),
      maxDelayMs: read('RETRY_MAX_DELAY_MS'),
    },
    redisUrl: read('REDIS_URL'),
    metricsPort: read('METRICS_PORT'),
    logLevel: read('LOG_LEVEL'),
    logPersonalData: read('LOG_PERSONAL_DATA'),
    shutdownTimeoutMs: read('SHUTDOWN_TIMEOUT_MS'),
    quarantine: {
      failureRatio: read('QUARANTINE_FAILURE_RATIO'),
      minOutcomes: read('QUARANTINE_MIN_OUTCOMES'),
      windowMs: read('QUARANTINE_WINDOW_MS'),
    },
    maxInFlight: read('MAX_IN_FLIGHT'),
    maxMessageBytes: read('MAX_MESSAGE_BYTES'),
  };
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
    awsRegion: kafka.sasl?.mechanism === 'aws' ? read('AWS_REGION') : undefined,
    logLevel: read('LOG_LEVEL'),
    logPersonalData: read('LOG_PERSONAL_DATA'),
  };
}

/** The Kafka connection and the topics: what the service and replay share. */
function readKafka(read: Reader): Pick<Config, 'kafka' | 'topics'> {
  const brokers = read('KAFKA_BROKERS');
  const ssl = read('KAFKA_SSL');
  const credentials = sasl(read);
  // MSK's IAM listener speaks only TLS: without it the connection could never authenticate.
  if (credentials?.mechanism === 'aws' && !ssl) throw new ConfigError('KAFKA_SSL', 'must be true with KAFKA_SASL_MECHANISM=aws (MSK IAM runs over TLS)');
  const sessionTimeoutMs = read('KAFKA_SESSION_TIMEOUT_MS');
  const heartbeatIntervalMs = read('KAFKA_HEARTBEAT_INTERVAL_MS');
  // Kafka's advice: a member that misses two heartbeats in a row (a slow request, a GC) still keeps its session.
  if (heartbeatIntervalMs * 3 > sessionTimeoutMs) {
    throw new ConfigError('KAFKA_HEARTBEAT_INTERVAL_MS', `${heartbeatIntervalMs} is more than a third of KAFKA_SESSION_TIMEOUT_MS (${sessionTimeoutMs})`);
  }
  return {
    kafka: { brokers, groupId: read('KAFKA_GROUP_ID'), clientId: read('KAFKA_CLIENT_ID'), ssl, sasl: credentials, sessionTimeoutMs, heartbeatIntervalMs },
    topics: { requested: read('TOPIC_REQUESTED'), created: read('TOPIC_CREATED'), failed: read('TOPIC_FAILED'), dlq: read('TOPIC_DLQ') },
  };
}

function sasl(read: Reader): Config['kafka']['sasl'] {
  const mechanism = read('KAFKA_SASL_MECHANISM');
  if (mechanism === undefined) return undefined;
  // MSK IAM signs with the AWS credential chain: no username or password.
  if (mechanism === 'aws') return { mechanism, username: '', password: '' };
  return { mechanism, username: read.required('KAFKA_SASL_USERNAME'), password: read.required('KAFKA_SASL_PASSWORD') };
}

type Table = typeof VARIABLES;
/** A variable's parsed value. */
type Parsed<N extends VariableName> = ReturnType<Table[N]['parser']['parse']>;
/** What reading a variable gives: its parsed value, or its default, or undefined when it has none. */
type Value<N extends VariableName> = Parsed<N> | ReturnType<Table[N]['unset']>;

type Reader = ReturnType<typeof reader>;

function reader(env: Env) {
  const raw = (name: VariableName, variable: Variable<unknown, unknown>): string | undefined => {
    const value = variable.verbatim ? env[name] : env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  // The casts restate what the table's entry for `name` gives: TypeScript cannot narrow an entry by a generic key.
  const read = <N extends VariableName>(name: N): Value<N> => {
    const variable: Variable<unknown, unknown> = VARIABLES[name];
    const value = raw(name, variable);
    return (value === undefined ? variable.unset(name) : variable.parser.parse(name, value)) as Value<N>;
  };
  /** For a variable required only in some settings (the SASL credentials). */
  read.required = <N extends VariableName>(name: N): Parsed<N> => {
    const variable: Variable<unknown, unknown> = VARIABLES[name];
    const value = raw(name, variable) ?? missing(name);
    return variable.parser.parse(name, value) as Parsed<N>;
  };
  return read;
}
