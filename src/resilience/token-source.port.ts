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
