import { randomUUID } from 'node:crypto';
import type { UserCreatedEvent, UserProvisioningFailedEvent, UserRequestedData } from '../../src/events/schema-types.generated.ts';
import type { OutgoingMessage } from './kafka-test-client.ts';

export type { UserCreatedEvent, UserProvisioningFailedEvent };

/** A user.requested.v1 event; `data` is merged over a minimal valid request. */
export function requestEvent(data: Partial<UserRequestedData> & Record<string, unknown>, attributes: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: 'urn:test:hr',
    type: 'user.requested.v1',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    ...attributes,
    data: { username: `user-${randomUUID().slice(0, 8)}`, messageAction: 'SUPPRESS', ...data },
  };
}

/** Structured mode: the whole event is the value. */
export function structured(event: { data: { username?: unknown } } & Record<string, unknown>, key?: string): OutgoingMessage {
  return {
    key: key ?? (typeof event.data.username === 'string' ? event.data.username : null),
    value: JSON.stringify(event),
    headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' },
  };
}

/** Binary mode: attributes as ce_* headers, data as the value. */
export function binary(event: { data: unknown } & Record<string, unknown>, key: string): OutgoingMessage {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(event)) {
    if (name !== 'data' && name !== 'datacontenttype' && typeof value === 'string') headers[`ce_${name}`] = value;
  }
  return { key, value: JSON.stringify(event.data), headers };
}
