import type { InboundMessage } from '../../src/events/message.ts';
import type { NewUser } from '../../src/provisioning/directory.port.ts';
import type { ProvisionRequest } from '../../src/provisioning/request.ts';

// Small builders for the values the unit tests pass around. Each gives a valid value that a
// test then bends in the one way it is about.

export const POOL = 'us-east-1_Example1';
export const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

export function aRequest(overrides: Partial<ProvisionRequest> = {}): ProvisionRequest {
  return {
    requestId: 'req-1',
    userPoolId: POOL,
    username: 'jdoe',
    attributes: { email: 'jdoe@example.com', given_name: 'Jane' },
    validationData: {},
    clientMetadata: {},
    temporaryPassword: undefined,
    forceAliasCreation: undefined,
    messageAction: 'SUPPRESS',
    desiredDeliveryMediums: undefined,
    traceparent: undefined,
    ...overrides,
  };
}

/** AdminCreateUser's parameters with nothing optional set; SUPPRESS, so that a real pool sends nothing. */
export function aNewUser(overrides: Partial<NewUser> = {}): NewUser {
  return {
    userPoolId: POOL,
    username: 'jdoe',
    attributes: {},
    validationData: {},
    clientMetadata: {},
    temporaryPassword: undefined,
    forceAliasCreation: undefined,
    messageAction: 'SUPPRESS',
    desiredDeliveryMediums: undefined,
    ...overrides,
  };
}

export function aRequestedEvent(data: Record<string, unknown> = {}, attributes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'req-1',
    source: 'urn:hr-system',
    type: 'user.requested.v1',
    ...attributes,
    data: { userPoolId: POOL, username: 'jdoe', attributes: { email: 'jdoe@example.com' }, ...data },
  };
}

export function anInboundMessage(overrides: Partial<InboundMessage> = {}): InboundMessage {
  return {
    topic: 'user-requested',
    partition: 3,
    offset: '42',
    key: Buffer.from('key-1'),
    value: null,
    headers: {},
    timestamp: '1700000000000',
    ...overrides,
  };
}

/** Structured mode: the value is the whole event. */
export function structuredMessage(event: unknown, headers: InboundMessage['headers'] = { 'content-type': Buffer.from('application/cloudevents+json; charset=utf-8') }, overrides: Partial<InboundMessage> = {}): InboundMessage {
  return anInboundMessage({ value: Buffer.from(JSON.stringify(event)), headers, ...overrides });
}

/** Binary mode: the value is `data`, the attributes are ce_* headers. */
export function binaryMessage(data: unknown, attributes: Record<string, string> = {}, overrides: Partial<InboundMessage> = {}): InboundMessage {
  const headers: Record<string, Buffer> = { 'content-type': Buffer.from('application/json') };
  const all = { specversion: '1.0', id: 'req-1', source: 'urn:hr-system', type: 'user.requested.v1', ...attributes };
  for (const [name, value] of Object.entries(all)) headers[`ce_${name}`] = Buffer.from(value);
  return anInboundMessage({ value: Buffer.from(JSON.stringify(data)), headers, ...overrides });
}

/** Every string reachable from a value (keys included), to scan results for leaks. */
export function allStrings(value: unknown, seen = new Set<unknown>()): string[] {
  if (typeof value === 'string') return [value];
  if (Buffer.isBuffer(value)) return [value.toString('utf8')];
  if (typeof value !== 'object' || value === null || seen.has(value)) return [];
  seen.add(value);
  const strings: string[] = [];
  for (const [name, item] of Object.entries(value)) strings.push(name, ...allStrings(item, seen));
  return strings;
}
