import type { DirectoryOperation } from '../provisioning/directory.port.ts';

/** What the directory calls report: each attempt's result and latency, and each retry. */
export interface CallObserver {
  called(operation: DirectoryOperation, result: string, seconds: number): void;
  retried(operation: DirectoryOperation, errorCode: string): void;
}
