import { describe, expect, it } from 'vitest';
import { ServiceHealth } from '../../../src/pipeline/health.ts';
import { Quarantine, feedingQuarantine, stopConsumption } from '../../../src/pipeline/quarantine.ts';
import { RecordingMetrics } from '../../support/fakes/recording-metrics.ts';

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

describe('feedingQuarantine', () => {
  function fed() {
    const metrics = new RecordingMetrics();
    const recorded: { failed: boolean; at: number }[] = [];
    let clock = 5_000;
    const observed = feedingQuarantine(metrics, { record: (failed, at) => recorded.push({ failed, at }) }, () => clock++);
    return { metrics, recorded, observed };
  }

  it('counts failed events and dead letters as failures, created and already_existed as not, each at its time', () => {
    const { metrics, recorded, observed } = fed();
    observed.outcome('created', 'none');
    observed.outcome('already_existed', 'none');
    observed.outcome('failed', 'rejected');
    observed.outcome('dead_letter', 'invalid-json');
    expect(recorded).toEqual([
      { failed: false, at: 5_000 },
      { failed: false, at: 5_001 },
      { failed: true, at: 5_002 },
      { failed: true, at: 5_003 },
    ]);
    expect(metrics.outcomes).toEqual([
      { outcome: 'created', reason: 'none' },
      { outcome: 'already_existed', reason: 'none' },
      { outcome: 'failed', reason: 'rejected' },
      { outcome: 'dead_letter', reason: 'invalid-json' },
    ]);
  });

  it('passes every other report to the metrics unchanged, and feeds none of them to the quarantine', () => {
    const { metrics, recorded, observed } = fed();
    observed.received('users.requested', 'binary');
    observed.inFlight(1);
    observed.paused('systemic', true);
    observed.quarantined(true);
    observed.endToEnd(0.25);
    observed.called('AdminCreateUser', 'success', 0.1);
    observed.retried('AdminGetUser', 'TooManyRequestsException');
    observed.invitationUndelivered();
    expect(metrics.receivedEvents).toEqual([{ topic: 'users.requested', mode: 'binary' }]);
    expect(metrics.inFlightDeltas).toEqual([1]);
    expect(metrics.pauses).toEqual([true]);
    expect(metrics.quarantines).toEqual([true]);
    expect(metrics.endToEndSeconds).toEqual([0.25]);
    expect(metrics.calls).toEqual([{ operation: 'AdminCreateUser', result: 'success', seconds: 0.1 }]);
    expect(metrics.retries).toEqual([{ operation: 'AdminGetUser', errorCode: 'TooManyRequestsException' }]);
    expect(metrics.invitationsUndelivered).toBe(1);
    expect(recorded).toEqual([]);
  });

  it('trips a real quarantine once the failures reach its ratio', () => {
    const trips: unknown[] = [];
    const quarantine = new Quarantine({ failureRatio: 0.5, minOutcomes: 4, windowMs: 60_000 }, (summary) => trips.push(summary));
    const observed = feedingQuarantine(new RecordingMetrics(), quarantine, () => 1_000);
    observed.outcome('created', 'none');
    observed.outcome('failed', 'rejected');
    observed.outcome('created', 'none');
    expect(quarantine.tripped).toBe(false);
    observed.outcome('dead_letter', 'invalid-json');
    expect(trips).toEqual([{ failures: 2, outcomes: 4 }]);
  });
});

describe('stopConsumption', () => {
  it('pauses the input topic, marks the service quarantined with the counts, sets the metric and logs why', () => {
    const steps: string[] = [];
    const health = new ServiceHealth();
    health.consuming();
    const trip = stopConsumption({
      consumer: { pause: (topic) => steps.push(`pause:${topic}`) },
      topic: 'users.requested',
      health: { quarantined: (because) => (steps.push(`health.quarantined:${because}`), health.quarantined(because)) },
      metrics: { quarantined: (quarantined) => steps.push(`metrics.quarantined:${quarantined}`) },
      log: { error: (fields, message) => steps.push(`error:${message}:${JSON.stringify(fields)}`) },
      failureRatio: 0.5,
    });
    trip({ failures: 6, outcomes: 10 });
    expect(health.describe()).toMatchObject({ state: 'quarantined', ready: false, live: true });
    expect(steps).toEqual([
      'pause:users.requested',
      'health.quarantined:6 of the last 10 outcomes failed',
      'metrics.quarantined:true',
      'error:quarantined: too many requests fail; consumption stopped until a restart (see docs/runbook.md):{"failures":6,"outcomes":10,"failureRatio":0.5}',
    ]);
  });
});
