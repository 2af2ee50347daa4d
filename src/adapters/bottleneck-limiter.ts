import Bottleneck from 'bottleneck';
import type { Limiter, LimiterStats, QuotaCategory } from '../resilience/limiter.port.ts';

export interface RateSettings {
  /** Calls per second (Cognito meters per second, per account and region). */
  readonly ratePerSecond: number;
  /** Calls that may go at once after a quiet spell. */
  readonly burst: number;
}

/**
 * A token bucket per quota category, on bottleneck's reservoir: it refills by one token at a
 * time up to the burst (a true bucket, not a fixed window), so calls are spread evenly.
 */
export function createBottleneckLimiter(settings: Record<QuotaCategory, RateSettings>): Limiter {
  const buckets = {
    'user-creation': tokenBucket(settings['user-creation']),
    'user-read': tokenBucket(settings['user-read']),
  } satisfies Record<QuotaCategory, Bottleneck>;

  return {
    schedule<T>(category: QuotaCategory, task: () => Promise<T>): Promise<T> {
      return buckets[category].schedule(task);
    },
    throttled(category: QuotaCategory): void {
      // Cognito's bucket is emptier than ours: stop spending the burst we think we have.
      // (updateSettings({ reservoir: 0 }) would also stop the refill for good.)
      void drain(buckets[category]);
    },
    stats(category: QuotaCategory): LimiterStats {
      const counts = buckets[category].counts();
      return {
        queued: counts.RECEIVED + counts.QUEUED,
        running: counts.RUNNING + counts.EXECUTING,
        ratePerSecond: settings[category].ratePerSecond,
      };
    },
    async stop(): Promise<void> {
      await Promise.all(Object.values(buckets).map((bucket) => bucket.stop({ dropWaitingJobs: true }).catch(() => undefined)));
    },
  };
}

async function drain(bucket: Bottleneck): Promise<void> {
  const tokens = await bucket.currentReservoir();
  if (tokens !== null && tokens > 0) await bucket.incrementReservoir(-tokens);
}

function tokenBucket({ ratePerSecond, burst }: RateSettings): Bottleneck {
  // Refill one token per interval, rounding the interval up so the rate is never exceeded;
  // past 100/s refill in steps of 10 ms to keep the timer cheap.
  const intervalMs = ratePerSecond <= 100 ? Math.ceil(1000 / ratePerSecond) : 10;
  const amount = ratePerSecond <= 100 ? 1 : Math.floor((ratePerSecond * intervalMs) / 1000);
  return new Bottleneck({
    // bottleneck adds reservoirIncreaseAmount at most once per heartbeat (250 ms by default),
    // so the heartbeat must tick as often as the bucket refills or the rate silently drops.
    heartbeatInterval: intervalMs,
    reservoir: burst,
    reservoirIncreaseAmount: amount,
    reservoirIncreaseInterval: intervalMs,
    reservoirIncreaseMaximum: burst,
  });
}
