import { characterCount } from '../provisioning/characters.ts';
import { MAX_USERNAME_CHARACTERS } from '../provisioning/check-request.ts';
import type { ProvisionRequest, Violation } from '../provisioning/request.ts';
import { Secret } from '../provisioning/secret.ts';
import { headerText, messageSize, type Headers, type InboundMessage } from './message.ts';
import type { UserRequestedData, UserRequestedEvent } from './schema-types.generated.ts';
import type { EventValidators } from './schemas.ts';
import { quotable, toViolations } from './violations.ts';

export const REQUESTED_TYPE = 'user.requested.v1';

/** Why a message could not be read as a request event at all: it becomes a dead letter. */
export type DeadLetterClass =
  | 'oversized'
  | 'empty-value'
  | 'invalid-utf8'
  | 'not-json'
  | 'not-a-cloudevent'
  | 'missing-id'
  | 'wrong-type';

export type CloudEventsMode = 'structured' | 'binary';

export type Decoded =
  | { readonly kind: 'request'; readonly mode: CloudEventsMode; readonly request: ProvisionRequest }
  | {
      readonly kind: 'invalid';
      readonly mode: CloudEventsMode;
      readonly requestId: string;
      readonly userPoolId: string | undefined;
      readonly username: string | undefined;
      readonly traceparent: string | undefined;
      readonly violations: readonly Violation[];
    }
  | { readonly kind: 'dead-letter'; readonly mode: CloudEventsMode | 'unknown'; readonly errorClass: DeadLetterClass; readonly message: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a Kafka message as a user.requested.v1 CloudEvent, in either Kafka binding mode.
 * Anything with a request id and the right type is answered (as a request or an invalid
 * event); anything else is a dead letter. Never throws on input.
 */
export function createRequestDecoder(deps: { validators: EventValidators; maxMessageBytes: number }) {
  const { validators, maxMessageBytes } = deps;

  return function decode(message: InboundMessage): Decoded {
    const size = messageSize(message);
    if (size > maxMessageBytes) {
      return deadLetter('unknown', 'oversized', `the message is ${size} bytes, over the limit of ${maxMessageBytes}`);
    }
    const mode: CloudEventsMode = headerText(message.headers, 'ce_specversion') !== undefined ? 'binary' : 'structured';
    if (message.value === null || message.value.length === 0) {
      return deadLetter(mode, 'empty-value', 'the message has no value');
    }
    let text: string;
    try {
      text = utf8.decode(message.value);
    } catch {
      return deadLetter(mode, 'invalid-utf8', 'the message value is not valid UTF-8');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The parser's own message quotes the input, which may hold a password.
      return deadLetter(mode, 'not-json', 'the message value is not valid JSON');
    }
    const event = mode === 'binary' ? fromBinary(message.headers, parsed) : fromStructured(message.headers, parsed);
    if (typeof event === 'string') return deadLetter(mode, 'not-a-cloudevent', event);
    if (typeof event['id'] !== 'string' || event['id'] === '') {
      return deadLetter(mode, 'missing-id', 'the event has no id (a non-empty string)');
    }
    if (event['type'] !== REQUESTED_TYPE) {
      return deadLetter(mode, 'wrong-type', `the event type is not ${REQUESTED_TYPE}`);
    }
    if (!validators.requested(event)) {
      const data = isObject(event['data']) ? event['data'] : {};
      // The failed event echoes these: an id past the schema's length is cut (marked "…"),
      // and a username or pool id too long to be one is not passed on at all.
      return {
        kind: 'invalid',
        mode,
        requestId: quotable(event['id']),
        userPoolId: stringUpTo(data['userPoolId'], MAX_USER_POOL_ID_CHARACTERS),
        username: stringUpTo(data['username'], MAX_USERNAME_CHARACTERS),
        traceparent: validTraceparent(event['traceparent']) ?? validTraceparent(headerText(message.headers, 'traceparent')),
        violations: toViolations(validators.requested.errors ?? []),
      };
    }
    // The trace context may also come the plain W3C way, as a Kafka header.
    return { kind: 'request', mode, request: toRequest(event, validTraceparent(headerText(message.headers, 'traceparent'))) };
  };
}

function deadLetter(mode: CloudEventsMode | 'unknown', errorClass: DeadLetterClass, message: string): Decoded {
  return { kind: 'dead-letter', mode, errorClass, message };
}

/** Structured mode: the value is the whole event. */
function fromStructured(headers: Headers, parsed: unknown): Record<string, unknown> | string {
  const contentType = headerText(headers, 'content-type');
  const mediaType = contentType === undefined ? undefined : essence(contentType);
  const declared = mediaType === 'application/cloudevents+json';
  if (mediaType !== undefined && !declared && mediaType !== 'application/json') {
    // Not quoted: the header is input, and the dead letter keeps it anyway.
    return 'the content-type is neither a CloudEvent nor JSON';
  }
  if (!isObject(parsed)) return 'the message value is not a JSON object';
  if (!declared && !('specversion' in parsed)) return 'the JSON object has no specversion: not a CloudEvent';
  return parsed;
}

/** The media type without its parameters, as RFC 9110 compares it: `Application/JSON; charset=utf-8` is JSON. */
function essence(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/** Binary mode: the attributes are ce_* headers and the value is the data. */
function fromBinary(headers: Headers, data: unknown): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const name of Object.keys(headers)) {
    if (!name.startsWith('ce_')) continue;
    const value = headerText(headers, name);
    if (value !== undefined) event[name.slice(3)] = value;
  }
  const contentType = headerText(headers, 'content-type');
  if (contentType !== undefined) event['datacontenttype'] = contentType;
  event['data'] = data;
  return event;
}

function toRequest(event: UserRequestedEvent, headerTraceparent: string | undefined): ProvisionRequest {
  const data: UserRequestedData = event.data;
  return {
    requestId: event.id,
    userPoolId: data.userPoolId,
    username: data.username,
    attributes: data.attributes ?? {},
    validationData: data.validationData ?? {},
    clientMetadata: data.clientMetadata ?? {},
    temporaryPassword: data.temporaryPassword === undefined ? undefined : new Secret(data.temporaryPassword),
    forceAliasCreation: data.forceAliasCreation,
    messageAction: data.messageAction,
    desiredDeliveryMediums: data.desiredDeliveryMediums,
    traceparent: event.traceparent ?? headerTraceparent,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** An invalid event's traceparent is passed on only when it is well formed. */
function validTraceparent(value: unknown): string | undefined {
  return typeof value === 'string' && TRACEPARENT.test(value) ? value : undefined;
}

// The pool id's limit in schemas/user.requested.v1.json (AdminCreateUser's UserPoolId), in characters.
const MAX_USER_POOL_ID_CHARACTERS = 55;

function stringUpTo(value: unknown, maxCharacters: number): string | undefined {
  if (typeof value !== 'string' || value.length > 2 * maxCharacters) return undefined;
  return characterCount(value) <= maxCharacters ? value : undefined;
}
