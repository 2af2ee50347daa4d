import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DirectoryError, SystemicError } from '../../../src/provisioning/errors.ts';
import { ServiceHealth } from '../../../src/pipeline/health.ts';
import { SystemicPause, pauseConsumption, type PauseListener } from '../../../src/pipeline/systemic-pause.ts';

function systemicError(): SystemicError {
  return new SystemicError(new DirectoryError('NotAuthorizedException', 'expired'), 'us-east-1_Example1');
}

function recordingListener(): PauseListener & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    paused: (error) => events.push(`paused:${error.code}`),
    resumed: () => events.push('resumed'),
  };
}

/** A probe that fails `failures` times, then succeeds; records when it was called (fake clock). */
function probeFailing(failures: number): { probe: () => Promise<void>; calledAt: number[] } {
  const calledAt: number[] = [];
  return {
    calledAt,
    probe: () => {
      calledAt.push(Date.now());
      return calledAt.length <= failures ? Promise.reject(new DirectoryError('NotAuthorizedException', 'still broken')) : Promise.resolve();
    },
  };
}

describe('SystemicPause', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is clear until tripped', async () => {
    const pause = new SystemicPause(recordingListener(), { firstDelayMs: 1_000, maxDelayMs: 8_000 });
    expect(pause.paused).toBe(false);
    await expect(pause.whenClear()).resolves.toBeUndefined();
  });

  it('pauses once however often it is tripped, and probes with backoff until a probe succeeds', async () => {
    const listener = recordingListener();
    const pause = new SystemicPause(listener, { firstDelayMs: 1_000, maxDelayMs: 3_000 });
    const { probe, calledAt } = probeFailing(3);
    const other = vi.fn(() => Promise.resolve());

    pause.trip(systemicError(), probe);
    pause.trip(systemicError(), other);
    pause.trip(systemicError(), other);
    expect(pause.paused).toBe(true);
    expect(listener.events).toEqual(['paused:NotAuthorizedException']);

    let cleared = false;
    void pause.whenClear().then(() => (cleared = true));

    await vi.advanceTimersByTimeAsync(10_000);
    // 1 s, then doubled (2 s), then capped at 3 s twice.
    expect(calledAt).toEqual([1_000, 3_000, 6_000, 9_000]);
    expect(other).not.toHaveBeenCalled();
    expect(pause.paused).toBe(false);
    expect(cleared).toBe(true);
    expect(listener.events).toEqual(['paused:NotAuthorizedException', 'resumed']);
  });

  it('stays paused while the probe fails', async () => {
    const pause = new SystemicPause(recordingListener(), { firstDelayMs: 1_000, maxDelayMs: 1_000 });
    const { probe, calledAt } = probeFailing(Number.POSITIVE_INFINITY);
    pause.trip(systemicError(), probe);
    await vi.advanceTimersByTimeAsync(5_500);
    expect(calledAt).toHaveLength(5);
    expect(pause.paused).toBe(true);
  });

  it('can be tripped again after it cleared', async () => {
    const listener = recordingListener();
    const pause = new SystemicPause(listener, { firstDelayMs: 10, maxDelayMs: 10 });
    pause.trip(systemicError(), probeFailing(0).probe);
    await vi.advanceTimersByTimeAsync(10);
    pause.trip(systemicError(), probeFailing(0).probe);
    expect(pause.paused).toBe(true);
    await vi.advanceTimersByTimeAsync(10);
    expect(listener.events).toEqual(['paused:NotAuthorizedException', 'resumed', 'paused:NotAuthorizedException', 'resumed']);
  });

  it('lets a waiter give up through its abort signal', async () => {
    const pause = new SystemicPause(recordingListener(), { firstDelayMs: 1_000, maxDelayMs: 1_000 });
    pause.trip(systemicError(), probeFailing(Number.POSITIVE_INFINITY).probe);
    const controller = new AbortController();
    const waiting = pause.whenClear(controller.signal);
    const reason = new Error('shutdown');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(pause.whenClear(controller.signal)).rejects.toBe(reason);
  });

  it('stops probing once stopped, and no longer pauses', async () => {
    const listener = recordingListener();
    const pause = new SystemicPause(listener, { firstDelayMs: 1_000, maxDelayMs: 1_000 });
    const { probe, calledAt } = probeFailing(Number.POSITIVE_INFINITY);
    pause.trip(systemicError(), probe);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calledAt).toHaveLength(1);
    pause.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calledAt).toHaveLength(1);
    expect(listener.events).toEqual(['paused:NotAuthorizedException']);

    const fresh = new SystemicPause(listener, { firstDelayMs: 1_000, maxDelayMs: 1_000 });
    fresh.stop();
    fresh.trip(systemicError(), probe);
    expect(fresh.paused).toBe(false);
  });
});

describe('pauseConsumption', () => {
  it('pauses the input topic, then readiness, the metric and the log; on resume the reverse, the topic last', () => {
    const steps: string[] = [];
    const health = new ServiceHealth();
    health.consuming();
    const listener = pauseConsumption({
      consumer: { pause: (topic) => steps.push(`pause:${topic}`), resume: (topic) => steps.push(`resume:${topic}`) },
      topic: 'users.requested',
      health: {
        paused: (because) => (steps.push(`health.paused:${because}`), health.paused(because)),
        consuming: () => (steps.push('health.consuming'), health.consuming()),
      },
      metrics: { paused: (reason, paused) => steps.push(`metrics.paused:${reason}:${paused}`) },
      log: {
        error: (fields, message) => steps.push(`error:${message}:${JSON.stringify(fields)}`),
        info: (message) => steps.push(`info:${message}`),
      },
    });

    listener.paused(systemicError());
    expect(health.state).toBe('paused');
    listener.resumed();
    expect(health.state).toBe('consuming');
    expect(steps).toEqual([
      'pause:users.requested',
      'health.paused:NotAuthorizedException',
      'metrics.paused:systemic:true',
      'error:systemic error: consumption paused until a probe call succeeds:{"errorCode":"NotAuthorizedException","userPoolId":"us-east-1_Example1","error":"NotAuthorizedException: expired"}',
      'health.consuming',
      'metrics.paused:systemic:false',
      'resume:users.requested',
      'info:probe call succeeded: consumption resumed',
    ]);
  });
});
