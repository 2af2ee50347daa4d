// The quota shared by every replica through a real Redis (Debian's redis-server): one bucket
// for all, a throttle seen by one slows all, and losing Redis does not stop provisioning.
// Rates are tiny so that nothing depends on the machine's speed: what is counted is the burst.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenQueueLimiter, localTokenSources } from '../../src/resilience/token-queue-limiter.ts';
import { createLogger } from '../../src/adapters/logger.ts';
import { createRedisTokenSources } from '../../src/adapters/redis/token-source.ts';
import { DEFAULT_ADAPTATION } from '../../src/resilience/adaptive-rate.ts';
import { LocalTokenSource } from '../../src/resilience/local-token-source.ts';
import type { Limiter } from '../../src/resilience/limiter.port.ts';
import { Cleanup } from '../support/cleanup.ts';
import { RedisServer } from '../support/redis-server.ts';

const BURST = 4;
// One token per 1,000 s: within a test only the burst can be spent.
const SLOW = { ratePerSecond: 0.001, burst: BURST };
const logger = createLogger({ level: 'silent' });

let redis: RedisServer;
const cleanup = new Cleanup();
beforeAll(async () => {
  redis = cleanup.add(await RedisServer.start(), (server) => server.stop());
});
afterAll(() => cleanup.run());

/** A replica's limiter on the shared bucket `namespace`. */
function replica(namespace: string, rates = SLOW): Limiter {
  const fallback = (share: { ratePerSecond: number; burst: number }) => new LocalTokenSource(share);
  const shared = createRedisTokenSources({ redisUrl: redis.url, namespace, ...rates, adaptation: DEFAULT_ADAPTATION, fallback, logger }, ['user-creation', 'user-read']);
  const limiter = createTokenQueueLimiter(shared.sources);
  cleanup.add(limiter, async (running) => {
    await running.stop();
    shared.close();
  });
  return limiter;
}

/** Schedules `count` calls; the returned counter says how many have run. */
function demand(limiter: Limiter, count: number): { ran: () => number } {
  let ran = 0;
  for (let i = 0; i < count; i++) {
    limiter.schedule('user-creation', () => Promise.resolve(ran++)).catch(() => undefined);
  }
  return { ran: () => ran };
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Lets the refill loops run a while (to show that nothing more happens). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('a quota shared through Redis', () => {
  it('is one bucket for all replicas: three replicas spend one burst between them', async () => {
    const replicas = [replica('one-bucket'), replica('one-bucket'), replica('one-bucket')];
    const calls = replicas.map((limiter) => demand(limiter, 10));
    const total = () => calls.reduce((sum, call) => sum + call.ran(), 0);
    await until('the burst to be spent', () => total() === BURST);
    await settle();
    expect(total()).toBe(BURST);
    expect(replicas.every((limiter) => limiter.stats('user-creation').shared)).toBe(true);
  });

  it('unlike local buckets, where each replica spends a burst of its own', async () => {
    const local = [0, 1, 2].map(() => {
      const limiter = createTokenQueueLimiter(localTokenSources({ 'user-creation': SLOW, 'user-read': SLOW }));
      cleanup.add(limiter, (running) => running.stop());
      return demand(limiter, 10);
    });
    await until('three bursts', () => local.reduce((sum, call) => sum + call.ran(), 0) === 3 * BURST);
  });

  it('a throttle seen by one replica cuts the rate of all', async () => {
    const rates = { ratePerSecond: 40, burst: BURST };
    const first = replica('shared-throttle', rates);
    const second = replica('shared-throttle', rates);
    demand(second, 1);
    await until('the shared rate to be read', () => second.stats('user-creation').ratePerSecond === 40);
    first.throttled('user-creation');
    demand(second, 1);
    // The cut is a tenth, climbed back within 4 s: below the ceiling is what says it was shared.
    await until('the other replica to see the cut', () => second.stats('user-creation').ratePerSecond < 40);
  });

  it('losing Redis falls back to a share of the quota, says so, and goes back when Redis returns', async () => {
    const limiter = replica('outage', { ratePerSecond: 1, burst: BURST });
    const before = demand(limiter, BURST);
    await until('the shared burst', () => before.ran() === BURST);

    await redis.stop();
    const during = demand(limiter, 3);
    // Provisioning goes on, on this replica's own bucket (rate and burst divided by the replicas seen).
    await until('a call through the fallback', () => during.ran() >= 1);
    expect(limiter.stats('user-creation').shared).toBe(false);

    await redis.resume();
    demand(limiter, 1);
    await until('the shared bucket again', () => limiter.stats('user-creation').shared, 15_000);
  });
});
