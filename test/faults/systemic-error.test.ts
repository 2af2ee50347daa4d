// A systemic error in the middle of a run (NotAuthorizedException on every call, simulated by the
// fault proxy: revoked credentials), later fixed. Consumption pauses, /readyz says so with 503
// for as long as it lasts, nothing fails, and the service resumes by itself once its canary (one
// held message, run again) succeeds: no restart.
import { expect, it } from 'vitest';
import { metricValue } from '../support/service-process.ts';
import { useTestStack } from '../support/test-stack.ts';
import { FaultRun, round, sleep } from './fault-run.ts';
import { recordFigures } from './figures.ts';
import { checkInvariants, expectInvariants } from './invariants.ts';
import { SCALE } from './scale.ts';
import { MAX_IN_FLIGHT, maxCanariesWithin, TIMER_SLACK_MS } from './service-env.ts';

const EVENTS = SCALE.events;
const FAULT_MS = SCALE.systemicMs;

const stack = useTestStack({ partitions: 4, proxy: { latency: { meanMs: 10, jitterMs: 10 } }, service: false });

it(`NotAuthorizedException for ${FAULT_MS / 1000} s (simulated revoked credentials, by the fault proxy) during ${EVENTS} events: paused with /readyz 503, nothing failed, resumed by itself`, { timeout: 1_800_000 }, async () => {
  const faults = new FaultRun(stack, 'systemic-error', EVENTS);
  await faults.produce();
  const service = await faults.startService();
  await faults.waitForAnswered(Math.floor(EVENTS / 4));
  const answeredAtStart = faults.answered();

  const faultStart = Date.now();
  const stopFault = stack.proxy.outage({ kind: 'error', type: 'NotAuthorizedException', message: 'The security token included in the request is invalid.' });
  await service.waitUntil('paused (readyz 503)', async () => (await service.probe('/readyz')) === 503, 60_000);
  const pausedAfterMs = Date.now() - faultStart;
  const whilePaused = await faults.scrape(service);
  const pausedGauge = whilePaused === undefined ? undefined : metricValue(whilePaused, 'user_provisioner_consumer_paused', { reason: 'systemic' });
  const healthz = await service.probe('/healthz');
  // /readyz through the rest of the fault, every 250 ms: it must say 503 each time.
  const readiness: (number | undefined)[] = [];
  while (Date.now() - faultStart < FAULT_MS) {
    readiness.push(await service.probe('/readyz'));
    await sleep(250);
  }
  stopFault();
  const fixedAt = Date.now();
  const faulted = stack.proxy.calls.filter((call) => call.outcome === 'faulted');
  const creationCalls = faulted.filter((call) => call.operation === 'AdminCreateUser');
  // A message meets the fault once on its own; a user met again is a canary (the one held message run again).
  const firstCalls = new Set(creationCalls.map((call) => call.username)).size;
  const canaryCalls = creationCalls.length - firstCalls;
  const canaryBound = maxCanariesWithin(fixedAt - faultStart + TIMER_SLACK_MS);

  await service.waitUntil('ready again', async () => (await service.probe('/readyz')) === 200, 120_000);
  const readyAgainMs = Date.now() - fixedAt;
  const recoveryMs = await faults.firstOutcomeLoggedAfter(service, fixedAt, (line) => line.outcome === 'created');
  await faults.waitForAnswered(EVENTS);
  const allAnsweredMs = Date.now() - fixedAt;
  const after = await faults.scrape(service);
  const exit = await service.stop();

  const report = await checkInvariants(faults);
  recordFigures('systemic-error', report, {
    faultS: round((fixedAt - faultStart) / 1000),
    answeredBeforeFault: answeredAtStart,
    pausedAfterS: round(pausedAfterMs / 1000),
    readyzWhilePaused: readiness.length,
    cognitoCallsDuringFault: faulted.length,
    cognitoCallsBound: MAX_IN_FLIGHT + canaryBound,
    firstCallsDuringFault: firstCalls,
    firstCallsBound: MAX_IN_FLIGHT,
    canaryCallsDuringFault: canaryCalls,
    canaryCallsBound: canaryBound,
    recoveryS: { fixToReady: round(readyAgainMs / 1000), fixToFirstCreated: round(recoveryMs / 1000), fixToAllAnswered: round(allAnsweredMs / 1000) },
    wallTimeS: faults.wallTimeS,
  });

  expect(answeredAtStart, 'the fault began in the middle of the run').toBeLessThan(EVENTS);
  expect(pausedGauge, 'user_provisioner_consumer_paused{reason="systemic"} while paused').toBe(1);
  expect(healthz, '/healthz stays 200: paused, not wedged').toBe(200);
  expect(readiness.filter((status) => status !== 503), '/readyz answers 503 for as long as the fault lasts').toEqual([]);
  // Each message in flight meets the fault at most once, then waits for the pause (no retry of a
  // systemic error); after that only the canary calls, once per wait of its backoff.
  expect(firstCalls, 'users whose AdminCreateUser met the fault').toBeGreaterThan(0);
  expect(firstCalls, 'users whose AdminCreateUser met the fault, at most one per message in flight').toBeLessThanOrEqual(MAX_IN_FLIGHT);
  expect(canaryCalls, `canary calls during the fault within the canary's backoff`).toBeLessThanOrEqual(canaryBound);
  expect(faulted.length, 'Cognito calls of any kind during the fault: first calls and canaries only').toBeLessThanOrEqual(MAX_IN_FLIGHT + canaryBound);
  expect(metricValue(after ?? '', 'user_provisioner_consumer_paused', { reason: 'systemic' }), 'unpaused at the end').toBe(0);
  expect(exit.code).toBe(0);
  expectInvariants(report);
});
