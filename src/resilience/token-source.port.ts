/**
 * Where rate-limiter tokens come from: a bucket in this process, or one shared by every replica.
 * The limiter asks only for what its queue is waiting on.
 */
export interface TokenSource {
  /** Takes up to `wanted` tokens; resolves how many were granted (0 when the bucket is empty). */
  take(wanted: number): Promise<number>;
  /** Cognito answered TooManyRequests: the quota is smaller than the bucket believed. */
  throttled(): Promise<void>;
  /** The rate currently allowed. */
  ratePerSecond(): number;
  /** True while the tokens come from a bucket shared by all replicas. */
  shared(): boolean;
  close(): Promise<void>;
}

/** How a bucket's rate answers throttles, the same for every source: cut at once, climb back slowly. */
export interface RateAdaptation {
  /** The rate never drops below this share of the ceiling. */
  readonly floorFraction: number;
  /** Each throttle multiplies the rate by this. */
  readonly decreaseFactor: number;
  /** Throttles this close together count once: the calls already in flight meet the same full bucket. */
  readonly cooldownMs: number;
  /** The climb is linear, ceilingPerSecond / recoverySeconds per second. */
  readonly recoverySeconds: number;
}
