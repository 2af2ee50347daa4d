import { describe, expect, it } from 'vitest';
import { AdaptiveRate, DEFAULT_ADAPTATION } from '../../../src/resilience/adaptive-rate.ts';

// The mechanics with round numbers; the defaults have a test of their own.
const settings = { ceilingPerSecond: 50, floorFraction: 0.1, decreaseFactor: 0.5, cooldownMs: 1_000, recoverySeconds: 30 };

describe('AdaptiveRate', () => {
  it('starts at the ceiling and never exceeds it', () => {
    const rate = new AdaptiveRate(settings, 0);
    expect(rate.current(0)).toBe(50);
    expect(rate.current(600_000)).toBe(50);
  });

  it('halves on a throttle, once per cooldown, and not below the floor', () => {
    const rate = new AdaptiveRate(settings, 0);
    rate.throttled(0);
    expect(rate.current(0)).toBe(25);
    // The calls already in flight meet the same full bucket: no second cut within the cooldown.
    rate.throttled(500);
    expect(rate.current(500)).toBeCloseTo(25 + (50 / 30) * 0.5);
    for (let t = 1_000; t <= 10_000; t += 1_000) rate.throttled(t);
    expect(rate.current(10_000)).toBeGreaterThanOrEqual(5);
    expect(rate.current(10_000)).toBeLessThan(8);
  });

  it('climbs back linearly, from the floor to the ceiling in recoverySeconds', () => {
    const rate = new AdaptiveRate({ ...settings, decreaseFactor: 0 }, 0);
    rate.throttled(0);
    expect(rate.current(0)).toBe(5);
    expect(rate.current(15_000)).toBeCloseTo(5 + 25);
    expect(rate.current(30_000)).toBe(50);
  });

  it('by default, a throttle cuts a tenth and the ceiling is back within 4 s', () => {
    const rate = new AdaptiveRate({ ceilingPerSecond: 50, ...DEFAULT_ADAPTATION }, 0);
    rate.throttled(0);
    expect(rate.current(0)).toBe(45);
    expect(rate.current(3_000)).toBeLessThan(50);
    expect(rate.current(4_000)).toBe(50);
  });

  it('refuses a ceiling that is not positive', () => {
    expect(() => new AdaptiveRate({ ...settings, ceilingPerSecond: 0 }, 0)).toThrow(RangeError);
  });
});
