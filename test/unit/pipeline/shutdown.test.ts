import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { shutdownSequence, type ShutdownDeps } from '../../../src/pipeline/shutdown.ts';

const TIMEOUT_MS = 10_000;

/** Fake ports that record every step, in order, into one list; `transport` stops when told. */
function setup(overrides: Partial<ShutdownDeps> = {}) {
  const steps: string[] = [];
  const exits: number[] = [];
  const transportStopped = Promise.withResolvers<undefined>();
  const work = new AbortController();
  const deps: ShutdownDeps = {
    log: {
      info: (first: string | Record<string, unknown>, message?: string) =>
        steps.push(typeof first === 'string' ? `info:${first}` : `info:${message ?? ''}:${JSON.stringify(first)}`),
      warn: (message: string) => steps.push(`warn:${message}`),
      error: (fields: Record<string, unknown>, message: string) => steps.push(`error:${message}:${String(fields['err'])}`),
    },
    health: { stopping: () => steps.push('health.stopping') },
    pause: { stop: () => steps.push('pause.stop') },
    work,
    transport: {
      stop: () => {
        steps.push('transport.stop');
        return transportStopped.promise;
      },
    },
    limiter: { stop: () => (steps.push('limiter.stop'), Promise.resolve()) },
    sharedQuota: { close: () => steps.push('sharedQuota.close') },
    directory: { close: () => steps.push('directory.close') },
    http: { close: () => (steps.push('http.close'), Promise.resolve()) },
    timeoutMs: TIMEOUT_MS,
    handBackFraction: 0.7,
    exit: (code) => {
      steps.push(`exit:${code}`);
      exits.push(code);
    },
    ...overrides,
  };
  return { steps, exits, work, finishTransport: () => transportStopped.resolve(undefined), stop: shutdownSequence(deps) };
}

describe('shutdownSequence', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stops intake at once, then the transport, the limiter and the shared quota, then closes the rest and exits', async () => {
    const { steps, stop, finishTransport } = setup();
    const stopped = stop('SIGTERM', 0);
    expect(steps).toEqual(['info:shutting down: finishing or handing back in-flight work:{"reason":"SIGTERM"}', 'health.stopping', 'pause.stop', 'transport.stop']);
    finishTransport();
    await stopped;
    expect(steps.slice(4)).toEqual(['limiter.stop', 'sharedQuota.close', 'directory.close', 'http.close', 'info:stopped', 'exit:0']);
  });

  it('exports the last spans after the transport stopped, within what is left of the timeout, before closing the rest', async () => {
    const given: number[] = [];
    const { steps, stop, finishTransport } = setup({
      tracing: { shutdown: (timeoutMs) => (steps.push('tracing.shutdown'), given.push(timeoutMs), Promise.resolve()) },
    });
    const stopped = stop('SIGTERM', 0);
    await vi.advanceTimersByTimeAsync(4_000);
    finishTransport();
    await stopped;
    expect(steps.slice(4)).toEqual(['limiter.stop', 'sharedQuota.close', 'tracing.shutdown', 'directory.close', 'http.close', 'info:stopped', 'exit:0']);
    expect(given).toEqual([TIMEOUT_MS - 4_000]);
  });

  it('runs once: a second request returns the same run, and the first exit code holds', async () => {
    const { steps, exits, stop, finishTransport } = setup();
    const first = stop('SIGTERM', 0);
    const second = stop('kafka consumer crashed', 1);
    expect(second).toBe(first);
    finishTransport();
    await first;
    expect(exits).toEqual([0]);
    expect(steps.filter((step) => step === 'health.stopping')).toHaveLength(1);
  });

  it('hands waiting work back once 70 % of the timeout has passed, not before', async () => {
    const { work, stop } = setup();
    void stop('SIGTERM', 0);
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS * 0.7 - 1);
    expect(work.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(work.signal.aborted).toBe(true);
    expect(work.signal.reason).toEqual(new Error('shutdown'));
  });

  it('exits with its code at the timeout when the transport never stops', async () => {
    const { steps, exits, stop } = setup();
    void stop('kafka consumer crashed', 1);
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
    expect(steps.at(-2)).toBe('warn:shutdown timeout reached: exiting; unfinished work will be redelivered');
    expect(steps).not.toContain('limiter.stop');
  });

  it('clears both timers once stopped: no hand-back and no second exit afterwards', async () => {
    const { work, exits, stop, finishTransport } = setup();
    const stopped = stop('SIGINT', 0);
    finishTransport();
    await stopped;
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS * 2);
    expect(work.signal.aborted).toBe(false);
    expect(exits).toEqual([0]);
  });

  it('logs a failing step, skips the steps after it, and still closes the rest and exits', async () => {
    const failure = new Error('redis gone');
    const { steps, stop, finishTransport } = setup({ limiter: { stop: () => Promise.reject(failure) } });
    const stopped = stop('SIGTERM', 0);
    finishTransport();
    await stopped;
    expect(steps.slice(4)).toEqual(['error:error while stopping:Error: redis gone', 'directory.close', 'http.close', 'info:stopped', 'exit:0']);
  });

  it('works without a shared quota', async () => {
    const { steps, stop, finishTransport } = setup({ sharedQuota: undefined });
    const stopped = stop('SIGTERM', 0);
    finishTransport();
    await stopped;
    expect(steps.slice(4)).toEqual(['limiter.stop', 'directory.close', 'http.close', 'info:stopped', 'exit:0']);
  });
});
