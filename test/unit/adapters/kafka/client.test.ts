// How KAFKA_SASL_MECHANISM becomes kafkajs's SASL settings. MSK IAM cannot be reached from here,
// so its token is checked for what MSK verifies: a SigV4-presigned kafka-cluster:Connect for the
// configured region, signed with the credentials of the default chain.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logLevel } from 'kafkajs';
import { kafkaLogLevel, saslOptions } from '../../../../src/adapters/kafka/client.ts';

const ACCESS_KEY_ID = 'AKIAKAFKASASLTEST01';

describe('saslOptions', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('%s carries the username and the password as they are', (mechanism) => {
    // Spaces at either end are part of a password: config.ts keeps them, and so must this.
    const sasl = { mechanism, username: 'svc-user-provisioner', password: ' Pw with spaces, and = signs ' };
    expect(saslOptions(sasl, 'eu-west-1')).toEqual(sasl);
  });

  it('aws is OAUTHBEARER with a token that presigns kafka-cluster:Connect for the region', async () => {
    // The default chain takes keys from the environment first (unless AWS_PROFILE names a
    // profile), so signing needs no network and no machine credentials.
    vi.stubEnv('AWS_PROFILE', '');
    vi.stubEnv('AWS_ACCESS_KEY_ID', ACCESS_KEY_ID);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-key-for-signing-only');
    vi.stubEnv('AWS_SESSION_TOKEN', '');

    const options = saslOptions({ mechanism: 'aws', username: '', password: '' }, 'eu-west-1');
    if (options.mechanism !== 'oauthbearer') throw new Error(`expected oauthbearer, got ${options.mechanism}`);
    expect(Object.keys(options).sort()).toEqual(['mechanism', 'oauthBearerProvider']);

    const { value } = await options.oauthBearerProvider();
    const url = new URL(Buffer.from(value, 'base64url').toString('utf8'));
    expect(url.hostname).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${ACCESS_KEY_ID}/\\d{8}/eu-west-1/kafka-cluster/aws4_request$`));
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('kafkaLogLevel', () => {
  const at = (level: logLevel, log: Record<string, unknown>) => kafkaLogLevel({ level, log: { message: 'Response GroupCoordinator(key: 10, version: 2)', timestamp: '', ...log } });

  it('makes a broker answer that kafkajs retries a warning: a coordinator loading or not yet available at start', () => {
    expect(at(logLevel.ERROR, { error: "The coordinator is loading and hence can't process requests for this group" })).toBe('warn');
    expect(at(logLevel.ERROR, { error: 'The group coordinator is not available' })).toBe('warn');
  });

  it("makes the consumer's crash on such an answer and its restart warnings (Kafka 4.1 at the first JoinGroup)", () => {
    expect(at(logLevel.ERROR, { message: "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group" })).toBe('warn');
    expect(at(logLevel.ERROR, { message: 'Restarting the consumer in 300ms' })).toBe('warn');
  });

  it('keeps a crash on anything kafkajs does not retry an error', () => {
    expect(at(logLevel.ERROR, { message: 'Crash: KafkaJSProtocolError: Not authorized to access group' })).toBe('error');
    expect(at(logLevel.ERROR, { message: 'Crash: KafkaJSNumberOfRetriesExceeded: The coordinator is loading' })).toBe('error');
    expect(at(logLevel.ERROR, { message: 'Restarting the consumer in 300ms, or not' })).toBe('error');
  });

  it('keeps every other error an error, and maps warn and below as they are', () => {
    expect(at(logLevel.ERROR, { error: 'Request is not valid given the current SASL state' })).toBe('error');
    expect(at(logLevel.ERROR, { error: 'Connection error: connect ECONNREFUSED 127.0.0.1:1' })).toBe('error');
    expect(at(logLevel.ERROR, {})).toBe('error');
    expect(at(logLevel.WARN, {})).toBe('warn');
    expect(at(logLevel.INFO, {})).toBe('debug');
  });
});
