import { LocalTokenSource } from './local-token-source.ts';
import { perQuotaCategory, type Limiter, type LimiterStats, type QuotaCategory } from './limiter.port.ts';
import type { TokenSource } from './token-source.port.ts';

export interface RateSettings {
  /** Calls per second (Cognito meters per second, per account and region). */
  readonly ratePerSecond: number;
  /** Calls that may go at once after a quiet spell. */
  readonly burst: number;
}

/** The limiter was stopped before this call got a token. */
export class LimiterStoppedError extends Error {
  override readonly name = 'LimiterStoppedError';
}

/**
 * The rate limiter in front of every Cognito call, one token bucket per quota category: calls
 * wait in a first-come, first-served queue, and each token a TokenSource grants (a bucket in this
 * process, or one in Redis shared by every replica) starts one call at once, in the same tick.
 * Why not bottleneck: docs/decisions/0001-a-token-queue-instead-of-bottleneck.md
 */
export function createTokenQueueLimiter(sources: Record<QuotaCategory, TokenSource>): Limiter {
  const queues = perQuotaCategory((category) => new TokenQueue(sources[category]));

  return {
    schedule: (category, task, signal) => queues[category].schedule(task, signal),
    throttled: (category) => queues[category].throttled(),
    stats: (category) => queues[category].stats(),
    async stop(): Promise<void> {
      await Promise.all(Object.values(queues).map((queue) => queue.stop()));
    },
  };
}

/** Local buckets, one per category: the limiter of a single replica. */
export function localTokenSources(settings: Record<QuotaCategory, RateSettings>, now?: () => number): Record<QuotaCategory, TokenSource> {
  return perQuotaCategory((category) => new LocalTokenSource(settings[category], now));
}

interface Waiting {
  readonly start: () => void;
  readonly cancel: (error: Error) => void;
}

class TokenQueue {
  readonly #source: TokenSource;
  readonly #timer: NodeJS.Timeout;
  #waiting: Waiting[] = [];
  #running = 0;
  #refilling = false;
  #again = false;
  #stopped = false;

  constructor(source: TokenSource) {
    this.#source = source;
    // How often to look for tokens while calls wait: twice per token at the configured rate, so a
    // token waits half an interval at most; the count itself comes from the source's clock.
    const tickMs = Math.min(25, Math.max(2, Math.round(500 / source.ratePerSecond())));
    this.#timer = setInterval(() => {
      if (this.#waiting.length > 0) void this.#refill();
    }, tickMs).unref();
  }

  schedule<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.#stopped) return Promise.reject(new LimiterStoppedError('the limiter is stopped'));
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
      // A call handed back while it waits leaves the queue: its place goes to the next.
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiting);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(signal?.reason as Error);
      };
      const waiting: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#running += 1;
          // A task that throws before returning its promise still settles this call.
          void Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => (this.#running -= 1));
        },
        cancel: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      this.#waiting.push(waiting);
      signal?.addEventListener('abort', onAbort, { once: true });
      // A call that finds a token in the bucket should not wait for the next tick.
      void this.#refill();
    });
  }

  throttled(): void {
    void this.#source.throttled().catch(() => undefined);
  }

  stats(): LimiterStats {
    return { queued: this.#waiting.length, running: this.#running, ratePerSecond: this.#source.ratePerSecond(), shared: this.#source.shared() };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    const dropped = this.#waiting;
    this.#waiting = [];
    dropped.forEach((waiting) => waiting.cancel(new LimiterStoppedError('the limiter stopped before this call got a token')));
    await this.#source.close();
  }

  #takeAgain(): boolean {
    const again = this.#again;
    this.#again = false;
    return again;
  }

  async #refill(): Promise<void> {
    // One refill at a time; a request during it makes it look again before it ends.
    if (this.#refilling) {
      this.#again = true;
      return;
    }
    this.#refilling = true;
    this.#again = false;
    try {
      do {
        if (this.#waiting.length === 0 || this.#stopped) continue;
        const granted = await this.#source.take(this.#waiting.length);
        // Started in this tick, in arrival order: a token never waits for its call.
        this.#waiting.splice(0, granted).forEach((waiting) => waiting.start());
      } while (this.#takeAgain());
    } catch {
      // A source that failed grants nothing this time; the next tick asks again.
    } finally {
      this.#refilling = false;
    }
  }
}
