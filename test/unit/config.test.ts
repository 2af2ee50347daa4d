import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { configDocs, configTable, TABLE_END, TABLE_START, withConfigTable } from '../../scripts/generate-config-docs.ts';
import { ConfigError, loadConfig, loadKafkaConfig } from '../../src/config.ts';
import { VARIABLES } from '../../src/config/variables.ts';

const BASE = { KAFKA_BROKERS: 'localhost:9092', AWS_REGION: 'us-east-1', USER_POOL_ID: 'us-east-1_Example1' };
const SASL_PASSWORD = 'SaslPw-4b7e9!';
const REDIS_PASSWORD = 'RedisPw-8c2f';

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

function without(name: keyof typeof BASE): Record<string, string> {
  return Object.fromEntries(Object.entries(BASE).filter(([variable]) => variable !== name));
}

describe('loadConfig', () => {
  it('fills every default from a minimal environment', () => {
    expect(loadConfig(BASE)).toEqual({
      kafka: { brokers: ['localhost:9092'], groupId: 'user-provisioner', clientId: 'user-provisioner', ssl: false, sasl: undefined, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 },
      topics: { requested: 'user-requested', created: 'user-created', failed: 'user-provisioning-failed', dlq: 'user-requested.dlq' },
      cognito: {
        region: 'us-east-1',
        endpoint: undefined,
        defaultUserPoolId: 'us-east-1_Example1',
        allowedUserPoolIds: ['us-east-1_Example1'],
        rateLimit: 50,
        rateBurst: 2,
        requestTimeoutMs: 10_000,
      },
      retry: { maxAttempts: 12, maxDurationMs: 120_000, minDelayMs: 200, maxDelayMs: 20_000 },
      redisUrl: undefined,
      metricsPort: 9464,
      logLevel: 'info',
      logPersonalData: false,
      shutdownTimeoutMs: 30_000,
      maxMessageBytes: 262_144,
      maxInFlight: 100,
      quarantine: { failureRatio: 0, minOutcomes: 100, windowMs: 300_000 },
    });
  });

  it('reads every variable it is given', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093,[::1]:9094',
      KAFKA_GROUP_ID: 'group',
      KAFKA_CLIENT_ID: 'client',
      KAFKA_SSL: 'TRUE',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'svc',
      KAFKA_SASL_PASSWORD: SASL_PASSWORD,
      KAFKA_SESSION_TIMEOUT_MS: '45000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '15000',
      AWS_REGION: 'us-gov-west-1',
      COGNITO_ENDPOINT: 'http://localhost:5000',
      USER_POOL_ID: 'us-east-1_A1',
      ALLOWED_USER_POOL_IDS: 'us-east-1_A1,eu-west-1_B2',
      COGNITO_RATE_LIMIT: '2.5',
      REDIS_URL: `rediss://user:${REDIS_PASSWORD}@redis:6380`,
      METRICS_PORT: '0',
      LOG_LEVEL: 'DEBUG',
      LOG_PERSONAL_DATA: 'yes',
      SHUTDOWN_TIMEOUT_MS: '5000',
      TOPIC_REQUESTED: 'in',
      TOPIC_CREATED: 'out.created',
      TOPIC_FAILED: 'out_failed',
      TOPIC_DLQ: 'in-dlq',
    });
    expect(config.kafka).toEqual({
      brokers: ['kafka-1:9092', 'kafka-2:9093', '[::1]:9094'],
      groupId: 'group',
      clientId: 'client',
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'svc', password: SASL_PASSWORD },
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 15_000,
    });
    expect(config.topics).toEqual({ requested: 'in', created: 'out.created', failed: 'out_failed', dlq: 'in-dlq' });
    expect(config.cognito).toMatchObject({ region: 'us-gov-west-1', endpoint: 'http://localhost:5000', defaultUserPoolId: 'us-east-1_A1', allowedUserPoolIds: ['us-east-1_A1', 'eu-west-1_B2'], rateLimit: 2.5, rateBurst: 1 });
    expect(config).toMatchObject({ redisUrl: `rediss://user:${REDIS_PASSWORD}@redis:6380`, metricsPort: 0, logLevel: 'debug', logPersonalData: true, shutdownTimeoutMs: 5000 });
  });

  it('reads PROVENANCE_ATTRIBUTE, a custom or developer-only attribute, and leaves it unset by default', () => {
    expect(loadConfig(BASE).cognito.provenanceAttribute).toBeUndefined();
    expect(loadConfig({ ...BASE, PROVENANCE_ATTRIBUTE: 'custom:provisioning_id' }).cognito.provenanceAttribute).toBe('custom:provisioning_id');
    expect(loadConfig({ ...BASE, PROVENANCE_ATTRIBUTE: 'dev:custom:provisioning_id' }).cognito.provenanceAttribute).toBe('dev:custom:provisioning_id');
  });

  it('defaults ALLOWED_USER_POOL_IDS to USER_POOL_ID', () => {
    expect(loadConfig(BASE).cognito.allowedUserPoolIds).toEqual(['us-east-1_Example1']);
  });

  it('needs no USER_POOL_ID when ALLOWED_USER_POOL_IDS is set', () => {
    const { cognito } = loadConfig({ ...without('USER_POOL_ID'), ALLOWED_USER_POOL_IDS: 'us-east-1_A1,us-east-1_B2' });
    expect(cognito.defaultUserPoolId).toBeUndefined();
    expect(cognito.allowedUserPoolIds).toEqual(['us-east-1_A1', 'us-east-1_B2']);
  });

  it('refuses MSK IAM (aws) without TLS, naming KAFKA_SSL', () => {
    expect(() => loadConfig({ ...BASE, KAFKA_SASL_MECHANISM: 'aws' })).toThrow(expect.objectContaining({ variable: 'KAFKA_SSL' }));
  });

  it('takes MSK IAM (aws) without a username or password', () => {
    expect(loadConfig({ ...BASE, KAFKA_SASL_MECHANISM: 'aws', KAFKA_SSL: 'true' }).kafka.sasl).toEqual({ mechanism: 'aws', username: '', password: '' });
  });

  it('takes KAFKA_SASL_PASSWORD as it is, spaces included, and trims every other value', () => {
    const password = `  ${SASL_PASSWORD} `;
    const config = loadConfig({
      KAFKA_BROKERS: ' localhost:9092 ',
      AWS_REGION: ' us-east-1\t',
      USER_POOL_ID: ' us-east-1_Example1 ',
      KAFKA_GROUP_ID: ' group ',
      KAFKA_SASL_MECHANISM: ' plain ',
      KAFKA_SASL_USERNAME: ' svc ',
      KAFKA_SASL_PASSWORD: password,
    });
    expect(config.kafka).toMatchObject({ brokers: ['localhost:9092'], groupId: 'group', sasl: { mechanism: 'plain', username: 'svc', password } });
    expect(config.cognito).toMatchObject({ region: 'us-east-1', defaultUserPoolId: 'us-east-1_Example1' });
  });

  it('takes a heartbeat interval of up to a third of the session timeout, as Kafka advises', () => {
    expect(loadConfig({ ...BASE, KAFKA_SESSION_TIMEOUT_MS: '30000', KAFKA_HEARTBEAT_INTERVAL_MS: '10000' }).kafka).toMatchObject({ sessionTimeoutMs: 30_000, heartbeatIntervalMs: 10_000 });
    expect(loadConfig({ ...BASE, KAFKA_HEARTBEAT_INTERVAL_MS: '2000' }).kafka).toMatchObject({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 2_000 });
    expect(configError({ ...BASE, KAFKA_HEARTBEAT_INTERVAL_MS: '2001' }).message).toBe('KAFKA_HEARTBEAT_INTERVAL_MS: 2001 is more than a third of KAFKA_SESSION_TIMEOUT_MS (6000)');
  });

  it('treats a blank value as unset', () => {
    expect(loadConfig({ ...BASE, METRICS_PORT: '  ', LOG_LEVEL: '' })).toMatchObject({ metricsPort: 9464, logLevel: 'info' });
  });

  describe('a missing or malformed value is a ConfigError naming the variable', () => {
    const cases: [string, Record<string, string | undefined>, string][] = [
      ['KAFKA_BROKERS missing', without('KAFKA_BROKERS'), 'KAFKA_BROKERS'],
      ['KAFKA_BROKERS blank', { ...BASE, KAFKA_BROKERS: '   ' }, 'KAFKA_BROKERS'],
      ['KAFKA_BROKERS without a port', { ...BASE, KAFKA_BROKERS: 'localhost' }, 'KAFKA_BROKERS'],
      ['KAFKA_BROKERS with a port out of range', { ...BASE, KAFKA_BROKERS: 'localhost:99999' }, 'KAFKA_BROKERS'],
      ['KAFKA_BROKERS with an empty item', { ...BASE, KAFKA_BROKERS: 'a:1,,b:2' }, 'KAFKA_BROKERS'],
      ['KAFKA_BROKERS as a URL', { ...BASE, KAFKA_BROKERS: 'kafka://broker:9092' }, 'KAFKA_BROKERS'],
      ['AWS_REGION missing', without('AWS_REGION'), 'AWS_REGION'],
      ['AWS_REGION malformed', { ...BASE, AWS_REGION: 'US-EAST-1' }, 'AWS_REGION'],
      ['AWS_REGION without a number', { ...BASE, AWS_REGION: 'us-east' }, 'AWS_REGION'],
      ['METRICS_PORT not a number', { ...BASE, METRICS_PORT: 'http' }, 'METRICS_PORT'],
      ['METRICS_PORT out of range', { ...BASE, METRICS_PORT: '70000' }, 'METRICS_PORT'],
      ['METRICS_PORT not whole', { ...BASE, METRICS_PORT: '80.5' }, 'METRICS_PORT'],
      ['LOG_LEVEL unknown', { ...BASE, LOG_LEVEL: 'verbose' }, 'LOG_LEVEL'],
      ['KAFKA_SASL_MECHANISM unknown', { ...BASE, KAFKA_SASL_MECHANISM: 'gssapi' }, 'KAFKA_SASL_MECHANISM'],
      ['scram without a username', { ...BASE, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_PASSWORD: SASL_PASSWORD }, 'KAFKA_SASL_USERNAME'],
      ['scram without a password', { ...BASE, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'svc' }, 'KAFKA_SASL_PASSWORD'],
      ['plain without a password', { ...BASE, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc' }, 'KAFKA_SASL_PASSWORD'],
      ['USER_POOL_ID malformed', { ...BASE, USER_POOL_ID: 'Example1' }, 'USER_POOL_ID'],
      ['USER_POOL_ID not in ALLOWED_USER_POOL_IDS', { ...BASE, ALLOWED_USER_POOL_IDS: 'us-east-1_Other' }, 'USER_POOL_ID'],
      ['neither USER_POOL_ID nor ALLOWED_USER_POOL_IDS', without('USER_POOL_ID'), 'USER_POOL_ID'],
      ['ALLOWED_USER_POOL_IDS with a malformed id', { ...BASE, ALLOWED_USER_POOL_IDS: 'us-east-1_Example1,nope' }, 'ALLOWED_USER_POOL_IDS'],
      ['COGNITO_RATE_LIMIT zero', { ...BASE, COGNITO_RATE_LIMIT: '0' }, 'COGNITO_RATE_LIMIT'],
      ['COGNITO_RATE_LIMIT negative', { ...BASE, COGNITO_RATE_LIMIT: '-5' }, 'COGNITO_RATE_LIMIT'],
      ['COGNITO_RATE_LIMIT not a number', { ...BASE, COGNITO_RATE_LIMIT: 'fast' }, 'COGNITO_RATE_LIMIT'],
      ['SHUTDOWN_TIMEOUT_MS not a number', { ...BASE, SHUTDOWN_TIMEOUT_MS: '30s' }, 'SHUTDOWN_TIMEOUT_MS'],
      ['REDIS_URL not a redis URL', { ...BASE, REDIS_URL: 'http://localhost:6379' }, 'REDIS_URL'],
      ['REDIS_URL not a URL', { ...BASE, REDIS_URL: 'localhost:6379' }, 'REDIS_URL'],
      ['COGNITO_ENDPOINT not a URL', { ...BASE, COGNITO_ENDPOINT: 'localhost' }, 'COGNITO_ENDPOINT'],
      ['TOPIC_REQUESTED invalid', { ...BASE, TOPIC_REQUESTED: 'user requested' }, 'TOPIC_REQUESTED'],
      ['TOPIC_CREATED invalid', { ...BASE, TOPIC_CREATED: 'user/created' }, 'TOPIC_CREATED'],
      ['TOPIC_FAILED invalid', { ...BASE, TOPIC_FAILED: 'f'.repeat(250) }, 'TOPIC_FAILED'],
      ['TOPIC_DLQ invalid', { ...BASE, TOPIC_DLQ: 'dlq!' }, 'TOPIC_DLQ'],
      ['KAFKA_SSL not a boolean', { ...BASE, KAFKA_SSL: 'maybe' }, 'KAFKA_SSL'],
      // The broker's default group.min.session.timeout.ms and group.max.session.timeout.ms.
      ['KAFKA_SESSION_TIMEOUT_MS below the broker\'s minimum', { ...BASE, KAFKA_SESSION_TIMEOUT_MS: '5999' }, 'KAFKA_SESSION_TIMEOUT_MS'],
      ['KAFKA_SESSION_TIMEOUT_MS above the broker\'s maximum', { ...BASE, KAFKA_SESSION_TIMEOUT_MS: '1800001' }, 'KAFKA_SESSION_TIMEOUT_MS'],
      ['KAFKA_HEARTBEAT_INTERVAL_MS not whole', { ...BASE, KAFKA_HEARTBEAT_INTERVAL_MS: '1000.5' }, 'KAFKA_HEARTBEAT_INTERVAL_MS'],
      ['KAFKA_HEARTBEAT_INTERVAL_MS more than a third of the default session', { ...BASE, KAFKA_HEARTBEAT_INTERVAL_MS: '2001' }, 'KAFKA_HEARTBEAT_INTERVAL_MS'],
      ['KAFKA_HEARTBEAT_INTERVAL_MS more than a third of KAFKA_SESSION_TIMEOUT_MS', { ...BASE, KAFKA_SESSION_TIMEOUT_MS: '30000', KAFKA_HEARTBEAT_INTERVAL_MS: '10001' }, 'KAFKA_HEARTBEAT_INTERVAL_MS'],
      ['LOG_PERSONAL_DATA not a boolean', { ...BASE, LOG_PERSONAL_DATA: 'sometimes' }, 'LOG_PERSONAL_DATA'],
      ['PROVENANCE_ATTRIBUTE a standard attribute', { ...BASE, PROVENANCE_ATTRIBUTE: 'email' }, 'PROVENANCE_ATTRIBUTE'],
      ['PROVENANCE_ATTRIBUTE longer than a custom attribute name may be', { ...BASE, PROVENANCE_ATTRIBUTE: `custom:${'p'.repeat(21)}` }, 'PROVENANCE_ATTRIBUTE'],
    ];

    it.each(cases)('%s', (_name, env, variable) => {
      const error = configError(env);
      expect(error.variable).toBe(variable);
      expect(error.message).toContain(variable);
      expect(error.name).toBe('ConfigError');
    });

    // Every case again with a SASL password set (except those about the password being absent).
    const withPassword = cases
      .filter(([, , variable]) => variable !== 'KAFKA_SASL_PASSWORD')
      .map(([name, env, variable]) => {
        const sasl = variable === 'KAFKA_SASL_USERNAME' ? {} : { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc' };
        return [name, { ...sasl, ...env, KAFKA_SASL_PASSWORD: SASL_PASSWORD }] as const;
      });

    it.each(withPassword)('never shows the SASL password: %s', (_name, env) => {
      const error = configError(env);
      expect(error.message).not.toContain(SASL_PASSWORD);
    });
  });

  describe('never shows a REDIS_URL password', () => {
    it.each([
      `http://user:${REDIS_PASSWORD}@redis:6379`,
      `redis://:${REDIS_PASSWORD}@redis:port`,
      `redis//user:${REDIS_PASSWORD}@redis`,
      `user:${REDIS_PASSWORD}@redis:6379`,
    ])('%s', (url) => {
      const error = configError({ ...BASE, REDIS_URL: url });
      expect(error.variable).toBe('REDIS_URL');
      expect(error.message).not.toContain(REDIS_PASSWORD);
    });
  });
});

describe('the configuration table', () => {
  const names = Object.keys(VARIABLES);
  const repositoryFile = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');

  /** The variables a loader looks up in the environment it is given. */
  function readBy(load: (env: Record<string, string | undefined>) => unknown, env: Record<string, string>): string[] {
    const read = new Set<string>();
    load(new Proxy(env, {
      get: (target, name: string) => {
        read.add(name);
        return target[name];
      },
    }));
    return [...read].sort();
  }

  it('holds every variable loadConfig reads, and nothing it does not read', () => {
    const env = { ...BASE, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: SASL_PASSWORD };
    expect(readBy(loadConfig, env)).toEqual([...names].sort());
  });

  it('is also what replay reads: the Kafka, topic and log variables, and AWS_REGION only for MSK IAM', () => {
    const kafkaOnly = names.filter((name) => /^(KAFKA_|TOPIC_|LOG_)/.test(name)).sort();
    expect(readBy(loadKafkaConfig, { KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: SASL_PASSWORD }))
      .toEqual(kafkaOnly);
    const withIam = readBy(loadKafkaConfig, { KAFKA_BROKERS: 'a:1', KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'aws', AWS_REGION: 'eu-west-1' });
    expect(withIam).toContain('AWS_REGION');
    expect(withIam).not.toContain('KAFKA_SASL_PASSWORD');
  });

  it('is what README.md, docs/contract.md and .env.example say (node scripts/generate-config-docs.ts rewrites them)', async () => {
    for (const doc of await configDocs()) expect(doc.current, `${doc.path} is out of date`).toBe(doc.wanted);
  });

  it.each(names)('%s is in docs/contract.md, the README and .env.example', async (name) => {
    expect(await repositoryFile('docs/contract.md')).toContain(`| \`${name}\` |`);
    expect(await repositoryFile('README.md')).toContain(`| \`${name}\` |`);
    expect((await repositoryFile('.env.example')).split('\n')).toContainEqual(expect.stringMatching(new RegExp(`^(# )?${name}=`)));
  });

  it('gives .env.example values the service accepts', async () => {
    const example: Record<string, string> = {};
    for (const line of (await repositoryFile('.env.example')).split('\n')) {
      const [, name, value] = /^(?:# )?([A-Z_]+)=(.*)$/.exec(line) ?? [];
      if (name !== undefined) example[name] = value ?? '';
    }
    expect(Object.keys(example).sort()).toEqual([...names].sort());
    expect(() => loadConfig({ ...example, KAFKA_SASL_USERNAME: 'svc', KAFKA_SASL_PASSWORD: SASL_PASSWORD })).not.toThrow();
  });

  it('replaces only what lies between the markers', () => {
    const document = `# Title\n\nbefore\n${TABLE_START}\n| stale |\n${TABLE_END}\nafter\n`;
    expect(withConfigTable(document, configTable())).toBe(`# Title\n\nbefore\n${TABLE_START}\n${configTable()}\n${TABLE_END}\nafter\n`);
  });

  it('refuses a document without both markers, in order', () => {
    expect(() => withConfigTable('no table here', configTable())).toThrow(/markers/);
    expect(() => withConfigTable(`${TABLE_END}\n${TABLE_START}`, configTable())).toThrow(/markers/);
  });
});
