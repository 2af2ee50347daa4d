import Bottleneck from 'bottleneck';
import { LocalTokenSource } from '../resilience/local-token-source.ts';
import type { Limiter, LimiterStats, QuotaCategory } from '../resilience/limiter.port.ts';
import type { TokenSource } from '../resilience/token-source.port.ts';

export interface RateSettings {
  /** Calls per second (Cognito meters per second, per account and region). */
  readonly ratePerSecond: number;
  /** Calls that may go at once after a quiet spell. */
  readonly burst: number;
}

/**
 * The rate limiter in front of every Cognito call, one token bucket per quota category.
 * bottleneck queues the calls (first come, first served) and runs one for each token in its
 * reservoir; a refill loop moves tokens into that reservoir from a TokenSource (a bucket in this
 * process, or one in Redis shared by every replica), asking only for what the queue waits on.
 *
 * bottleneck's own reservoirIncrease is not used: it adds a fixed amount per heartbeat tick and
 * skips ticks that fire a millisecond early by its Date.now() reading, which lost about a fifth
 * of the rate here (40 calls/s for 50 configured), and updateSettings() stopped its refill.
 */
export function createBottleneckLimiter(sources: Record<QuotaCategory, TokenSource>): Limiter {
  const buckets = {
    'user-creation': new FedQueue(sources['user-creation']),
    'user-read': new FedQueue(sources['user-read']),
  } satisfies Record<QuotaCategory, FedQueue>;

  return {
    schedule: (category, task) => buckets[category].schedule(task),
    throttled: (category) => buckets[category].throttled(),
    stats: (category) => buckets[category].stats(),
    async stop(): Promise<void> {
      await Promise.all(Object.values(buckets).map((bucket) => bucket.stop()));
    },
  };
}

/** Local buckets, one per category: the limiter of a single replica. */
export function localTokenSources(settings: Record<QuotaCategory, RateSettings>, now?: () => number): Record<QuotaCategory, TokenSource> {
  return {
    'user-creation': new LocalTokenSource(settings['user-creation'], now),
    'user-read': new LocalTokenSource(settings['user-read'], now),
  };
}

class FedQueue {
  readonly #queue = new Bottleneck({ reservoir: 0 });
  readonly #source: TokenSource;
  readonly #timer: NodeJS.Timeout;
  #refilling = false;
  #again = false;

  constructor(source: TokenSource) {
    this.#source = source;
    // How finely tokens arrive; the rate itself comes from the source's clock.
    const tickMs = Math.min(50, Math.max(5, Math.round(1000 / source.ratePerSecond())));
    this.#timer = setInterval(() => void this.#refill(), tickMs).unref();
  }

  schedule<T>(task: () => Promise<T>): Promise<T> {
    const scheduled = this.#queue.schedule(task);
    // A call that finds tokens waiting should not wait for the next tick.
    void this.#refill();
    return scheduled;
  }

  throttled(): void {
    void this.#source.throttled();
    // Tokens already handed to this queue came from a bucket that was fuller than Cognito's.
    void this.#queue.currentReservoir().then((tokens) => (tokens ? this.#queue.incrementReservoir(-tokens) : undefined));
  }

  stats(): LimiterStats {
    const counts = this.#queue.counts();
    return {
      queued: counts.RECEIVED + counts.QUEUED,
      running: counts.RUNNING + counts.EXECUTING,
      ratePerSecond: this.#source.ratePerSecond(),
      shared: this.#source.shared(),
    };
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#queue.stop({ dropWaitingJobs: true }).catch(() => undefined);
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
        const counts = this.#queue.counts();
        const waiting = counts.RECEIVED + counts.QUEUED;
        const inReservoir = (await this.#queue.currentReservoir()) ?? 0;
        const wanted = waiting - inReservoir;
        if (wanted <= 0) continue;
        const granted = await this.#source.take(wanted);
        if (granted > 0) await this.#queue.incrementReservoir(granted);
      } while (this.#takeAgain());
    } catch {
      // A source that failed grants nothing this time; the next tick asks again.
    } finally {
      this.#refilling = false;
    }
  }
}
