import type { CallBudget, DirectoryCalls } from '../../../src/provisioning/directory-calls.port.ts';
import type { DirectoryOperation } from '../../../src/provisioning/directory.port.ts';

/**
 * DirectoryCalls without rate limit or retry: each call goes straight through once, counted in
 * the budget like the real one counts it. A transient failure therefore ends the request at once.
 */
export class InlineCalls implements DirectoryCalls {
  readonly operations: DirectoryOperation[] = [];

  async run<T>(operation: DirectoryOperation, call: (signal: AbortSignal | undefined) => Promise<T>, budget: CallBudget): Promise<T> {
    this.operations.push(operation);
    budget.attempts++;
    return call(undefined);
  }
}
