// The service killed with SIGKILL in the middle of its work and started again: every input ends
// with an outcome, and no request becomes two users.
import { expect, it } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import { answersFor } from '../support/outcomes.ts';
import { useTestStack } from '../support/test-stack.ts';

const EVENTS = 240;

// Some latency on every call, so that a kill lands while calls and batches are in flight.
const stack = useTestStack({ partitions: 3, proxy: { latency: { meanMs: 15, jitterMs: 10 } }, service: false });

it(`SIGKILL in the middle of ${EVENTS} events, twice, then a restart: every input has an outcome, no user twice`, async () => {
  const events = Array.from({ length: EVENTS }, (_, i) => requestEvent({ username: `crash-${i}`, attributes: { email: `crash-${i}@example.com` } }));
  await stack.kafka.produce(stack.topics.requested, events.map((event) => structured(event)));
  const answered = () => events.filter((event) => answersFor(stack.kafka, stack.topics, event.id).length > 0).length;
  const start = () => stack.startService({ COGNITO_RATE_LIMIT: '200' });

  for (const killAt of [EVENTS / 4, EVENTS / 2]) {
    const service = await start();
    await stack.kafka.waitFor(`${killAt} outcomes`, () => (answered() >= killAt ? true : undefined), 120_000);
    service.signal('SIGKILL');
    const exit = await service.exited;
    expect(exit.signal).toBe('SIGKILL');
  }
  const killedAt = answered();
  expect(killedAt).toBeLessThan(EVENTS);

  const last = await start();
  await stack.kafka.waitFor('every input answered', () => (answered() === EVENTS ? true : undefined), 180_000);
  expect((await last.stop()).code).toBe(0);

  for (const event of events) {
    const answers = answersFor(stack.kafka, stack.topics, event.id);
    // Redelivery may publish an outcome again, but always the same kind, id and user.
    expect(new Set(answers.map((a) => a.kind))).toEqual(new Set(['created']));
    expect(new Set(answers.map((a) => a.event.id)).size).toBe(1);
    expect(new Set(answers.map((a) => (a.kind === 'created' ? a.event.data.sub : undefined))).size).toBe(1);
  }
  const users = await stack.cognito.listUsers(stack.pool);
  expect(users).toHaveLength(EVENTS);
  expect(new Set(users.map((u) => u.Username)).size).toBe(EVENTS);
  expect(stack.kafka.read(stack.topics.dlq)).toHaveLength(0);
  expect(stack.kafka.read(stack.topics.failed)).toHaveLength(0);
});
