import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DirectoryError, SystemicError } from '../../../src/provisioning/errors.ts';
import { ServiceHealth } from '../../../src/pipeline/health.ts';
import { SystemicPause, pauseConsumption, type CanarySchedule, type PauseListener, type Turn } from '../../../src/pipeline/systemic-pause.ts';

const SCHEDULE: CanarySchedule = { firstDelayMs: 1_000, maxDelayMs: 3_000, sustainedMs: 10_000 };

function systemicError(): SystemicError {
  return new SystemicError(new DirectoryError('NotAuthorizedException', 'expired'), 'us-east-1_Example1');
}

function recordingListener(): PauseListener & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    paused: (error) => events.push(`paused:${error.code}`),
    resumed: () => events.push('resumed'),
    fetchingCanary: () => events.push('fetching'),
  };
}

/** A waiter's turn, readable without awaiting: undefined until it comes. */
function waitTurn(pause: SystemicPause, signal?: AbortSignal): { turn: Turn | 'aborted' | undefined } {
  const state: { turn: Turn | 'aborted' | undefined } = { turn: undefined };
  pause.turn(signal).then((turn) => (state.turn = turn), () => (state.turn = 'aborted'));
  return state;
}

/** Runs canaries that fail `failures` times, then succeed, each as soon as it is offered; records when. */
async function canariesFailing(pause: SystemicPause, failures: number, untilMs: number): Promise<number[]> {
  const ranAt: number[] = [];
  while (Date.now() < untilMs && pause.paused) {
    const turn = waitTurn(pause);
    while (turn.turn === undefined && Date.now() < untilMs) await vi.advanceTimersByTimeAsync(100);
    if (turn.turn !== 'canary') break;
    ranAt.push(Date.now());
    if (ranAt.length <= failures) pause.canaryFailed(systemicError());
    else pause.canarySucceeded();
  }
  return ranAt;
}

