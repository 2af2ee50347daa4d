import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_ADAPTATION } from '../../../src/resilience/adaptive-rate.ts';
import { createTokenQueueLimiter, LimiterStoppedError, localTokenSources } from '../../../src/resilience/token-queue-limiter.ts';
import type { Limiter, QuotaCategory } from '../../../src/resilience/limiter.port.ts';

// The refill runs on a setInterval and reads the clock it is given (Date.now here): both follow
// vitest's fake clock, so every time below is simulated and the counts do not depend on the
// machine's speed.
const RATE = 50;
const BURST = 5;
const REFILL_MS = 1000 / RATE;

describe('createTokenQueueLimiter', () => {
  let limiter: Limiter;

  beforeEach(() => {
    vi.useFakeTimers();
    limiter = createTokenQueueLimiter(
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
    await limiter.stop();
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

  it('after throttled(), the bucket is emptied, the rate is cut, and it climbs back to the ceiling', async () => {
    const cut = RATE * DEFAULT_ADAPTATION.decreaseFactor;
    limiter.throttled('user-creation');
    const next = schedule(1);
    await vi.advanceTimersByTimeAsync(1000 / cut - 5);
    expect(next).toEqual([]);
    await vi.advanceTimersByTimeAsync(15);
    expect(next).toHaveLength(1);
    expect(limiter.stats('user-creation').ratePerSecond).toBeLessThan(RATE);

    // The second after the cut: fewer calls than the ceiling allows, more than the cut rate alone.
    const during = schedule(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(during.length).toBeGreaterThanOrEqual(Math.floor(cut) - 2);
    expect(during.length).toBeLessThanOrEqual(Math.ceil(cut) + 1);

    // Once the climb is over, the full rate again.
    await vi.advanceTimersByTimeAsync(DEFAULT_ADAPTATION.recoverySeconds * 1_000);
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

  it('starts a call in the same tick its token is granted, in the order the calls came', async () => {
    const order: number[] = [];
    for (let i = 0; i < BURST; i++) {
      void limiter.schedule('user-creation', () => {
        order.push(i);
        return Promise.resolve();
      });
    }
    // No timer moves: the burst is in the bucket, so the calls start on microtasks alone.
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('settles each call with its task, a rejection or a throw included, and counts what runs', async () => {
    let finish: (value: string) => void = () => undefined;
    const slow = limiter.schedule('user-creation', () => new Promise<string>((resolve) => (finish = resolve)));
    const failing = limiter.schedule('user-creation', () => Promise.reject(new Error('no such pool')));
    const throwing = limiter.schedule('user-creation', () => {
      throw new Error('a bug');
    });
    await expect(failing).rejects.toThrow('no such pool');
    await expect(throwing).rejects.toThrow('a bug');
    expect(limiter.stats('user-creation').running).toBe(1);
    finish('done');
    await expect(slow).resolves.toBe('done');
    expect(limiter.stats('user-creation').running).toBe(0);
  });

  it('a call whose signal aborts while it waits for a token leaves the queue with the reason, and the next takes its turn', async () => {
    schedule(BURST);
    const handBack = new AbortController();
    const reason = new Error('the partition was revoked');
    let ran = false;
    const abandoned = limiter.schedule('user-creation', () => {
      ran = true;
      return Promise.resolve();
    }, handBack.signal);
    const next = limiter.schedule('user-creation', () => Promise.resolve('next'));
    await vi.advanceTimersByTimeAsync(0);
    expect(limiter.stats('user-creation').queued).toBe(2);
    handBack.abort(reason);
    await expect(abandoned).rejects.toBe(reason);
    expect(limiter.stats('user-creation').queued).toBe(1);
    await vi.advanceTimersByTimeAsync(REFILL_MS * 2);
    await expect(next).resolves.toBe('next');
    expect(ran).toBe(false);
    await expect(limiter.schedule('user-creation', () => Promise.resolve(), handBack.signal)).rejects.toBe(reason);
  });

  it('stop() rejects the calls still waiting for a token, and later calls at once', async () => {
    schedule(BURST);
    const waiting = limiter.schedule('user-creation', () => Promise.resolve('never'));
    await vi.advanceTimersByTimeAsync(0);
    await limiter.stop();
    await expect(waiting).rejects.toBeInstanceOf(LimiterStoppedError);
    await expect(limiter.schedule('user-creation', () => Promise.resolve())).rejects.toBeInstanceOf(LimiterStoppedError);
  });
});
