// The Kafka broker stopped (SIGTERM, a clean shutdown) and started again on its kept data
// (scripts/kafka.sh restart) in the middle of a run, the service running throughout: it must
// ride the outage out, answer the rest and what arrives after, with no loss and no user twice.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, inject, it } from 'vitest';
import { useTestStack } from '../support/test-stack.ts';
import { FaultRun, outcomesLogged, round } from './fault-run.ts';
import { recordFigures } from './figures.ts';
import { checkInvariants, expectInvariants } from './invariants.ts';
import { SCALE } from './scale.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const EVENTS = SCALE.events;
/** Slow enough that the restart lands while work is in flight: about 25 s of Cognito calls in all. */
const RATE = String(Math.max(10, Math.round(EVENTS / 25)));

const stack = useTestStack({ partitions: 4, proxy: { latency: { meanMs: 10, jitterMs: 10 } }, service: false });

it(`the broker stopped and restarted on its data during ${EVENTS} events: the service rides it out, one kind of answer per input, no user twice, no secret`, { timeout: 1_800_000 }, async () => {
  const faults = new FaultRun(stack, 'broker-restart', EVENTS);
  const half = Math.floor(EVENTS / 2);
  await faults.produce(0, half);
  const service = await faults.startService({ COGNITO_RATE_LIMIT: RATE });
  let exitedEarly = false;
  void service.exited.then(() => (exitedEarly = true));
  const stayingUp = {
    while: () => {
      if (exitedEarly) throw new Error(`the service exited during the broker restart:\n${service.stderr.join('\n')}\n${service.stdout.slice(-10).join('\n')}`);
    },
  };

  await faults.waitForAnswered(Math.floor(half / 2), stayingUp);
  await faults.scrape(service);
  const answeredAtStop = faults.answered();
  const stoppedAt = Date.now();
  const env = { ...process.env, ...inject('faultsBroker').scriptEnv };
  await run('bash', ['scripts/kafka.sh', 'restart'], { cwd: root, env, timeout: 300_000 });
  const backAt = Date.now();

  // New input after the restart, through the same broker.
  await faults.produce(half);
  const recoveryMs = await faults.firstOutcomeLoggedAfter(service, backAt);
  await faults.waitForAnswered(EVENTS, stayingUp);
  await faults.scrape(service);
  const wasRunning = !exitedEarly;
  // What the service's Kafka client said while the broker was away: proof the outage was felt.
  const kafkaComplaints = service.logs.filter((line) => line['component'] === 'kafkajs' && (line['level'] === 'error' || line['level'] === 'warn')
    && Date.parse(String(line['time'])) >= stoppedAt && Date.parse(String(line['time'])) <= backAt).length;
  const exit = await service.stop();

  // The service's own view of the outage: the longest pause between two outcomes it logged around the restart.
  const around = outcomesLogged(service).map((line) => Date.parse(line.time)).filter((at) => at >= stoppedAt - 1_000 && at <= backAt + recoveryMs);
  const longestGapMs = around.slice(1).reduce((longest, at, index) => Math.max(longest, at - (around[index] ?? at)), 0);

  const report = await checkInvariants(faults);
  recordFigures('broker-restart', report, {
    answeredAtStop,
    brokerDownS: round((backAt - stoppedAt) / 1000),
    kafkaClientErrorsWhileDown: kafkaComplaints,
    // The script returns once the broker answers a topic listing, a little after it serves again.
    recoveryS: {
      stopToFirstOutcomeAfterRestart: round((backAt + recoveryMs - stoppedAt) / 1000),
      scriptDoneToFirstOutcome: round(recoveryMs / 1000),
      longestOutcomeGap: round(longestGapMs / 1000),
    },
    wallTimeS: faults.wallTimeS,
  });

  expect(answeredAtStop, 'the broker stopped in the middle of the run').toBeLessThan(half);
  expect(kafkaComplaints, 'the service noticed the broker was gone').toBeGreaterThan(0);
  expect(wasRunning, 'the service stayed up through the broker restart').toBe(true);
  expect(exit.code, 'and stops cleanly afterwards').toBe(0);
  expectInvariants(report);
});
