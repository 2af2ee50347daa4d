// Cognito unreachable for a while in the middle of a run (simulated by the fault proxy: first
// 503s from a load balancer, then connections reset without an answer). The requests wait and
// then succeed (the outage is well inside RETRY_MAX_DURATION_MS and RETRY_MAX_ATTEMPTS), and the
// consumer does not spin: the calls during the outage stay under what the backoff allows.
import { expect, it } from 'vitest';
import { useTestStack } from '../support/test-stack.ts';
import { FaultRun, round, sleep } from './fault-run.ts';
import { recordFigures } from './figures.ts';
import { checkInvariants, expectInvariants } from './invariants.ts';
import { SCALE } from './scale.ts';
import { MAX_IN_FLIGHT, maxAttemptsWithin, RETRY, TIMER_SLACK_MS } from './service-env.ts';

const EVENTS = SCALE.events;
const OUTAGE_MS = SCALE.outageMs;

const stack = useTestStack({ partitions: 4, proxy: { latency: { meanMs: 10, jitterMs: 10 } }, service: false });

it(`Cognito answering 503 then unreachable for ${OUTAGE_MS / 1000} s (simulated by the fault proxy) during ${EVENTS} events: requests wait and succeed, calls stay within the backoff's bound`, { timeout: 1_800_000 }, async () => {
  // The bound below needs the outage to fit the retry budget, or requests would rightly fail.
  expect(maxAttemptsWithin(OUTAGE_MS)).toBeLessThan(RETRY.maxAttempts);
  expect(OUTAGE_MS + RETRY.maxDelayMs).toBeLessThan(RETRY.maxDurationMs);

  const faults = new FaultRun(stack, 'cognito-outage', EVENTS);
  await faults.produce();
  const service = await faults.startService();
  await faults.waitForAnswered(Math.floor(EVENTS / 4));
  const answeredAtStart = faults.answered();

  const outageStart = Date.now();
  const stop503 = stack.proxy.outage({ kind: 'http-status', status: 503 });
  await sleep(OUTAGE_MS / 2);
  const stopReset = stack.proxy.outage({ kind: 'reset' });
  stop503();
  await sleep(OUTAGE_MS / 2);
  await faults.scrape(service);
  stopReset();
  const outageEnd = Date.now();
  const answeredAtEnd = faults.answered();
  // Every call the outage met was faulted; there were no other faults in this file.
  const callsDuringOutage = stack.proxy.count(undefined, 'faulted');
  const attemptsEach = maxAttemptsWithin(outageEnd - outageStart + TIMER_SLACK_MS);
  const bound = MAX_IN_FLIGHT * attemptsEach;

  const recoveryMs = await faults.firstOutcomeLoggedAfter(service, outageEnd, (line) => line.outcome === 'created');
  await faults.waitForAnswered(EVENTS);
  const allAnsweredMs = Date.now() - outageEnd;
  await faults.scrape(service);
  const exit = await service.stop();

  const report = await checkInvariants(faults);
  recordFigures('cognito-outage', report, {
    outageS: round((outageEnd - outageStart) / 1000),
    answeredBeforeOutage: answeredAtStart,
    answeredDuringOutage: answeredAtEnd - answeredAtStart,
    proxyCallsDuringOutage: callsDuringOutage,
    proxyCallsBound: bound,
    boundFrom: `MAX_IN_FLIGHT ${MAX_IN_FLIGHT} x ${attemptsEach} attempts (backoff ${RETRY.minDelayMs}..${RETRY.maxDelayMs} ms, factor 2)`,
    recoveryS: { outageEndToFirstCreated: round(recoveryMs / 1000), outageEndToAllAnswered: round(allAnsweredMs / 1000) },
    wallTimeS: faults.wallTimeS,
  });

  expect(answeredAtStart, 'the outage began in the middle of the run').toBeLessThan(EVENTS);
  expect(callsDuringOutage, 'the outage met calls').toBeGreaterThan(0);
  expect(callsDuringOutage, `calls during the outage within the backoff's bound`).toBeLessThanOrEqual(bound);
  expect(exit.code).toBe(0);
  // (a) includes: every good request created, none failed for the transient outage.
  expectInvariants(report);
});
