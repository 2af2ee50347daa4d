// Paths moto cannot produce, injected by the fault proxy in front of it. Test names say what is
// simulated. The service runs with a small retry budget so exhaustion is quick.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Cleanup } from '../support/cleanup.ts';
import { startCognitoFaultProxy, type CognitoFaultProxy } from '../support/cognito-fault-proxy.ts';
import { CognitoTestClient } from '../support/cognito-test-client.ts';
import { requestEvent, structured } from '../support/events.ts';
import { KafkaTestClient, type Topics } from '../support/kafka-test-client.ts';
import { answersFor, createdFor, failedFor } from '../support/outcomes.ts';
import { metricValue, ServiceProcess } from '../support/service-process.ts';

const brokers = inject('kafkaBrokers');
const cognitoEndpoint = inject('cognitoEndpoint');
const PASSWORD = 'Echoed-Secret-77x!';
const MAX_ATTEMPTS = 4;

let kafka: KafkaTestClient;
let cognito: CognitoTestClient;
let proxy: CognitoFaultProxy;
let service: ServiceProcess;
let topics: Topics;
let pool: string;
const cleanup = new Cleanup();

beforeAll(async () => {
  kafka = cleanup.add(new KafkaTestClient(brokers), (client) => client.close());
  cognito = cleanup.add(new CognitoTestClient(cognitoEndpoint), (client) => client.close());
  proxy = cleanup.add(await startCognitoFaultProxy({ upstream: cognitoEndpoint }), (started) => started.close());
  pool = await cognito.createPool();
  topics = await kafka.freshTopics();
  await kafka.watch(topics.created, topics.failed, topics.dlq);
  const started = await ServiceProcess.start({
    brokers,
    cognitoEndpoint: proxy.endpoint,
    topics,
    userPoolId: pool,
    env: { RETRY_MAX_ATTEMPTS: String(MAX_ATTEMPTS), RETRY_MIN_DELAY_MS: '20', RETRY_MAX_DELAY_MS: '100', COGNITO_TIMEOUT_MS: '1000' },
  });
  service = cleanup.add(started, async (running) => {
    expect((await running.stop()).code).toBe(0);
  });
});

afterAll(() => cleanup.run());

const forUser = (username: string) => (call: { body: Record<string, unknown> }) => call.body['Username'] === username;

describe('transient faults are retried into success', () => {
  it('TooManyRequestsException twice (simulated throttling)', async () => {
    const metricsBefore = await service.metrics();
    const event = requestEvent({ username: 'throttled-twice', attributes: { email: 'tt@example.com' } });
    proxy.inject({ operation: 'AdminCreateUser', match: forUser('throttled-twice'), times: 2, fault: { kind: 'error', type: 'TooManyRequestsException', message: 'Rate exceeded' } });
    await kafka.produce(topics.requested, [structured(event)]);
    const created = await createdFor(kafka, topics, event.id);
    expect(created.data).toMatchObject({ username: 'throttled-twice', alreadyExisted: false });
    const metricsAfter = await service.metrics();
    const retries = (text: string) => metricValue(text, 'user_provisioner_cognito_retries_total', { operation: 'AdminCreateUser', error: 'TooManyRequestsException' });
    expect(retries(metricsAfter) - retries(metricsBefore)).toBe(2);
    const throttled = (text: string) => metricValue(text, 'user_provisioner_cognito_throttled_total', { operation: 'AdminCreateUser' });
    expect(throttled(metricsAfter) - throttled(metricsBefore)).toBe(2);
  });

  it('a 503 from a load balancer, a reset connection and a timeout (simulated network faults)', async () => {
    const event = requestEvent({ username: 'network-faults', attributes: { email: 'nf@example.com' } });
    proxy.inject({ operation: 'AdminCreateUser', match: forUser('network-faults'), times: 1, fault: { kind: 'http-status', status: 503 } });
    proxy.inject({ operation: 'AdminCreateUser', match: forUser('network-faults'), times: 1, fault: { kind: 'reset' } });
    proxy.inject({ operation: 'AdminCreateUser', match: forUser('network-faults'), times: 1, fault: { kind: 'hang' } });
    await kafka.produce(topics.requested, [structured(event)]);
    await createdFor(kafka, topics, event.id);
    expect(proxy.calls.filter((c) => c.username === 'network-faults' && c.operation === 'AdminCreateUser').map((c) => c.outcome))
      .toEqual(['faulted', 'faulted', 'faulted', 'forwarded']);
  });

  it('a lost response after the user was created (simulated) still gives one user and a created outcome', async () => {
    const event = requestEvent({ username: 'lost-response', attributes: { email: 'lr@example.com' } });
    proxy.inject({ operation: 'AdminCreateUser', match: forUser('lost-response'), times: 1, fault: { kind: 'lost-response' } });
    await kafka.produce(topics.requested, [structured(event)]);
    const created = await createdFor(kafka, topics, event.id);
    expect(created.data.username).toBe('lost-response');
    expect((await cognito.listUsers(pool)).filter((u) => u.Username === 'lost-response')).toHaveLength(1);
  });
});

