// Cognito throttling most calls while the group changes: a third replica joins two at work, then
// one of the first two leaves with SIGTERM, all inside the throttle, with several requests for
// each key. Messages then sit in retries longer than the group's rebalance timeout (one minute,
// src/tuning.ts), so a member that does not hand its partitions back in time is expelled while it
// still works; its late outcomes would be a copy of an older request after the new owner's answer
// to a newer one. The invariants add: the last copy of each key answers its last request (f), and
// no service publishes for a partition it no longer owns (g: the broker's assignments, polled, against
// the services' outcome logs: ./ownership.ts).
import { expect, it } from 'vitest';
import { useTestStack } from '../support/test-stack.ts';
import { FaultRun, round, sleep } from './fault-run.ts';
import { recordFigures } from './figures.ts';
import { checkInvariants, expectInvariants } from './invariants.ts';
import { SCALE } from './scale.ts';

const EVENTS = SCALE.events;
const REQUESTS_PER_KEY = 3;
/** The share of AdminCreateUser and AdminGetUser calls answered TooManyRequests during the throttle. */
const THROTTLED_SHARE = 0.9;
/** Longer than the rebalance timeout (60 s), so retries outlast a rebalance that starts inside it. */
const THROTTLE_MS = 70_000;
const JOIN_AFTER_MS = 3_000;
const LEAVE_AFTER_MS = 20_000;
/** About 40 s of Cognito calls without the throttle (a repeated request makes two). */
const RATE = String(Math.max(10, Math.round((EVENTS * 5) / 3 / 40)));
/** Enough attempts that no request runs out inside the throttle (at most 10 fit in 70 s of backoff from 200 ms). */
const SERVICE_ENV = { COGNITO_RATE_LIMIT: RATE, RETRY_MAX_ATTEMPTS: '20' };
const THROTTLED_OPERATIONS: ReadonlySet<string> = new Set(['AdminCreateUser', 'AdminGetUser']);

const stack = useTestStack({ partitions: 4, proxy: { latency: { meanMs: 10, jitterMs: 10 } }, service: false });

it(`Cognito throttling ${THROTTLED_SHARE * 100} % of calls for ${THROTTLE_MS / 1000} s while a replica joins and another leaves, ${REQUESTS_PER_KEY} requests per key: the last answer of each key is its last request's, nothing published for a lost partition, no user twice`, { timeout: 1_800_000 }, async () => {
  const faults = new FaultRun(stack, 'throttled-rebalance', EVENTS, { requestsPerKey: REQUESTS_PER_KEY });
  await faults.watchAssignments();
  await faults.produce();
  const first = await faults.startService(SERVICE_ENV);
  const second = await faults.startService(SERVICE_ENV);
  await faults.waitForAnswered(Math.floor(EVENTS / 5));
  const answeredAtThrottle = faults.answered();

  const throttledAt = Date.now();
  const stopThrottle = stack.proxy.inject({
    match: (call) => THROTTLED_OPERATIONS.has(call.operation) && Math.random() < THROTTLED_SHARE,
    fault: { kind: 'error', type: 'TooManyRequestsException', message: 'Rate exceeded' },
  });
  await sleep(JOIN_AFTER_MS);
  const third = await faults.startService(SERVICE_ENV);
  await sleep(Math.max(0, throttledAt + LEAVE_AFTER_MS - Date.now()));
  // It hands back what it holds within SHUTDOWN_TIMEOUT_MS; the throttle goes on meanwhile.
  const firstStopped = first.stop();
  await sleep(Math.max(0, throttledAt + THROTTLE_MS - Date.now()));
  stopThrottle();
  const throttleEnd = Date.now();
  const answeredAtThrottleEnd = faults.answered();
  const throttledCalls = stack.proxy.count(undefined, 'faulted');

  await faults.waitForAnswered(EVENTS);
  const allAnsweredMs = Date.now() - throttleEnd;
  await Promise.all([faults.scrape(second), faults.scrape(third)]);
  const [firstExit, secondExit, thirdExit] = await Promise.all([firstStopped, second.stop(), third.stop()]);

  const report = await checkInvariants(faults);
  recordFigures('throttled-rebalance', report, {
    requestsPerKey: REQUESTS_PER_KEY,
    throttleS: round((throttleEnd - throttledAt) / 1000),
    throttledCalls,
    answeredAtThrottle,
    answeredDuringThrottle: answeredAtThrottleEnd - answeredAtThrottle,
    assignmentsSeen: faults.assignments?.samples.length,
    recoveryS: { throttleEndToAllAnswered: round(allAnsweredMs / 1000) },
    wallTimeS: faults.wallTimeS,
  });

  expect(answeredAtThrottle, 'the throttle began in the middle of the run').toBeLessThan(EVENTS);
  expect(throttledCalls, 'the throttle met calls').toBeGreaterThan(0);
  expect([firstExit.code, secondExit.code, thirdExit.code], 'every replica stops cleanly').toEqual([0, 0, 0]);
  // (a) includes: every request answered created, none failed for the throttle; (f) and (g) the hand-back.
  expectInvariants(report);
});
