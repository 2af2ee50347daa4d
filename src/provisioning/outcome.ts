import type { DirectoryUser } from './directory.port.ts';
import type { Violation } from './request.ts';

/** How a request ended. Every request ends in exactly one of these. */
export type Outcome =
  | { readonly kind: 'created'; readonly userPoolId: string; readonly user: DirectoryUser; readonly attempts: number }
  | { readonly kind: 'already-existed'; readonly userPoolId: string; readonly user: DirectoryUser; readonly attempts: number }
  | { readonly kind: 'invalid'; readonly userPoolId: string | undefined; readonly violations: readonly Violation[] }
  | { readonly kind: 'pool-not-allowed'; readonly userPoolId: string }
  | { readonly kind: 'rejected'; readonly userPoolId: string; readonly errorCode: string; readonly message: string; readonly attempts: number }
  | { readonly kind: 'conflict'; readonly userPoolId: string; readonly differingAttributes: readonly string[]; readonly attempts: number }
  | { readonly kind: 'retries-exhausted'; readonly userPoolId: string; readonly errorCode: string; readonly message: string; readonly attempts: number };

export type OutcomeKind = Outcome['kind'];

export function isSuccess(outcome: Outcome): outcome is Extract<Outcome, { user: DirectoryUser }> {
  return outcome.kind === 'created' || outcome.kind === 'already-existed';
}
