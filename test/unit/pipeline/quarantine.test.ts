import { describe, expect, it } from 'vitest';
import { ServiceHealth } from '../../../src/pipeline/health.ts';
import { Quarantine } from '../../../src/pipeline/quarantine.ts';

function quarantine(settings: Partial<{ failureRatio: number; minOutcomes: number; windowMs: number }> = {}) {
  const trips: { failures: number; outcomes: number }[] = [];
  const q = new Quarantine({ failureRatio: 0.5, minOutcomes: 10, windowMs: 60_000, ...settings }, (summary) => trips.push(summary));
  return { q, trips };
}

describe('Quarantine', () => {
  it('trips once the failure share over the window reaches the ratio, with enough outcomes', () => {
    const { q, trips } = quarantine();
    for (let i = 0; i < 4; i++) q.record(true, 1_000);
    for (let i = 0; i < 5; i++) q.record(false, 1_000);
    expect(q.tripped).toBe(false);
    q.record(true, 1_000);
    expect(q.tripped).toBe(true);
    expect(trips).toEqual([{ failures: 5, outcomes: 10 }]);
  });

  it('needs the minimum number of outcomes before judging', () => {
    const { q } = quarantine({ minOutcomes: 50 });
    for (let i = 0; i < 49; i++) q.record(true, 1_000);
    expect(q.tripped).toBe(false);
    q.record(true, 1_000);
    expect(q.tripped).toBe(true);
  });

  it('forgets failures that left the window', () => {
    const { q } = quarantine({ minOutcomes: 10, windowMs: 60_000 });
    for (let i = 0; i < 9; i++) q.record(true, 0);
    // A minute later those nine failures no longer count: ten successes, one failure.
    for (let i = 0; i < 10; i++) q.record(false, 70_000);
    q.record(true, 70_000);
    expect(q.tripped).toBe(false);
  });

  it('is off at a ratio of 0, and reports a trip only once', () => {
    const off = quarantine({ failureRatio: 0 });
    for (let i = 0; i < 100; i++) off.q.record(true, 0);
    expect(off.q.tripped).toBe(false);

    const on = quarantine({ minOutcomes: 1, failureRatio: 1 });
    on.q.record(true, 0);
    on.q.record(true, 0);
    expect(on.trips).toHaveLength(1);
  });
});

describe('ServiceHealth when quarantined', () => {
  it('is live, not ready, and neither a pause nor its end lifts the quarantine', () => {
    const health = new ServiceHealth();
    health.consuming();
    health.quarantined('9 of the last 10 outcomes failed');
    health.paused('NotAuthorizedException');
    health.consuming();
    expect(health.describe()).toEqual({ state: 'quarantined', ready: false, live: true, pausedBecause: '9 of the last 10 outcomes failed' });
    health.stopping();
    expect(health.state).toBe('stopping');
  });
});
