// What an operator sees: counters that move by exactly what happened, a scrape that promtool
// accepts, no personal data in labels, and /healthz and /readyz in each state of the service.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import { answerFor, createdFor } from '../support/outcomes.ts';
import { DEFAULT_ADAPTATION } from '../../src/resilience/adaptive-rate.ts';
import { TEST_CREDENTIALS } from '../support/cognito-test-client.ts';
import { metricValue, ServiceProcess } from '../support/service-process.ts';
import { useTestStack } from '../support/test-stack.ts';

const PREFIX = 'user_provisioner_';

describe('metrics', () => {
  const stack = useTestStack({ service: { env: { COGNITO_RATE_LIMIT: '40', RETRY_MIN_DELAY_MS: '20' } } });

  it('move by exactly what the test produced, and promtool accepts the live scrape', async () => {
    const { kafka, topics, proxy, service } = stack;
    const before = await service.metrics();
    const users = ['obs-a', 'obs-b', 'obs-c', 'obs-d'].map((username) => requestEvent({ username, attributes: { email: `${username}@example.com` } }));
    const [, replayed] = users;
    if (replayed === undefined) throw new Error('unreachable');
    const invalid = [requestEvent({ username: 'obs-bad-1', attributes: { email_verified: 'true' } }), requestEvent({ username: 'obs bad 2' })];
    proxy.inject({ operation: 'AdminCreateUser', match: (call) => call.body['Username'] === 'obs-a', times: 1, fault: { kind: 'error', type: 'TooManyRequestsException' } });
    await kafka.produce(topics.requested, [
      ...users.map((event) => structured(event)),
      structured(replayed), // a redelivery: already existed
      ...invalid.map((event) => structured(event)),
      { key: 'obs-garbage', value: 'not json' },
    ]);
    for (const event of invalid) await answerFor(kafka, topics, event.id);
    await answerFor(kafka, topics, replayed.id, 2);
    for (const event of users) await createdFor(kafka, topics, event.id);
    await kafka.waitFor('the dead letter', () => kafka.read(topics.dlq).find((m) => m.key === 'obs-garbage'));

    const after = await service.metrics();
    const moved = (name: string, labels: Record<string, string> = {}) => metricValue(after, PREFIX + name, labels) - metricValue(before, PREFIX + name, labels);
    expect(moved('events_received_total', { topic: topics.requested })).toBe(8);
    expect(moved('outcomes_total', { outcome: 'created' })).toBe(4);
    expect(moved('outcomes_total', { outcome: 'already_existed' })).toBe(1);
    expect(moved('outcomes_total', { outcome: 'failed', reason: 'invalid-event' })).toBe(2);
    expect(moved('outcomes_total', { outcome: 'dead_letter', reason: 'not-json' })).toBe(1);
    expect(moved('cognito_calls_total', { operation: 'AdminCreateUser', result: 'success' })).toBe(4);
    expect(moved('cognito_calls_total', { operation: 'AdminCreateUser', result: 'TooManyRequestsException' })).toBe(1);
    expect(moved('cognito_calls_total', { operation: 'AdminCreateUser', result: 'UsernameExistsException' })).toBe(1);
    expect(moved('cognito_calls_total', { operation: 'AdminGetUser', result: 'success' })).toBe(1);
    expect(moved('cognito_retries_total', { operation: 'AdminCreateUser', error: 'TooManyRequestsException' })).toBe(1);
    expect(moved('cognito_throttled_total', { operation: 'AdminCreateUser' })).toBe(1);
    expect(moved('cognito_call_duration_seconds_count', { operation: 'AdminCreateUser' })).toBe(6);
    expect(moved('end_to_end_latency_seconds_count')).toBe(8);
    expect(metricValue(after, `${PREFIX}events_in_flight`)).toBe(0);
    // The throttle cut the creation rate, which is back at the ceiling 4 s later: whether this
    // scrape still sees the cut depends on the machine's speed, so the cut itself is tested on a
    // fake clock (test/unit/resilience/token-queue-limiter.test.ts). Reads were never cut.
    const creationRate = metricValue(after, `${PREFIX}limiter_rate_per_second`, { category: 'user-creation' });
    expect(creationRate).toBeGreaterThanOrEqual(40 * DEFAULT_ADAPTATION.decreaseFactor);
    expect(creationRate).toBeLessThanOrEqual(40);
    expect(metricValue(after, `${PREFIX}limiter_rate_per_second`, { category: 'user-read' })).toBe(40);
    expect(after).toMatch(/^process_resident_memory_bytes /m);

    // Lag is read from the broker; once everything is committed it reaches 0.
    await service.waitUntil('lag 0', async () => {
      const text = await service.metrics();
      return text.includes(`${PREFIX}consumer_lag{topic="${topics.requested}",partition="0"} 0`);
    });

    // No label carries a username, an email or a request id.
    const labels = after.split('\n').filter((line) => !line.startsWith('#')).map((line) => line.slice(0, line.lastIndexOf(' '))).join('\n');
    for (const event of [...users, ...invalid]) {
      expect(labels).not.toContain(event.id);
      expect(labels).not.toContain(event.data.username);
    }
    expect(labels).not.toContain('@example.com');

    mkdirSync('.cache/test-results', { recursive: true });
    writeFileSync('.cache/test-results/metrics-scrape.txt', after);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: after, encoding: 'utf8' });
    if (promtool.error) throw new Error(`promtool is needed for this check (Debian package "prometheus"): ${promtool.error.message}`);
    expect(`${promtool.stdout}${promtool.stderr}`.trim()).toBe('');
    expect(promtool.status).toBe(0);
  });
});