describe('permanent faults end as a rejected outcome at once', () => {
  const cases = [
    { type: 'InvalidPasswordException', what: 'the pool password policy (simulated; the message echoes the password)', message: `Password did not conform with policy: ${PASSWORD}` },
    { type: 'AliasExistsException', what: 'an email alias that belongs to another user (simulated)', message: 'An account with the given email already exists.' },
    { type: 'UserLambdaValidationException', what: 'a pre sign-up Lambda refusing the user (simulated)', message: 'PreSignUp failed with error not on the HR roster.' },
    { type: 'InvalidParameterException', what: 'an attribute outside the pool schema (simulated)', message: 'Attributes did not conform to the schema: custom:badge: Attribute does not exist in the schema.' },
  ];
  for (const { type, what, message } of cases) {
    it(`${type}: ${what}`, async () => {
      const username = `rejected-${type}`;
      const event = requestEvent({ username, temporaryPassword: PASSWORD, attributes: { email: `${type}@example.com`, email_verified: 'true' } });
      proxy.inject({ operation: 'AdminCreateUser', match: forUser(username), times: 1, fault: { kind: 'error', type, message } });
      await kafka.produce(topics.requested, [structured(event)]);
      const failed = await failedFor(kafka, topics, event.id);
      expect(failed.data).toMatchObject({ reason: 'rejected', errorCode: type, retryable: false, attempts: 1, username });
      expect(JSON.stringify(failed)).not.toContain(PASSWORD);
      expect(service.stdout.join('\n')).not.toContain(PASSWORD);
    });
  }
});

describe('retry budget', () => {
  it(`InternalErrorException on every attempt (simulated) ends as retries-exhausted after ${MAX_ATTEMPTS} attempts`, async () => {
    const event = requestEvent({ username: 'always-500', attributes: { email: 'a5@example.com' } });
    proxy.inject({ operation: 'AdminCreateUser', match: forUser('always-500'), fault: { kind: 'error', type: 'InternalErrorException', message: 'boom' } });
    await kafka.produce(topics.requested, [structured(event)]);
    const failed = await failedFor(kafka, topics, event.id);
    expect(failed.data).toMatchObject({ reason: 'retries-exhausted', errorCode: 'InternalErrorException', retryable: true, attempts: MAX_ATTEMPTS });
    expect(proxy.count('AdminCreateUser', 'faulted')).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
  });
});

describe('a systemic fault pauses consumption instead of failing requests', () => {
  it('NotAuthorizedException (simulated revoked credentials): /readyz turns 503, nothing fails, and it resumes by itself', async () => {
    const stopOutage = proxy.outage({ kind: 'error', type: 'NotAuthorizedException', message: 'The security token included in the request is invalid.' });
    const event = requestEvent({ username: 'during-outage', attributes: { email: 'do@example.com' } });
    await kafka.produce(topics.requested, [structured(event)]);
    await service.waitUntil('not ready', async () => (await service.probe('/readyz')) === 503);
    expect(await service.probe('/healthz')).toBe(200);
    expect(metricValue(await service.metrics(), 'user_provisioner_consumer_paused', { reason: 'systemic' })).toBe(1);
    // Probes keep failing while the outage lasts: still no outcome for the request.
    await service.waitUntil('probing', () => proxy.count('AdminGetUser', 'faulted') >= 1);
    expect(answersFor(kafka, topics, event.id)).toEqual([]);

    stopOutage();
    const created = await createdFor(kafka, topics, event.id);
    expect(created.data).toMatchObject({ username: 'during-outage', alreadyExisted: false });
    await service.waitUntil('ready again', async () => (await service.probe('/readyz')) === 200);
    expect(metricValue(await service.metrics(), 'user_provisioner_consumer_paused', { reason: 'systemic' })).toBe(0);
    expect(answersFor(kafka, topics, event.id)).toHaveLength(1);
  });
});
