import Bottleneck from 'bottleneck';
import { AdaptiveRate, DEFAULT_ADAPTATION } from '../resilience/adaptive-rate.ts';
import type { Limiter, LimiterStats, QuotaCategory } from '../resilience/limiter.port.ts';

export interface RateSettings {
  /** Calls per second (Cognito meters per second, per account and region). */
  readonly ratePerSecond: number;
  /** Calls that may go at once after a quiet spell. */
  readonly burst: number;
}

export interface LimiterOptions {
  /** A monotonic clock in milliseconds; tests pass a fake one. */
  readonly now?: () => number;
}

/**
 * A token bucket per quota category. bottleneck queues the calls (first come, first served) and
 * runs one whenever its reservoir holds a token; this file refills that reservoir from the
 * elapsed time, up to the burst, at the rate AdaptiveRate allows.
 *
 * bottleneck's own reservoirIncrease is not used: it adds a fixed amount per heartbeat tick and
 * skips ticks that fire a millisecond early by its Date.now() reading, which lost about a fifth
 * of the rate here (40 calls/s for 50 configured), and updateSettings() stopped its refill.
 */
export function createBottleneckLimiter(settings: Record<QuotaCategory, RateSettings>, options: LimiterOptions = {}): Limiter {
  const now = options.now ?? (() => performance.now());
  const buckets = {
    'user-creation': new RefilledBucket(settings['user-creation'], now),
    'user-read': new RefilledBucket(settings['user-read'], now),
  } satisfies Record<QuotaCategory, RefilledBucket>;

  return {
    schedule: (category, task) => buckets[category].schedule(task),
    throttled: (category) => buckets[category].throttled(),
    stats: (category) => buckets[category].stats(),
    async stop(): Promise<void> {
      await Promise.all(Object.values(buckets).map((bucket) => bucket.stop()));
    },
  };
}

class RefilledBucket {
  readonly #queue: Bottleneck;
  readonly #rate: AdaptiveRate;
  readonly #burst: number;
  readonly #now: () => number;
  readonly #timer: NodeJS.Timeout;
  #refilledAt: number;
  /** Earned but not yet whole tokens. */
  #fraction = 0;
  #refilling = false;

  constructor({ ratePerSecond, burst }: RateSettings, now: () => number) {
    this.#now = now;
    this.#burst = burst;
    this.#refilledAt = now();
    this.#rate = new AdaptiveRate({ ceilingPerSecond: ratePerSecond, ...DEFAULT_ADAPTATION }, this.#refilledAt);
    this.#queue = new Bottleneck({ reservoir: burst });
    // The tick only sets how finely tokens arrive; the rate comes from the elapsed time.
    const tickMs = Math.min(50, Math.max(5, Math.round(1000 / ratePerSecond)));
    this.#timer = setInterval(() => void this.#refill(), tickMs).unref();
  }

  schedule<T>(task: () => Promise<T>): Promise<T> {
    return this.#queue.schedule(task);
  }

  throttled(): void {
    this.#rate.throttled(this.#now());
    // Cognito's bucket is emptier than ours: stop spending the burst we think we have.
    this.#fraction = 0;
    void this.#queue.currentReservoir().then((tokens) => (tokens ? this.#queue.incrementReservoir(-tokens) : undefined));
  }

  stats(): LimiterStats {
    const counts = this.#queue.counts();
    return { queued: counts.RECEIVED + counts.QUEUED, running: counts.RUNNING + counts.EXECUTING, ratePerSecond: this.#rate.current(this.#now()) };
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#queue.stop({ dropWaitingJobs: true }).catch(() => undefined);
  }

  async #refill(): Promise<void> {
    if (this.#refilling) return;
    this.#refilling = true;
    try {
      const now = this.#now();
      const earned = this.#fraction + (this.#rate.current(now) * (now - this.#refilledAt)) / 1000;
      this.#refilledAt = now;
      const whole = Math.floor(earned);
      this.#fraction = earned - whole;
      if (whole === 0) return;
      const tokens = (await this.#queue.currentReservoir()) ?? 0;
      const room = this.#burst - tokens;
      // Tokens beyond the burst are lost, as in any bucket.
      if (room <= 0) this.#fraction = 0;
      else await this.#queue.incrementReservoir(Math.min(whole, room));
    } finally {
      this.#refilling = false;
    }
  }
}