describe('SystemicPause', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('is clear until tripped: every message goes', async () => {
    const pause = new SystemicPause(recordingListener(), SCHEDULE);
    expect(pause.paused).toBe(false);
    await expect(pause.turn()).resolves.toBe('go');
  });

  it('pauses once however often it is tripped, and offers one waiter the canary after the first wait', async () => {
    const listener = recordingListener();
    const pause = new SystemicPause(listener, SCHEDULE);
    pause.trip(systemicError());
    pause.trip(systemicError());
    expect(pause.paused).toBe(true);
    expect(listener.events).toEqual(['paused:NotAuthorizedException']);

    const waiters = [waitTurn(pause), waitTurn(pause), waitTurn(pause)];
    await vi.advanceTimersByTimeAsync(999);
    expect(waiters.map((waiter) => waiter.turn)).toEqual([undefined, undefined, undefined]);
    await vi.advanceTimersByTimeAsync(1);
    // The oldest waiter is the canary; the others wait for its answer.
    expect(waiters.map((waiter) => waiter.turn)).toEqual(['canary', undefined, undefined]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(waiters.map((waiter) => waiter.turn)).toEqual(['canary', undefined, undefined]);
  });

  it('releases everyone waiting when the canary succeeds', async () => {
    const listener = recordingListener();
    const pause = new SystemicPause(listener, SCHEDULE);
    pause.trip(systemicError());
    const canary = waitTurn(pause);
    const other = waitTurn(pause);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(canary.turn).toBe('canary');
    pause.canarySucceeded();
    await vi.advanceTimersByTimeAsync(0);
    expect(other.turn).toBe('go');
    expect(pause.paused).toBe(false);
    expect(listener.events).toEqual(['paused:NotAuthorizedException', 'resumed']);
  });

  it('doubles the wait (up to the cap) each time the canary fails, and pauses only once', async () => {
    const listener = recordingListener();
    const pause = new SystemicPause(listener, SCHEDULE);
    pause.trip(systemicError());
    const ranAt = await canariesFailing(pause, 4, 20_000);
    // 1 s, then 2 s, then capped at 3 s.
    expect(ranAt).toEqual([1_000, 3_000, 6_000, 9_000, 12_000]);
    expect(pause.paused).toBe(false);
    expect(listener.events).toEqual(['paused:NotAuthorizedException', 'resumed']);
  });

  it('keeps the wait across consecutive pauses: a fault back soon after a release waits longer, not 1 s again', async () => {
    const pause = new SystemicPause(recordingListener(), SCHEDULE);
    pause.trip(systemicError());
    // Fails at 1 s, succeeds at 3 s (after a 2 s wait): released.
    expect(await canariesFailing(pause, 1, 10_000)).toEqual([1_000, 3_000]);
    expect(pause.paused).toBe(false);

    await vi.advanceTimersByTimeAsync(500);
    pause.trip(systemicError());
    expect(pause.delayMs).toBe(3_000);
    expect(await canariesFailing(pause, 0, 20_000)).toEqual([6_500]);
  });

  it('starts again from the first wait once a release held for sustainedMs', async () => {
    const pause = new SystemicPause(recordingListener(), SCHEDULE);
    pause.trip(systemicError());
    expect(await canariesFailing(pause, 2, 10_000)).toEqual([1_000, 3_000, 6_000]);

    await vi.advanceTimersByTimeAsync(SCHEDULE.sustainedMs);
    pause.trip(systemicError());
    expect(pause.delayMs).toBe(1_000);
    expect(await canariesFailing(pause, 0, 30_000)).toEqual([17_000]);
  });

  it('passes the turn on at once when the canary is handed back without an answer', async () => {
    const pause = new SystemicPause(recordingListener(), SCHEDULE);
    pause.trip(systemicError());
    const first = waitTurn(pause);
    const second = waitTurn(pause);
    await vi.advanceTimersByTimeAsync(1_000);
    expect([first.turn, second.turn]).toEqual(['canary', undefined]);
    pause.canaryHandedBack();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.turn).toBe('canary');
    expect(pause.paused).toBe(true);
  });

  it('fetches a message to be the canary when none is held (a rebalance took them back), and pauses the input again if it fails', async () => {
    const listener = recordingListener();
    const pause = new SystemicPause(listener, SCHEDULE);
    pause.trip(systemicError());
    const leaving = new AbortController();
    const left = waitTurn(pause, leaving.signal);
    leaving.abort(new Error('rebalance'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(left.turn).toBe('aborted');
    expect(listener.events).toEqual(['paused:NotAuthorizedException', 'fetching']);

    // The first message fetched is the canary at once; the next ones wait.
    await expect(pause.turn()).resolves.toBe('canary');
    const next = waitTurn(pause);
    pause.canaryFailed(systemicError());
    expect(listener.events).toEqual(['paused:NotAuthorizedException', 'fetching', 'paused:NotAuthorizedException']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(next.turn).toBe('canary');
  });

  it('lets a waiter give up through its abort signal', async () => {
    const pause = new SystemicPause(recordingListener(), SCHEDULE);
    pause.trip(systemicError());
    const controller = new AbortController();
    const waiting = pause.turn(controller.signal);
    const reason = new Error('shutdown');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(pause.turn(controller.signal)).rejects.toBe(reason);
  });

  it('offers no canary once stopped, and no longer pauses', async () => {
    const listener = recordingListener();
    const pause = new SystemicPause(listener, SCHEDULE);
    pause.trip(systemicError());
    const waiter = waitTurn(pause);
    pause.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(waiter.turn).toBeUndefined();
    expect(listener.events).toEqual(['paused:NotAuthorizedException']);

    const fresh = new SystemicPause(listener, SCHEDULE);
    fresh.stop();
    fresh.trip(systemicError());
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
    listener.fetchingCanary();
    expect(health.state).toBe('paused');
    listener.resumed();
    expect(health.state).toBe('consuming');
    expect(steps).toEqual([
      'pause:users.requested',
      'health.paused:NotAuthorizedException',
      'metrics.paused:systemic:true',
      'error:systemic error: consumption paused until a canary message succeeds:{"errorCode":"NotAuthorizedException","userPoolId":"us-east-1_Example1","error":"NotAuthorizedException: expired"}',
      // Fetching a canary resumes the input only: readiness and the metric stay paused.
      'resume:users.requested',
      'info:systemic pause: no message held to run as the canary; fetching one',
      'health.consuming',
      'metrics.paused:systemic:false',
      'resume:users.requested',
      'info:canary message succeeded: consumption resumed',
    ]);
  });
});
