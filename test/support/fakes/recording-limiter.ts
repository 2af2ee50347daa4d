import type { Limiter, LimiterStats, QuotaCategory } from '../../../src/resilience/limiter.port.ts';

/** A limiter that never waits: it runs every task at once and records what it was told. */
export class RecordingLimiter implements Limiter {
  readonly scheduled: QuotaCategory[] = [];
  readonly throttles: QuotaCategory[] = [];
  stopped = false;

  schedule<T>(category: QuotaCategory, task: () => Promise<T>): Promise<T> {
    this.scheduled.push(category);
    return task();
  }

  throttled(category: QuotaCategory): void {
    this.throttles.push(category);
  }

  stats(): LimiterStats {
    return { queued: 0, running: 0, ratePerSecond: Number.POSITIVE_INFINITY, shared: false };
  }

  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }
}
