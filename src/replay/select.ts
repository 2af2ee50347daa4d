// Which messages of the failed or dead-letter topic are sent again, and as what. Pure: the
// use case (./replay.ts) does the reading, fetching and sending.
import { DEAD_LETTER_HEADERS } from '../events/dead-letter.ts';
import { definedHeaders, headerText, type InboundMessage, type MessageOrigin, type OutboundMessage } from '../events/message.ts';
import type { UserProvisioningFailedEvent } from '../events/schema-types.generated.ts';
import type { ReplayOptions } from './replay-options.ts';
import { peekRequestId } from './request-id.ts';

/** What a report line says about one matching message. Never its value. */
export interface Candidate {
  readonly requestId: string | undefined;
  readonly key: Buffer | null;
  /** The failure reason or the dead-letter class. */
  readonly cause: string;
  /** The failed event or dead letter that was read. */
  readonly via: MessageOrigin;
  /** Where the request was consumed from, when known. */
  readonly source: MessageOrigin | undefined;
}

export type SkipReason = 'unreadable' | 'not-a-dead-letter' | 'original-gone' | 'original-mismatch' | 'duplicate';

export type Selection =
  | { readonly kind: 'ignored' }
  | { readonly kind: 'skip'; readonly candidate: Candidate; readonly why: SkipReason }
  /** A failed event: the request itself must be read back from its source. */
  | { readonly kind: 'fetch'; readonly candidate: Candidate & { readonly requestId: string; readonly source: MessageOrigin } }
  /** A dead letter: it is the request. */
  | { readonly kind: 'send'; readonly candidate: Candidate; readonly message: OutboundMessage };

type Filters = Pick<ReplayOptions, 'reasons' | 'errorClasses' | 'requestIds'>;

/**
 * A failed event names its request (data.requestId) and where it was read (data.source), but
 * never carries it: it would carry the temporary password.
 */
export function selectFailed(message: InboundMessage, filters: Filters, isFailedEvent: (event: unknown) => event is UserProvisioningFailedEvent): Selection {
  const via = originOf(message);
  const event = parseJson(message.value);
  const requestId = isFailedEvent(event) ? event.data.requestId : undefined;
  // Not ours, or not what this version writes: say so rather than guess what it asks for.
  if (!isFailedEvent(event) || requestId === undefined) {
    return { kind: 'skip', candidate: { requestId: undefined, key: message.key, cause: 'unknown', via, source: undefined }, why: 'unreadable' };
  }
  const { data } = event;
  if (filters.reasons.size > 0 && !filters.reasons.has(data.reason)) return { kind: 'ignored' };
  if (filters.requestIds.size > 0 && !filters.requestIds.has(requestId)) return { kind: 'ignored' };
  return {
    kind: 'fetch',
    candidate: { requestId, key: message.key, cause: data.reason, via, source: { ...data.source } },
  };
}

/** A dead letter is the input message unchanged plus dlq-* headers; those are taken off again. */
export function selectDeadLetter(message: InboundMessage, filters: Filters): Selection {
  const errorClass = headerText(message.headers, DEAD_LETTER_HEADERS.errorClass);
  const candidate: Candidate = {
    requestId: peekRequestId(message),
    key: message.key,
    cause: errorClass ?? 'unknown',
    via: originOf(message),
    source: deadLetterSource(message),
  };
  if (filters.errorClasses.size > 0 && (errorClass === undefined || !(filters.errorClasses as ReadonlySet<string>).has(errorClass))) {
    return { kind: 'ignored' };
  }
  if (filters.requestIds.size > 0 && (candidate.requestId === undefined || !filters.requestIds.has(candidate.requestId))) {
    return { kind: 'ignored' };
  }
  if (errorClass === undefined) return { kind: 'skip', candidate, why: 'not-a-dead-letter' };
  return { kind: 'send', candidate, message: withoutDeadLetterHeaders(message) };
}

/** The message as it was first produced: key, value and headers, minus what the DLQ added. */
export function withoutDeadLetterHeaders(message: InboundMessage): OutboundMessage {
  const added = new Set<string>(Object.values(DEAD_LETTER_HEADERS));
  return { key: message.key, value: message.value, headers: definedHeaders(message.headers, (name) => !added.has(name)) };
}

/** An original request as it was read: nothing added, nothing taken off. */
export function unchanged(message: InboundMessage): OutboundMessage {
  return { key: message.key, value: message.value, headers: definedHeaders(message.headers) };
}

function deadLetterSource(message: InboundMessage): MessageOrigin | undefined {
  const topic = headerText(message.headers, DEAD_LETTER_HEADERS.topic);
  const partition = headerText(message.headers, DEAD_LETTER_HEADERS.partition);
  const offset = headerText(message.headers, DEAD_LETTER_HEADERS.offset);
  if (topic === undefined || partition === undefined || offset === undefined) return undefined;
  if (!/^\d+$/.test(partition) || !/^\d+$/.test(offset)) return undefined;
  return { topic, partition: Number(partition), offset };
}

function originOf(message: InboundMessage): MessageOrigin {
  return { topic: message.topic, partition: message.partition, offset: message.offset };
}

function parseJson(value: Buffer | null): unknown {
  if (value === null) return undefined;
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}
