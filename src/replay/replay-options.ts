import type { DeadLetterClass } from '../events/decode-request.ts';
import type { UserProvisioningFailedData } from '../events/schema-types.generated.ts';
import type { ReadRange } from './replay.port.ts';

export type FailureReason = UserProvisioningFailedData['reason'];
/** The classes decoding gives, and the pipeline's own for a bug met while provisioning. */
export type ErrorClass = DeadLetterClass | 'processing-error';

// Records, not arrays: the compiler then insists on every member of the unions, so a new
// reason or class cannot be left out of what the flags accept.
const REASONS: Record<FailureReason, true> = {
  'invalid-event': true,
  'pool-not-allowed': true,
  rejected: true,
  conflict: true,
  'retries-exhausted': true,
  'limit-exceeded': true,
};
const ERROR_CLASSES: Record<ErrorClass, true> = {
  oversized: true,
  'empty-value': true,
  'invalid-utf8': true,
  'not-json': true,
  'not-a-cloudevent': true,
  'missing-id': true,
  'wrong-type': true,
  'processing-error': true,
};
export const FAILURE_REASONS = Object.keys(REASONS) as readonly FailureReason[];
export const ERROR_CLASS_NAMES = Object.keys(ERROR_CLASSES) as readonly ErrorClass[];

export type ReplayFrom = 'failed' | 'dlq';

export interface ReplayOptions {
  readonly from: ReplayFrom;
  /** Only failed events with one of these reasons; empty: any. */
  readonly reasons: ReadonlySet<FailureReason>;
  /** Only dead letters of one of these classes; empty: any. */
  readonly errorClasses: ReadonlySet<ErrorClass>;
  /** Only these request ids; empty: any. */
  readonly requestIds: ReadonlySet<string>;
  /** The part of the failed or dead-letter topic to read. */
  readonly range: ReadRange;
  /** Stop after this many matching messages. */
  readonly limit: number | undefined;
  readonly dryRun: boolean;
}

export interface ReplayTopics {
  /** Where requests are sent again. */
  readonly requested: string;
  readonly failed: string;
  readonly dlq: string;
}
