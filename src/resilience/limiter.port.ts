/** Cognito meters operations by category: creation (AdminCreateUser, SignUp) and reads. */
export type QuotaCategory = 'user-creation' | 'user-read';

/** A rate limiter in front of every directory call. */
export interface Limiter {
  schedule<T>(category: QuotaCategory, task: () => Promise<T>): Promise<T>;
  /** Cognito answered TooManyRequests: the quota is smaller than the limiter believed. */
  throttled(category: QuotaCategory): void;
  stop(): Promise<void>;
}
