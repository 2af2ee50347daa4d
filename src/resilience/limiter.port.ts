/** Cognito meters operations by category: creation (AdminCreateUser, SignUp) and reads. */
export type QuotaCategory = 'user-creation' | 'user-read';

export interface LimiterStats {
  /** Calls waiting for a token. */
  readonly queued: number;
  /** Calls that took a token and have not finished. */
  readonly running: number;
  /** The rate currently allowed. */
  readonly ratePerSecond: number;
  /** True while the quota is shared with the other replicas through Redis. */
  readonly shared: boolean;
}

/** A rate limiter in front of every directory call. */
export interface Limiter {
  schedule<T>(category: QuotaCategory, task: () => Promise<T>): Promise<T>;
  /** Cognito answered TooManyRequests: the quota is smaller than the limiter believed. */
  throttled(category: QuotaCategory): void;
  stats(category: QuotaCategory): LimiterStats;
  stop(): Promise<void>;
}
