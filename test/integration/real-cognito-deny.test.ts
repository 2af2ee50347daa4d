// IAM denies AdminCreateUser alone (every other operation still answers) for a minute, as a policy
// edited wrong and put right would: the service pauses, says so on /readyz, spends at most the
// calls its configuration allows while denied, and creates every user once the deny is lifted.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { tuning } from '../../src/tuning.ts';
import { requestEvent, structured } from '../support/events.ts';
import { answersFor } from '../support/outcomes.ts';
import { useTestStack } from '../support/test-stack.ts';

const MAX_IN_FLIGHT = 5;
const REQUESTS = 20;
const DENY_MS = 60_000;
// A Node timer may fire a little before its delay has passed in real time; far less than this.
const TIMER_SLACK_MS = 500;

/**
 * The most canaries the systemic pause runs within `windowMs` of tripping: the first after
 * tuning.systemicCanary.firstDelayMs, each wait doubling up to maxDelayMs (1, 2, 4, 8, 16, 30 s).
 */
function canariesWithin(windowMs: number): number {
  const { firstDelayMs, maxDelayMs } = tuning.systemicCanary;
  let canaries = 0;
  for (let delay: number = firstDelayMs, elapsed = firstDelayMs; elapsed <= windowMs; delay = Math.min(delay * 2, maxDelayMs), elapsed += delay) canaries++;
  return canaries;
}

// Bound on AdminCreateUser calls during the deny: each message in flight meets the deny once before
// the pause holds it (at most MAX_IN_FLIGHT = 5), then only the canary calls, one per wait. Within
// 60 s of the trip they start at 1, 3, 7, 15 and 31 s (the sixth would be at 61 s): 5 + 5 = 10.
const CALLS_BOUND = Math.min(MAX_IN_FLIGHT, REQUESTS) + canariesWithin(DENY_MS + TIMER_SLACK_MS);

const stack = useTestStack({ model: { pools: [{}] }, service: { env: { MAX_IN_FLIGHT: String(MAX_IN_FLIGHT) } } });

it(`AdminCreateUser denied for ${DENY_MS / 1000} s: /readyz 503 throughout, at most ${CALLS_BOUND} calls meet the deny, every user created after it`, { timeout: 240_000 }, async () => {
  expect(CALLS_BOUND).toBe(10);
  const { model } = stack.model;
  const events = Array.from({ length: REQUESTS }, (_, i) => requestEvent({ username: `denied-${i}`, attributes: { email: `denied-${i}@example.com` } }));

  model.setFaults(stack.pool, { deniedOperations: ['AdminCreateUser'] });
  const deniedAt = Date.now();
  // Lifted by a timer, not by the polling below, so the deny lasts DENY_MS whatever a probe takes.
  let liftedAt: number | undefined;
  const lifted = sleep(DENY_MS).then(() => {
    model.setFaults(stack.pool, {});
    liftedAt = Date.now();
    return liftedAt;
  });
  const denied = () => liftedAt === undefined;
  await stack.kafka.produce(stack.topics.requested, events.map((event) => structured(event)));

  await stack.service.waitUntil('paused (readyz 503)', async () => (await stack.service.probe('/readyz')) === 503, DENY_MS / 2);
  const readiness: (number | undefined)[] = [];
  while (denied()) {
    const status = await stack.service.probe('/readyz');
    if (denied()) readiness.push(status);
    await sleep(500);
  }
  const deniedUntil = await lifted;
  expect(readiness.length).toBeGreaterThan(0);
  expect(new Set(readiness), '/readyz while AdminCreateUser is denied').toEqual(new Set([503]));

  const duringDeny = stack.adminCreateUserCalls(stack.pool).filter((call) => call.at >= deniedAt && call.at <= deniedUntil);
  expect(duringDeny.every((call) => call.result === 'AccessDeniedException')).toBe(true);
  expect(duringDeny.length).toBeGreaterThan(0);
  expect(duringDeny.length, `AdminCreateUser calls while denied (MAX_IN_FLIGHT ${MAX_IN_FLIGHT} + canaries)`).toBeLessThanOrEqual(CALLS_BOUND);

  const answers = await stack.kafka.waitFor(`answers for all ${REQUESTS} requests`, () => {
    const all = events.flatMap((event) => answersFor(stack.kafka, stack.topics, event.id));
    return all.length >= REQUESTS ? all : undefined;
  }, 120_000);
  expect(answers.map((answer) => answer.kind)).toEqual(Array(REQUESTS).fill('created'));
  expect(model.userCount(stack.pool)).toBe(REQUESTS);
  await stack.service.waitUntil('ready again', async () => (await stack.service.probe('/readyz')) === 200, 60_000);
});