describe('/healthz and /readyz', () => {
  const stack = useTestStack({ service: false });

  it('starting: alive but not ready while the broker cannot be reached', async () => {
    // Port 1 on loopback refuses connections: the consumer keeps trying to connect.
    const service = ServiceProcess.spawn({
      ...TEST_CREDENTIALS,
      KAFKA_BROKERS: '127.0.0.1:1',
      AWS_REGION: 'us-east-1',
      USER_POOL_ID: 'us-east-1_Example1',
      METRICS_PORT: '0',
    });
    stack.cleanup.add(service, (running) => running.stop());
    await service.waitUntil('serving', () => service.metricsPort !== undefined);
    expect(await service.probe('/readyz')).toBe(503);
    expect(await service.probe('/healthz')).toBe(200);
    service.signal('SIGTERM');
    expect((await service.exited).code).toBe(0);
  });

  it('shutting down: not ready while draining; in-flight work is handed back and answered once by the next instance', async () => {
    const { kafka, topics, proxy } = stack;
    const first = await stack.startService({ SHUTDOWN_TIMEOUT_MS: '4000', COGNITO_TIMEOUT_MS: '60000' });
    expect(await first.probe('/readyz')).toBe(200);
    const stuck = proxy.inject({ operation: 'AdminCreateUser', match: (call) => call.body['Username'] === 'draining', fault: { kind: 'hang' } });
    const event = requestEvent({ username: 'draining', attributes: { email: 'd@example.com' } });
    await kafka.produce(topics.requested, [structured(event)]);
    await first.waitUntil('the call to hang', () => proxy.count('AdminCreateUser', 'faulted') >= 1);

    first.signal('SIGTERM');
    await first.waitUntil('not ready', async () => (await first.probe('/readyz')) === 503);
    expect((await first.exited).code).toBe(0);
    stuck();

    const second = await stack.startService();
    const created = await createdFor(kafka, topics, event.id);
    expect(created.data.username).toBe('draining');
    expect(await second.probe('/readyz')).toBe(200);
    expect((await stack.cognito.listUsers(stack.pool)).filter((u) => u.Username === 'draining')).toHaveLength(1);
  });
});
