import { DEAD_LETTER_HEADERS } from '../../src/events/dead-letter.ts';
import { encodeOutcome } from '../../src/events/encode-outcome.ts';
import type { InboundMessage, MessageOrigin } from '../../src/events/message.ts';
import type { Outcome } from '../../src/provisioning/outcome.ts';
import type { ReplayOptions } from '../../src/replay/replay-options.ts';
import { POOL, TRACEPARENT } from './builders.ts';

// Builders for the replay tests: the messages replay reads (requests, failed events, dead
// letters) as the service and producers write them.

export const TOPICS = { requested: 'user-requested', failed: 'user-provisioning-failed', dlq: 'user-requested.dlq' } as const;
export const PASSWORD = 'Tmp-Replay-Secret-9q!';

export function options(overrides: Partial<ReplayOptions> = {}): ReplayOptions {
  return {
    from: 'failed',
    reasons: new Set(),
    errorClasses: new Set(),
    requestIds: new Set(),
    range: { partition: undefined, fromOffset: undefined, toOffset: undefined },
    limit: undefined,
    dryRun: false,
    ...overrides,
  };
}

/** A structured user.requested.v1 message as a producer sends it, password and all. */
export function requestMessage(id: string, username = `user-${id}`): Pick<InboundMessage, 'key' | 'value' | 'headers'> {
  const event = { specversion: '1.0', id, source: 'urn:hr', type: 'user.requested.v1', data: { username, temporaryPassword: PASSWORD } };
  return {
    key: Buffer.from(username),
    value: Buffer.from(JSON.stringify(event)),
    headers: { 'content-type': Buffer.from('application/cloudevents+json'), traceparent: Buffer.from(TRACEPARENT) },
  };
}

/** The failed event the service publishes for a request read at `source`. */
export function failedEventMessage(requestId: string, source: MessageOrigin, reason: 'retries-exhausted' | 'rejected' = 'retries-exhausted', username = `user-${requestId}`) {
  const outcome: Outcome = reason === 'rejected'
    ? { kind: 'rejected', userPoolId: POOL, errorCode: 'InvalidPasswordException', message: 'no', attempts: 1 }
    : { kind: 'retries_exhausted', userPoolId: POOL, errorCode: 'InternalErrorException', message: 'boom', attempts: 3 };
  const { message } = encodeOutcome(outcome, { requestId, username, traceparent: undefined, key: Buffer.from(username), origin: source });
  return { key: message.key, value: Buffer.from(message.value ?? ''), headers: { 'content-type': Buffer.from('application/cloudevents+json; charset=utf-8') } };
}

/** A dead letter as the service writes it: the message unchanged plus the dlq-* headers. */
export function deadLetterMessage(original: Pick<InboundMessage, 'key' | 'value' | 'headers'>, errorClass: string, source: MessageOrigin) {
  return {
    ...original,
    headers: {
      ...original.headers,
      [DEAD_LETTER_HEADERS.topic]: Buffer.from(source.topic),
      [DEAD_LETTER_HEADERS.partition]: Buffer.from(String(source.partition)),
      [DEAD_LETTER_HEADERS.offset]: Buffer.from(source.offset),
      [DEAD_LETTER_HEADERS.errorClass]: Buffer.from(errorClass),
      [DEAD_LETTER_HEADERS.errorMessage]: Buffer.from('why'),
    },
  };
}
