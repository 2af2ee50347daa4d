import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

function manualClock(start = 1_000) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
    set(ms: number) {
      now = ms;
    },
  };
}

describe('TokenBucket', () => {
  it('starts full and allows exactly `burst` takes without time passing', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3, now: clock.now });
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it('refills continuously at ratePerSecond', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5, now: clock.now });
    for (let i = 0; i < 5; i++) bucket.take();
    clock.advance(50); // half a token at 10/s
    expect(bucket.available()).toBeCloseTo(0.5);
    expect(bucket.take()).toBe(false);
    clock.advance(50);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than burst, however long it idles', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSecond: 100, burst: 2, now: clock.now });
    clock.advance(60_000);
    expect(bucket.available()).toBe(2);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });

  it('takes all of `count` or nothing', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 3, now: clock.now });
    expect(bucket.take(2)).toBe(true);
    expect(bucket.take(2)).toBe(false);
    expect(bucket.available()).toBe(1);
  });

  it('with a rate of 0 is a fixed budget', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSecond: 0, burst: 1, now: clock.now });
    expect(bucket.take()).toBe(true);
    clock.advance(1e9);
    expect(bucket.take()).toBe(false);
    expect(bucket.msUntil()).toBe(Infinity);
  });

  it('tells how long until tokens are available', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ ratePerSecond: 4, burst: 2, now: clock.now });
    expect(bucket.msUntil()).toBe(0);
    bucket.take(2);
    expect(bucket.msUntil()).toBe(250);
    expect(bucket.msUntil(2)).toBe(500);
    expect(bucket.msUntil(3)).toBe(Infinity); // more than burst can ever hold
    clock.advance(250);
    expect(bucket.msUntil()).toBe(0);
  });

  it('ignores a clock stepping backwards instead of crediting time twice', () => {
    const clock = manualClock(10_000);
    const bucket = new TokenBucket({ ratePerSecond: 1, burst: 10, now: clock.now });
    bucket.take(10);
    clock.set(9_000);
    expect(bucket.available()).toBe(0);
    clock.set(11_000);
    expect(bucket.available()).toBe(1);
  });

  it('rejects nonsensical configuration', () => {
    expect(() => new TokenBucket({ ratePerSecond: -1, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: Number.NaN, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket({ ratePerSecond: 1, burst: 0 })).toThrow(RangeError);
  });
});
