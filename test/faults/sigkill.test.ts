// The service killed with SIGKILL at random moments and started again each time, on the real
// broker and moto: every input still ends with exactly one kind of answer and no user twice.
import { expect, it } from 'vitest';
import { useTestStack } from '../support/test-stack.ts';
import { FaultRun, outcomeLoggedAfter, round, sleep } from './fault-run.ts';
import { recordFigures } from './figures.ts';
import { checkInvariants, expectInvariants } from './invariants.ts';
import { SCALE } from './scale.ts';

const EVENTS = SCALE.events;
const KILLS = SCALE.kills;
/** Every fourth kill lands within seconds of the start, before or while the service joins the group. */
const EARLY_KILL_EVERY = 4;

// A rate that spreads the Cognito work over about 40 s, so every kill lands while work remains:
// at the suite's 200/s a restarted service finished the rest of a CI run before the next kill.
const SERVICE_ENV = { COGNITO_RATE_LIMIT: String(Math.max(10, Math.round(EVENTS / 40))) };

// Some latency on every Cognito call, so that kills land while calls and batches are in flight.
const stack = useTestStack({ partitions: 4, proxy: { latency: { meanMs: 10, jitterMs: 10 } }, service: false });

it(`SIGKILL at random moments, ${KILLS} times during ${EVENTS} events, restarted each time: one kind of answer per input, no user twice, no secret`, { timeout: 3_600_000 }, async () => {
  const run = new FaultRun(stack, 'sigkill', EVENTS);
  await run.produce();

  const kills: { mode: 'early' | 'working'; at: number; answeredAtKill: number; signal: string | null }[] = [];
  for (let index = 0; index < KILLS; index++) {
    const early = index % EARLY_KILL_EVERY === 1;
    const service = await run.startService(SERVICE_ENV, { waitForReady: !early });
    if (early) {
      await sleep(Math.random() * 3_000);
    } else {
      // A random point within this kill's share of the run, then a random delay so the kill is not in step with the polling.
      const share = EVENTS / (KILLS + 1);
      const target = Math.floor(share * (index + 0.25 + 0.75 * Math.random()));
      await run.waitForAnswered(Math.max(target, run.answered() + 1));
      await run.scrape(service);
      await sleep(Math.random() * 200);
    }
    const answeredAtKill = run.answered();
    const at = Date.now();
    service.signal('SIGKILL');
    const exit = await service.exited;
    kills.push({ mode: early ? 'early' : 'working', at, answeredAtKill, signal: exit.signal });
  }

  const last = await run.startService(SERVICE_ENV);
  await run.waitForAnswered(EVENTS);
  await run.scrape(last);
  const exit = await last.stop();

  // Recovery after kill i: from the kill to the first outcome the next service logged (null when it was killed before one).
  const recoveries = kills.map((kill, index) => {
    const next = run.services[index + 1];
    const found = next === undefined ? undefined : outcomeLoggedAfter(next, kill.at).at;
    return found === undefined ? null : round((found - kill.at) / 1000);
  });
  const report = await checkInvariants(run);
  recordFigures('sigkill', report, {
    kills: kills.length,
    killsDuringStartup: kills.filter((kill) => kill.mode === 'early').length,
    answeredAtEachKill: kills.map((kill) => kill.answeredAtKill),
    recoveryS: { afterEachKill: recoveries, max: Math.max(...recoveries.flatMap((seconds) => seconds ?? [])) },
    serviceStarts: run.services.length,
    wallTimeS: run.wallTimeS,
  });

  expect(kills.map((kill) => kill.signal), 'every kill found the service running').toEqual(Array.from({ length: KILLS }, () => 'SIGKILL'));
  expect(kills.filter((kill) => kill.answeredAtKill >= EVENTS), 'kills that came after the run had ended').toEqual([]);
  expect(exit.code, 'the last service stops cleanly').toBe(0);
  expectInvariants(report);
});
