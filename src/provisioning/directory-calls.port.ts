import type { DirectoryOperation } from './directory.port.ts';

/** Counts the directory calls made for one request, across retries and operations. */
export interface CallBudget {
  attempts: number;
  readonly startedAt: number;
}

/**
 * Runs directory calls under the rate limit, retrying transient failures within the budget.
 * Rejects with the DirectoryError that ended the attempts: permanent or systemic at once,
 * transient once the budget is spent.
 */
export interface DirectoryCalls {
  /** `signal` hands the call back (shutdown, a revoked partition): waits and retries end, rejecting with its reason. */
  run<T>(operation: DirectoryOperation, call: (signal: AbortSignal | undefined) => Promise<T>, budget: CallBudget, signal?: AbortSignal): Promise<T>;
}
