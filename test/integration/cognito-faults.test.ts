// Paths moto cannot produce, injected by the fault proxy in front of it. Test names say what is
// simulated. The service runs with a small retry budget so exhaustion is quick. Each case faults one
// request; the fault suite (test/faults/) holds faults over thousands of events.
import { describe, expect, it } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import { answersFor, createdFor, failedFor } from '../support/outcomes.ts';
import { metricValue } from '../support/service-process.ts';
import { useTestStack } from '../support/test-stack.ts';

const PASSWORD = 'Echoed-Secret-77x!';
const MAX_ATTEMPTS = 4;

const stack = useTestStack({
  service: { env: { RETRY_MAX_ATTEMPTS: String(MAX_ATTEMPTS), RETRY_MIN_DELAY_MS: '20', RETRY_MAX_DELAY_MS: '100', COGNITO_TIMEOUT_MS: '1000' } },
});

const forUser = (username: string) => (call: { body: Record<string, unknown> }) => call.body['Username'] === username;

describe('transient faults are retried into success', () => {
  it('TooManyRequestsException twice (simulated throttling)', async () => {
    const metricsBefore = await stack.service.metrics();
    const event = requestEvent({ username: 'throttled-twice', attributes: { email: 'tt@example.com' } });
    stack.proxy.inject({ operation: 'AdminCreateUser', match: forUser('throttled-twice'), times: 2, fault: { kind: 'error', type: 'TooManyRequestsException', message: 'Rate exceeded' } });
    await stack.kafka.produce(stack.topics.requested, [structured(event)]);
    const created = await createdFor(stack.kafka, stack.topics, event.id);
    expect(created.data).toMatchObject({ username: 'throttled-twice', alreadyExisted: false });
    const metricsAfter = await stack.service.metrics();
    const retries = (text: string) => metricValue(text, 'user_provisioner_cognito_retries_total', { operation: 'AdminCreateUser', error: 'TooManyRequestsException' });
    expect(retries(metricsAfter) - retries(metricsBefore)).toBe(2);
    const throttled = (text: string) => metricValue(text, 'user_provisioner_cognito_throttled_total', { operation: 'AdminCreateUser' });
    expect(throttled(metricsAfter) - throttled(metricsBefore)).toBe(2);
  });

  it('a 503 from a load balancer, a reset connection and a timeout (simulated network faults)', async () => {
    const event = requestEvent({ username: 'network-faults', attributes: { email: 'nf@example.com' } });
    stack.proxy.inject({ operation: 'AdminCreateUser', match: forUser('network-faults'), times: 1, fault: { kind: 'http-status', status: 503 } });
    stack.proxy.inject({ operation: 'AdminCreateUser', match: forUser('network-faults'), times: 1, fault: { kind: 'reset' } });
    stack.proxy.inject({ operation: 'AdminCreateUser', match: forUser('network-faults'), times: 1, fault: { kind: 'hang' } });
    await stack.kafka.produce(stack.topics.requested, [structured(event)]);
    await createdFor(stack.kafka, stack.topics, event.id);
    expect(stack.proxy.calls.filter((c) => c.username === 'network-faults' && c.operation === 'AdminCreateUser').map((c) => c.outcome))
      .toEqual(['faulted', 'faulted', 'faulted', 'forwarded']);
  });

  it('a lost response after the user was created (simulated) still gives one user and a created outcome', async () => {
    const event = requestEvent({ username: 'lost-response', attributes: { email: 'lr@example.com' } });
    stack.proxy.inject({ operation: 'AdminCreateUser', match: forUser('lost-response'), times: 1, fault: { kind: 'lost-response' } });
    await stack.kafka.produce(stack.topics.requested, [structured(event)]);
    const created = await createdFor(stack.kafka, stack.topics, event.id);
    expect(created.data.username).toBe('lost-response');
    expect((await stack.cognito.listUsers(stack.pool)).filter((u) => u.Username === 'lost-response')).toHaveLength(1);
  });
});

