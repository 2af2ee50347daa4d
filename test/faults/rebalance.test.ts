// A consumer-group rebalance in the middle of a run: a second replica joins (taking partitions
// from the first, while both share the quota through Redis) and later leaves with SIGTERM
// (handing its partitions back). Partitions change hands twice with work in flight.
import { expect, it } from 'vitest';
import { metricValue } from '../support/service-process.ts';
import { useTestStack } from '../support/test-stack.ts';
import { FaultRun, outcomeLoggedAfter, outcomesLogged, round } from './fault-run.ts';
import { recordFigures } from './figures.ts';
import { checkInvariants, expectInvariants } from './invariants.ts';
import { SCALE } from './scale.ts';

const EVENTS = SCALE.events;
/** Slow enough that both replicas have work for a while: about 25 s of Cognito calls in all. */
const RATE = String(Math.max(10, Math.round(EVENTS / 25)));

const stack = useTestStack({ partitions: 4, proxy: { latency: { meanMs: 10, jitterMs: 10 } }, service: false });

it(`a second replica joins and leaves the group during ${EVENTS} events: one kind of answer per input, no user twice, no secret`, { timeout: 1_800_000 }, async () => {
  const faults = new FaultRun(stack, 'rebalance', EVENTS);
  await faults.produce();
  const first = await faults.startService({ COGNITO_RATE_LIMIT: RATE });
  await faults.waitForAnswered(Math.floor(EVENTS / 4));
  const answeredAtJoin = faults.answered();

  const joinedAt = Date.now();
  const second = await faults.startService({ COGNITO_RATE_LIMIT: RATE });
  // Proof that the rebalance happened: the newcomer answers requests of its own.
  const secondFirstOutcomeMs = await faults.firstOutcomeLoggedAfter(second, joinedAt);
  // Both replicas at work for a fifth of the run, then the second leaves.
  await faults.waitForAnswered(Math.min(Math.floor(EVENTS * 0.8), faults.answered() + Math.floor(EVENTS / 5)));
  const secondMetrics = await faults.scrape(second);
  const secondOutcomes = metricValue(secondMetrics ?? '', 'user_provisioner_outcomes_total');
  const answeredAtLeave = faults.answered();
  const leftAt = Date.now();
  const secondExit = await second.stop();
  // The partitions the second replica worked on go back to the first. The second drains what it
  // had fetched before it leaves, so the first answers there only what was left, if anything.
  const handedBack = new Set(outcomesLogged(second).map((line) => line.partition));

  await faults.waitForAnswered(EVENTS);
  const handedBackAt = outcomeLoggedAfter(first, leftAt, (line) => handedBack.has(line.partition)).at;
  await faults.scrape(first);
  const firstExit = await first.stop();

  const report = await checkInvariants(faults);
  recordFigures('rebalance', report, {
    answeredAtJoin,
    answeredAtLeave,
    secondReplicaOutcomes: secondOutcomes,
    secondReplicaPartitions: [...handedBack].sort(),
    recoveryS: { joinToFirstOutcomeOfSecond: round(secondFirstOutcomeMs / 1000), leaveToFirstOutcomeOnHandedBackPartition: handedBackAt === undefined ? null : round((handedBackAt - leftAt) / 1000) },
    wallTimeS: faults.wallTimeS,
  });

  expect(answeredAtJoin, 'the second replica joined in the middle of the run').toBeLessThan(EVENTS);
  expect(answeredAtLeave, 'and left in the middle of it').toBeLessThan(EVENTS);
  expect(secondOutcomes, 'the second replica answered requests').toBeGreaterThan(0);
  expect(secondExit.code, 'the second replica leaves cleanly').toBe(0);
  expect(firstExit.code).toBe(0);
  expectInvariants(report);
});
