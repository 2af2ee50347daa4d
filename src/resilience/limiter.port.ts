/** Cognito meters operations by category: creation (AdminCreateUser, SignUp) and reads. */
export const QUOTA_CATEGORIES = ['user-creation', 'user-read'] as const;
export type QuotaCategory = (typeof QUOTA_CATEGORIES)[number];

/** One value for each quota category. */
export function perQuotaCategory<T>(make: (category: QuotaCategory) => T): Record<QuotaCategory, T> {
  return Object.fromEntries(QUOTA_CATEGORIES.map((category) => [category, make(category)])) as Record<QuotaCategory, T>;
}

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
  /** Runs the task once a token is granted; rejects with the signal's reason if it aborts while the task waits for its token. */
  schedule<T>(category: QuotaCategory, task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Cognito answered TooManyRequests: the quota is smaller than the limiter believed. */
  throttled(category: QuotaCategory): void;
  stats(category: QuotaCategory): LimiterStats;
  stop(): Promise<void>;
}
