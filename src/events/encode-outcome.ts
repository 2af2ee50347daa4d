import { createHash } from 'node:crypto';
import type { Outcome } from '../provisioning/outcome.ts';
import type { Violation } from '../provisioning/request.ts';
import type { MessageOrigin, OutboundMessage } from './message.ts';
import type {
  UserCreatedEvent,
  UserProvisioningFailedData,
  UserProvisioningFailedEvent,
} from './schema-types.generated.ts';

export const SERVICE_SOURCE = 'urn:user-provisioner';
export const CREATED_TYPE = 'user.created.v1';
export const FAILED_TYPE = 'user.provisioning-failed.v1';

/** What the outcome answers: the request and the message that carried it. */
export interface OutcomeContext {
  readonly requestId: string;
  readonly username: string | undefined;
  readonly traceparent: string | undefined;
  readonly key: Buffer | null;
  readonly origin: MessageOrigin;
}

export type OutcomeEvent =
  | { readonly topic: 'created'; readonly event: UserCreatedEvent; readonly message: OutboundMessage }
  | { readonly topic: 'failed'; readonly event: UserProvisioningFailedEvent; readonly message: OutboundMessage };

/** Turns an outcome into its CloudEvent (structured mode), keyed like the request. */
export function encodeOutcome(outcome: Outcome, context: OutcomeContext): OutcomeEvent {
  if (outcome.kind === 'created' || outcome.kind === 'already_existed') {
    const { user } = outcome;
    const event: UserCreatedEvent = {
      specversion: '1.0',
      id: outcomeId(context.requestId, CREATED_TYPE),
      source: SERVICE_SOURCE,
      type: CREATED_TYPE,
      subject: user.username,
      // The occurrence is the creation: a replayed answer carries the same time.
      time: user.createdAt,
      datacontenttype: 'application/json',
      ...(context.traceparent !== undefined ? { traceparent: context.traceparent } : {}),
      data: {
        requestId: context.requestId,
        userPoolId: outcome.userPoolId,
        username: user.username,
        ...(context.username !== undefined ? { requestedUsername: context.username } : {}),
        sub: user.sub,
        userStatus: user.userStatus,
        enabled: user.enabled,
        attributes: { ...user.attributes },
        createdAt: user.createdAt,
        ...(user.lastModifiedAt !== undefined ? { lastModifiedAt: user.lastModifiedAt } : {}),
        alreadyExisted: outcome.kind === 'already_existed',
        ...(outcome.invitationDelivered === false ? { invitationDelivered: false } : {}),
      },
    };
    return { topic: 'created', event, message: toMessage(event, context) };
  }

  const event: UserProvisioningFailedEvent = {
    specversion: '1.0',
    id: outcomeId(context.requestId, FAILED_TYPE),
    source: SERVICE_SOURCE,
    type: FAILED_TYPE,
    ...(context.username !== undefined ? { subject: context.username } : {}),
    datacontenttype: 'application/json',
    ...(context.traceparent !== undefined ? { traceparent: context.traceparent } : {}),
    data: {
      requestId: context.requestId,
      ...(outcome.userPoolId !== undefined ? { userPoolId: outcome.userPoolId } : {}),
      ...(context.username !== undefined ? { username: context.username, requestedUsername: context.username } : {}),
      ...failureDetails(outcome),
      source: { topic: context.origin.topic, partition: context.origin.partition, offset: context.origin.offset },
    },
  };
  return { topic: 'failed', event, message: toMessage(event, context) };
}

type FailureDetails = Pick<UserProvisioningFailedData, 'reason' | 'errorCode' | 'message' | 'retryable' | 'attempts' | 'violations'>;

function failureDetails(outcome: Exclude<Outcome, { kind: 'created' | 'already_existed' }>): FailureDetails {
  switch (outcome.kind) {
    case 'invalid':
      return {
        reason: 'invalid-event',
        errorCode: outcome.violations[0]?.rule ?? 'invalid',
        message: describeViolations(outcome.violations),
        retryable: false,
        attempts: 0,
        violations: outcome.violations.map(({ field, rule, message }) => ({ field, rule, message })),
      };
    case 'pool_not_allowed':
      return {
        reason: 'pool-not-allowed',
        errorCode: 'pool-not-allowed',
        message: `user pool ${outcome.userPoolId} is not in ALLOWED_USER_POOL_IDS; no call was made`,
        retryable: false,
        attempts: 0,
      };
    case 'rejected':
      return { reason: 'rejected', errorCode: outcome.errorCode, message: outcome.message, retryable: false, attempts: outcome.attempts };
    case 'conflict':
      return {
        reason: 'conflict',
        errorCode: 'UsernameExistsException',
        message: `the username is taken by a user whose attributes differ from the request: ${outcome.differingAttributes.join(', ')}`,
        retryable: false,
        attempts: outcome.attempts,
      };
    case 'retries_exhausted':
      return {
        reason: 'retries-exhausted',
        errorCode: outcome.errorCode,
        message: `gave up after ${outcome.attempts} attempts: ${outcome.message}`,
        retryable: true,
        attempts: outcome.attempts,
      };
    case 'limit_exceeded':
      return {
        reason: 'limit-exceeded',
        errorCode: outcome.errorCode,
        message: `a Cognito limit was reached (with Cognito's default email sender, the daily email cap); not retried, send the request again once it is lifted: ${outcome.message}`,
        retryable: true,
        attempts: outcome.attempts,
      };
  }
}

function describeViolations(violations: readonly Violation[]): string {
  return `the request breaks ${violations.length === 1 ? 'a rule' : `${violations.length} rules`}: ${violations.map((v) => `${v.field} ${v.message}`).join('; ')}`;
}

function toMessage(event: UserCreatedEvent | UserProvisioningFailedEvent, context: OutcomeContext): OutboundMessage {
  return {
    key: context.key,
    value: JSON.stringify(event),
    headers: {
      'content-type': 'application/cloudevents+json; charset=utf-8',
      ...(context.traceparent !== undefined ? { traceparent: context.traceparent } : {}),
    },
  };
}

const OUTCOME_NAMESPACE = Buffer.from('4d6f1c1e6b2a4f0e9a51c3a7f0b2d8e1', 'hex');

/** A UUID (version 5) of the request id and the outcome type: the same answer has the same id. */
export function outcomeId(requestId: string, type: string): string {
  const hash = createHash('sha1').update(OUTCOME_NAMESPACE).update(`${type}\n${requestId}`).digest();
  // RFC 9562: the version (5) in the high nibble of byte 6, the variant (0b10) in the top bits of byte 8.
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
