import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBottleneckLimiter, localTokenSources } from '../../../src/adapters/bottleneck-limiter.ts';
import type { Limiter, QuotaCategory } from '../../../src/resilience/limiter.port.ts';

// The refill runs on a setInterval and reads the clock it is given (Date.now here): both follow
// vitest's fake clock, so every time below is simulated and the counts do not depend on the
// machine's speed.
const RATE = 50;
const BURST = 5;
const REFILL_MS = 1000 / RATE;

describe('createBottleneckLimiter', () => {
  let limiter: Limiter;

  beforeEach(() => {
    vi.useFakeTimers();
    limiter = createBottleneckLimiter(
      localTokenSources(
        {
          'user-creation': { ratePerSecond: RATE, burst: BURST },
          'user-read': { ratePerSecond: RATE, burst: BURST },
        },
        () => Date.now(),
      ),
    );
  });

  afterEach(async () => {
    // stop() goes through bottleneck's own zero-delay timers: the fake clock has to move for it.
    const stopped = limiter.stop();
    await vi.advanceTimersByTimeAsync(REFILL_MS);
    await stopped;
    vi.useRealTimers();
  });

  /** Schedules `count` calls; the returned array fills with the (fake) time each one starts. */
  function schedule(count: number, category: QuotaCategory = 'user-creation'): number[] {
    const startedAt: number[] = [];
    for (let i = 0; i < count; i++) {
      const call = limiter.schedule(category, () => {
        startedAt.push(Date.now());
        return Promise.resolve();
      });
      // The calls still queued when the test ends are dropped by stop(), which rejects them.
      call.catch(() => undefined);
    }
    return startedAt;
  }

  it('lets exactly the burst go at once, then about one call per refill interval, evenly spread', async () => {
    const startedAt = schedule(100);
    await vi.advanceTimersByTimeAsync(REFILL_MS - 1);
    expect(startedAt).toHaveLength(BURST);

    await vi.advanceTimersByTimeAsync(1_000);
    const refilled = startedAt.slice(BURST);
    expect(refilled.length).toBeGreaterThanOrEqual(45);
    expect(refilled.length).toBeLessThanOrEqual(55);
    // One token at a time, not a window's worth at once.
    const gaps = refilled.slice(1).map((time, i) => time - (refilled[i] ?? time));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(REFILL_MS / 2);
  });

  it('after throttled(), the bucket is emptied, the rate halves, and it climbs back to the ceiling', async () => {
    limiter.throttled('user-creation');
    const next = schedule(1);
    await vi.advanceTimersByTimeAsync(REFILL_MS - 1);
    expect(next).toEqual([]);
    // At half the rate, a token takes twice as long.
    await vi.advanceTimersByTimeAsync(2 * REFILL_MS + 5);
    expect(next).toHaveLength(1);
    expect(limiter.stats('user-creation').ratePerSecond).toBeLessThan(RATE * 0.6);

    const during = schedule(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(during.length).toBeGreaterThanOrEqual(20);
    expect(during.length).toBeLessThanOrEqual(32);

    // Thirty seconds of recovery later, the full rate again.
    await vi.advanceTimersByTimeAsync(30_000);
    expect(limiter.stats('user-creation').ratePerSecond).toBe(RATE);
    const after = schedule(200);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(after.length).toBeGreaterThanOrEqual(45);
    expect(after.length).toBeLessThanOrEqual(55);
  });

  it('reports the rate it allows and what waits for a token', async () => {
    schedule(20);
    await vi.advanceTimersByTimeAsync(REFILL_MS - 1);
    expect(limiter.stats('user-creation')).toEqual({ queued: 20 - BURST, running: 0, ratePerSecond: RATE, shared: false });
  });

  it('throttling one category leaves the other its burst', async () => {
    limiter.throttled('user-creation');
    const reads = schedule(BURST, 'user-read');
    await vi.advanceTimersByTimeAsync(REFILL_MS - 1);
    expect(reads).toHaveLength(BURST);
  });
});
