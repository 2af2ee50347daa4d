import { describe, expect, it } from 'vitest';
import type { CallBudget } from '../../../src/provisioning/directory-calls.port.ts';
import { DirectoryError } from '../../../src/provisioning/errors.ts';
import { createDirectoryCalls, type RetrySettings } from '../../../src/resilience/directory-calls.ts';
import { simulatedCognitoError } from '../../support/fakes/fake-directory.ts';
import { RecordingLimiter } from '../../support/fakes/recording-limiter.ts';
import { RecordingMetrics } from '../../support/fakes/recording-metrics.ts';

const FAST: RetrySettings = { maxAttempts: 5, maxDurationMs: 60_000, minDelayMs: 1, maxDelayMs: 2 };

function setup(retry: RetrySettings = FAST, signal?: AbortSignal) {
  const limiter = new RecordingLimiter();
  const observer = new RecordingMetrics();
  const calls = createDirectoryCalls({ limiter, retry, observer, ...(signal ? { signal } : {}) });
  return { limiter, observer, calls };
}

function budget(): CallBudget {
  return { attempts: 0, startedAt: Date.now() };
}

/** A call that fails with the given errors, one per attempt, then answers `value`. */
function scripted<T>(value: T, ...errors: Error[]): { call: () => Promise<T>; count: () => number } {
  let count = 0;
  return {
    call: () => {
      count++;
      const error = errors.shift();
      return error === undefined ? Promise.resolve(value) : Promise.reject(error);
    },
    count: () => count,
  };
}

