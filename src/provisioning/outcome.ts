import type { DirectoryUser } from './directory.port.ts';
import type { Violation } from './request.ts';

/**
 * How a request ended. Every request ends in exactly one of these. Kinds are spelled like the
 * outcome labels of the metrics (already_existed); the failed event's reason is mapped from them.
 * `invitationDelivered: false`: Cognito holds the user but could not deliver its invitation.
 */
export type Outcome =
  | { readonly kind: 'created'; readonly userPoolId: string; readonly user: DirectoryUser; readonly attempts: number; readonly invitationDelivered?: false }
  | { readonly kind: 'already_existed'; readonly userPoolId: string; readonly user: DirectoryUser; readonly attempts: number; readonly invitationDelivered?: false }
  | { readonly kind: 'invalid'; readonly userPoolId: string | undefined; readonly violations: readonly Violation[] }
  | { readonly kind: 'pool_not_allowed'; readonly userPoolId: string }
  | { readonly kind: 'rejected'; readonly userPoolId: string; readonly errorCode: string; readonly message: string; readonly attempts: number }
  | { readonly kind: 'conflict'; readonly userPoolId: string; readonly differingAttributes: readonly string[]; readonly attempts: number }
  | { readonly kind: 'retries_exhausted'; readonly userPoolId: string; readonly errorCode: string; readonly message: string; readonly attempts: number }
  | { readonly kind: 'limit_exceeded'; readonly userPoolId: string; readonly errorCode: string; readonly message: string; readonly attempts: number };