describe('permanent faults end as a rejected outcome at once', () => {
  const cases = [
    { type: 'InvalidPasswordException', what: 'the stack.pool password policy (simulated; the message echoes the password)', message: `Password did not conform with policy: ${PASSWORD}` },
    { type: 'AliasExistsException', what: 'an email alias that belongs to another user (simulated)', message: 'An account with the given email already exists.' },
    { type: 'UserLambdaValidationException', what: 'a pre sign-up Lambda refusing the user (simulated)', message: 'PreSignUp failed with error not on the HR roster.' },
    { type: 'InvalidParameterException', what: 'an attribute outside the stack.pool schema (simulated)', message: 'Attributes did not conform to the schema: custom:badge: Attribute does not exist in the schema.' },
  ];
  for (const { type, what, message } of cases) {
    it(`${type}: ${what}`, async () => {
      const username = `rejected-${type}`;
      const event = requestEvent({ username, temporaryPassword: PASSWORD, attributes: { email: `${type}@example.com`, email_verified: 'true' } });
      stack.proxy.inject({ operation: 'AdminCreateUser', match: forUser(username), times: 1, fault: { kind: 'error', type, message } });
      await stack.kafka.produce(stack.topics.requested, [structured(event)]);
      const failed = await failedFor(stack.kafka, stack.topics, event.id);
      expect(failed.data).toMatchObject({ reason: 'rejected', errorCode: type, retryable: false, attempts: 1, username });
      expect(JSON.stringify(failed)).not.toContain(PASSWORD);
      expect(stack.service.stdout.join('\n')).not.toContain(PASSWORD);
    });
  }
});

describe('retry budget', () => {
  it(`InternalErrorException on every attempt (simulated) ends as retries-exhausted after ${MAX_ATTEMPTS} attempts`, async () => {
    const event = requestEvent({ username: 'always-500', attributes: { email: 'a5@example.com' } });
    stack.proxy.inject({ operation: 'AdminCreateUser', match: forUser('always-500'), fault: { kind: 'error', type: 'InternalErrorException', message: 'boom' } });
    await stack.kafka.produce(stack.topics.requested, [structured(event)]);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data).toMatchObject({ reason: 'retries-exhausted', errorCode: 'InternalErrorException', retryable: true, attempts: MAX_ATTEMPTS });
    expect(stack.proxy.count('AdminCreateUser', 'faulted')).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
  });
});

describe('a systemic fault pauses consumption instead of failing requests', () => {
  it('NotAuthorizedException (simulated revoked credentials): /readyz turns 503, nothing fails, and it resumes by itself', async () => {
    const stopOutage = stack.proxy.outage({ kind: 'error', type: 'NotAuthorizedException', message: 'The security token included in the request is invalid.' });
    const event = requestEvent({ username: 'during-outage', attributes: { email: 'do@example.com' } });
    await stack.kafka.produce(stack.topics.requested, [structured(event)]);
    await stack.service.waitUntil('not ready', async () => (await stack.service.probe('/readyz')) === 503);
    expect(await stack.service.probe('/healthz')).toBe(200);
    expect(metricValue(await stack.service.metrics(), 'user_provisioner_consumer_paused', { reason: 'systemic' })).toBe(1);
    // The canary (the held request, run again) keeps failing while the outage lasts: still no outcome.
    await stack.service.waitUntil('a canary call', () => stack.proxy.count('AdminCreateUser', 'faulted') >= 2);
    expect(answersFor(stack.kafka, stack.topics, event.id)).toEqual([]);

    stopOutage();
    const created = await createdFor(stack.kafka, stack.topics, event.id);
    expect(created.data).toMatchObject({ username: 'during-outage', alreadyExisted: false });
    await stack.service.waitUntil('ready again', async () => (await stack.service.probe('/readyz')) === 200);
    expect(metricValue(await stack.service.metrics(), 'user_provisioner_consumer_paused', { reason: 'systemic' })).toBe(0);
    expect(answersFor(stack.kafka, stack.topics, event.id)).toHaveLength(1);
  });
});