describe('createDirectoryCalls', () => {
  it('runs a call once through the limiter under its quota category', async () => {
    const { calls, limiter, observer } = setup();
    const spent = budget();
    await expect(calls.run('AdminCreateUser', () => Promise.resolve('ok'), spent)).resolves.toBe('ok');
    await expect(calls.run('AdminGetUser', () => Promise.resolve('ok'), spent)).resolves.toBe('ok');
    expect(limiter.scheduled).toEqual(['user-creation', 'user-read']);
    expect(spent.attempts).toBe(2);
    expect(observer.calls.map(({ operation, result }) => ({ operation, result }))).toEqual([
      { operation: 'AdminCreateUser', result: 'success' },
      { operation: 'AdminGetUser', result: 'success' },
    ]);
  });

  it('retries transient failures until the call succeeds, counting every attempt in the budget', async () => {
    const { calls, limiter } = setup();
    const call = scripted('user', simulatedCognitoError('InternalErrorException', 500), simulatedCognitoError('ServiceUnavailableException', 503));
    const spent = budget();
    await expect(calls.run('AdminCreateUser', call.call, spent)).resolves.toBe('user');
    expect(call.count()).toBe(3);
    expect(spent.attempts).toBe(3);
    expect(limiter.scheduled).toEqual(['user-creation', 'user-creation', 'user-creation']);
  });

  it('gives up after maxAttempts with the last transient DirectoryError', async () => {
    const { calls } = setup({ ...FAST, maxAttempts: 3 });
    const last = simulatedCognitoError('InternalErrorException', 500, 'the last one');
    const call = scripted('never', simulatedCognitoError('InternalErrorException', 500), simulatedCognitoError('InternalErrorException', 500), last, simulatedCognitoError('InternalErrorException', 500));
    const spent = budget();
    await expect(calls.run('AdminCreateUser', call.call, spent)).rejects.toBe(last);
    expect(call.count()).toBe(3);
    expect(spent.attempts).toBe(3);
  });

  it('shares the attempts bound across the calls of one request', async () => {
    const { calls } = setup({ ...FAST, maxAttempts: 4 });
    const spent = budget();
    await calls.run('AdminCreateUser', scripted('x', simulatedCognitoError('InternalErrorException', 500)).call, spent);
    expect(spent.attempts).toBe(2);
    const failing = scripted('never', ...Array.from({ length: 5 }, () => simulatedCognitoError('InternalErrorException', 500)));
    await expect(calls.run('AdminGetUser', failing.call, spent)).rejects.toBeInstanceOf(DirectoryError);
    expect(failing.count()).toBe(2);
    expect(spent.attempts).toBe(4);
  });

  it('stops retrying once the request is older than maxDurationMs, and reports no retry', async () => {
    const { calls, observer } = setup({ ...FAST, maxDurationMs: 1_000 });
    const failing = scripted('never', ...Array.from({ length: 5 }, () => simulatedCognitoError('InternalErrorException', 500)));
    const old: CallBudget = { attempts: 0, startedAt: Date.now() - 5_000 };
    await expect(calls.run('AdminCreateUser', failing.call, old)).rejects.toBeInstanceOf(DirectoryError);
    expect(failing.count()).toBe(1);
    expect(observer.retries).toEqual([]);
  });

  it.each([
    ['permanent', simulatedCognitoError('InvalidPasswordException')],
    ['permanent', simulatedCognitoError('UsernameExistsException')],
    ['systemic', simulatedCognitoError('NotAuthorizedException')],
    ['systemic', simulatedCognitoError('AccessDeniedException', 403)],
  ])('does not retry a %s error and rejects with it unchanged', async (_kind, error) => {
    const { calls, observer } = setup();
    const call = scripted('never', error);
    await expect(calls.run('AdminCreateUser', call.call, budget())).rejects.toBe(error);
    expect(call.count()).toBe(1);
    expect(observer.retries).toEqual([]);
  });

  it('does not retry an error that is not a DirectoryError, and rejects with it', async () => {
    const { calls } = setup();
    const bug = new RangeError('bug');
    const call = scripted('never', bug);
    await expect(calls.run('AdminCreateUser', call.call, budget())).rejects.toBe(bug);
    expect(call.count()).toBe(1);
  });

  it('tells the limiter about TooManyRequests, for the quota category of the call', async () => {
    const { calls, limiter } = setup();
    await calls.run('AdminGetUser', scripted('x', simulatedCognitoError('TooManyRequestsException', 429)).call, budget());
    await calls.run('AdminCreateUser', scripted('x', simulatedCognitoError('InternalErrorException', 500)).call, budget());
    expect(limiter.throttles).toEqual(['user-read']);
  });

  it('reports every call and every retry with its operation and error code', async () => {
    const { calls, observer } = setup({ ...FAST, maxAttempts: 3 });
    const call = scripted('never', simulatedCognitoError('TooManyRequestsException', 429), simulatedCognitoError('InternalErrorException', 500), simulatedCognitoError('InternalErrorException', 500));
    await expect(calls.run('AdminCreateUser', call.call, budget())).rejects.toBeInstanceOf(DirectoryError);
    expect(observer.calls.map(({ operation, result }) => ({ operation, result }))).toEqual([
      { operation: 'AdminCreateUser', result: 'TooManyRequestsException' },
      { operation: 'AdminCreateUser', result: 'InternalErrorException' },
      { operation: 'AdminCreateUser', result: 'InternalErrorException' },
    ]);
    // The third failure is final: it is not reported as retried.
    expect(observer.retries).toEqual([
      { operation: 'AdminCreateUser', errorCode: 'TooManyRequestsException' },
      { operation: 'AdminCreateUser', errorCode: 'InternalErrorException' },
    ]);
    for (const { seconds } of observer.calls) expect(seconds).toBeGreaterThanOrEqual(0);
  });

  it('labels a failure that is not a DirectoryError "Error"', async () => {
    const { calls, observer } = setup();
    await expect(calls.run('AdminGetUser', scripted('never', new Error('bug')).call, budget())).rejects.toThrow('bug');
    expect(observer.calls.map((c) => c.result)).toEqual(['Error']);
  });

  it('passes its abort signal to the call', async () => {
    const controller = new AbortController();
    const { calls } = setup(FAST, controller.signal);
    let received: AbortSignal | undefined;
    await calls.run('AdminCreateUser', (signal) => {
      received = signal;
      return Promise.resolve();
    }, budget());
    expect(received).toBe(controller.signal);
  });

  it('stops retrying when aborted, rejecting with the abort reason', async () => {
    const controller = new AbortController();
    const { calls } = setup({ ...FAST, maxAttempts: 100 }, controller.signal);
    const reason = new Error('shutdown');
    let count = 0;
    const call = () => {
      count++;
      if (count === 2) controller.abort(reason);
      return Promise.reject(simulatedCognitoError('InternalErrorException', 500));
    };
    await expect(calls.run('AdminCreateUser', call, budget())).rejects.toBe(reason);
    expect(count).toBe(2);
  });

  it('ends a retry wait at once when the hand-back signal of the request aborts (a revoked partition), with its reason', async () => {
    const shutdown = new AbortController();
    const { calls } = setup({ maxAttempts: 10, maxDurationMs: 600_000, minDelayMs: 60_000, maxDelayMs: 60_000 }, shutdown.signal);
    const handBack = new AbortController();
    const reason = new Error('the partition was revoked');
    let received: AbortSignal | undefined;
    const call = (signal: AbortSignal | undefined) => {
      received = signal;
      // The first attempt is throttled: the next one would come a minute later.
      setTimeout(() => handBack.abort(reason), 5);
      return Promise.reject(simulatedCognitoError('TooManyRequestsException'));
    };
    const started = performance.now();
    await expect(calls.run('AdminCreateUser', call, budget(), handBack.signal)).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(30_000);
    expect(received?.aborted).toBe(true);
    expect(shutdown.signal.aborted).toBe(false);
  });

  it('makes no call at all when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutdown'));
    const { calls, limiter } = setup(FAST, controller.signal);
    const call = scripted('x');
    await expect(calls.run('AdminCreateUser', call.call, budget())).rejects.toThrow('shutdown');
    expect(call.count()).toBe(0);
    expect(limiter.scheduled).toEqual([]);
  });
});
