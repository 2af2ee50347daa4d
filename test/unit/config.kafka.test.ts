import { describe, expect, it } from 'vitest';
import { ConfigError, loadKafkaConfig } from '../../src/config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadKafkaConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadKafkaConfig (replay)', () => {
  it('needs only KAFKA_BROKERS: no region, pool or Cognito variable', () => {
    expect(loadKafkaConfig({ KAFKA_BROKERS: 'localhost:9092' })).toEqual({
      kafka: { brokers: ['localhost:9092'], groupId: 'user-provisioner', clientId: 'user-provisioner', ssl: false, sasl: undefined, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 },
      topics: { requested: 'user-requested', created: 'user-created', failed: 'user-provisioning-failed', dlq: 'user-requested.dlq' },
      awsRegion: undefined,
      logLevel: 'info',
      logPersonalData: false,
    });
  });

  it('reads the Kafka and topic variables the way the service does', () => {
    const config = loadKafkaConfig({
      KAFKA_BROKERS: 'a:1,b:2',
      KAFKA_GROUP_ID: 'g',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: ' p ',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
      KAFKA_HEARTBEAT_INTERVAL_MS: '2000',
      TOPIC_REQUESTED: 'in',
      TOPIC_FAILED: 'failed',
      TOPIC_DLQ: 'in.dlq',
      LOG_LEVEL: 'WARN',
      LOG_PERSONAL_DATA: 'yes',
      // Not read by replay, so a value the service would refuse does not matter.
      COGNITO_RATE_LIMIT: 'lots',
    });
    expect(config.kafka).toEqual({ brokers: ['a:1', 'b:2'], groupId: 'g', clientId: 'user-provisioner', ssl: true, sasl: { mechanism: 'scram-sha-256', username: 'u', password: ' p ' }, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 2_000 });
    expect(config.topics).toMatchObject({ requested: 'in', failed: 'failed', dlq: 'in.dlq' });
    expect(config).toMatchObject({ logLevel: 'warn', logPersonalData: true });
  });

  it('needs AWS_REGION only for MSK IAM, which signs for a region', () => {
    expect(configError({ KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'aws', KAFKA_SSL: 'true' }).message).toBe('AWS_REGION: is required');
    expect(loadKafkaConfig({ KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'aws', KAFKA_SSL: 'true', AWS_REGION: 'eu-west-1' }).awsRegion).toBe('eu-west-1');
  });

  it.each([
    [{}, 'KAFKA_BROKERS: is required'],
    [{ KAFKA_BROKERS: 'nohost' }, 'KAFKA_BROKERS: "nohost" is not host:port'],
    [{ KAFKA_BROKERS: 'a:1', TOPIC_FAILED: 'bad topic' }, 'TOPIC_FAILED: "bad topic" is not a Kafka topic name'],
    [{ KAFKA_BROKERS: 'a:1', KAFKA_SASL_MECHANISM: 'plain' }, 'KAFKA_SASL_USERNAME: is required'],
    [{ KAFKA_BROKERS: 'a:1', LOG_PERSONAL_DATA: 'maybe' }, 'LOG_PERSONAL_DATA: "maybe" is not true or false'],
    [{ KAFKA_BROKERS: 'a:1', KAFKA_SESSION_TIMEOUT_MS: '3000' }, 'KAFKA_SESSION_TIMEOUT_MS: 3000 is outside 6000..1800000'],
    [{ KAFKA_BROKERS: 'a:1', KAFKA_HEARTBEAT_INTERVAL_MS: '3000' }, 'KAFKA_HEARTBEAT_INTERVAL_MS: 3000 is more than a third of KAFKA_SESSION_TIMEOUT_MS (6000)'],
  ])('names the variable of a bad value: %j', (env, message) => {
    expect(configError(env).message).toContain(message);
  });
});
