import pRetry, { AbortError } from 'p-retry';
import type { CallBudget, DirectoryCalls } from '../provisioning/directory-calls.port.ts';
import type { DirectoryOperation } from '../provisioning/directory.port.ts';
import { DirectoryError } from '../provisioning/errors.ts';
import type { CallObserver } from './call-observer.port.ts';
import type { Limiter, QuotaCategory } from './limiter.port.ts';

export interface RetrySettings {
  /** Directory calls one request may make in all, first attempts included. */
  readonly maxAttempts: number;
  /** How long one request may keep retrying. */
  readonly maxDurationMs: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

const CATEGORY: Record<DirectoryOperation, QuotaCategory> = {
  AdminCreateUser: 'user-creation',
  AdminGetUser: 'user-read',
  // AWS meters DescribeUserPool apart (UserPoolRead), at a low rate; the service reads each pool
  // once every few minutes, so a category of its own would only add a bucket that never fills.
  DescribeUserPool: 'user-read',
};

/**
 * The one place where directory calls are retried: exponential backoff with jitter, bounded by
 * the request's attempts and age, every attempt through the rate limiter.
 */
export function createDirectoryCalls(deps: {
  limiter: Limiter;
  retry: RetrySettings;
  observer: CallObserver;
  /** Aborted at shutdown: waiting work is handed back instead of finished. */
  signal?: AbortSignal;
}): DirectoryCalls {
  const { limiter, retry, observer } = deps;
  return {
    run<T>(operation: DirectoryOperation, call: (signal: AbortSignal | undefined) => Promise<T>, budget: CallBudget, handBack?: AbortSignal): Promise<T> {
      const category = CATEGORY[operation];
      // Aborting also abandons a call in progress: one that already reached Cognito is safe to
      // drop, since the request is redelivered and its AdminCreateUser then meets UsernameExists,
      // which AdminGetUser answers (provision-user.ts).
      const signal = deps.signal !== undefined && handBack !== undefined ? AbortSignal.any([deps.signal, handBack]) : handBack ?? deps.signal;
      const attempt = async (): Promise<T> => {
        signal?.throwIfAborted();
        return limiter.schedule(category, async () => {
          budget.attempts++;
          const started = performance.now();
          try {
            const value = await call(signal);
            observer.called(operation, 'success', (performance.now() - started) / 1000);
            return value;
          } catch (error) {
            observer.called(operation, error instanceof DirectoryError ? error.code : 'Error', (performance.now() - started) / 1000);
            throw error;
          }
        }, signal);
      };
      return pRetry(
        async () => {
          try {
            return await attempt();
          } catch (error) {
            throw decide(error);
          }
        },
        {
          retries: Math.max(0, retry.maxAttempts - budget.attempts - 1),
          maxRetryTime: Math.max(0, retry.maxDurationMs - (Date.now() - budget.startedAt)),
          minTimeout: retry.minDelayMs,
          maxTimeout: retry.maxDelayMs,
          factor: 2,
          randomize: true,
          ...(signal ? { signal } : {}),
          // Asked only when attempts and time are left, so a failure that ends the loop is not counted as retried.
          shouldRetry: ({ error }) => {
            if (error instanceof DirectoryError) observer.retried(operation, error.code);
            return true;
          },
        },
      );

      // Only transient failures are retried; everything else ends the retry loop at once.
      function decide(error: unknown): unknown {
        // A call cut short by the hand-back ends with the hand-back's reason, not as a failure of Cognito.
        if (signal?.aborted) return new AbortError(asError(signal.reason));
        if (!(error instanceof DirectoryError)) return new AbortError(asError(error));
        if (error.kind !== 'transient') return new AbortError(error);
        if (error.code === 'TooManyRequestsException') limiter.throttled(category);
        return error;
      }
    },
  };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
