// Generated bad input (fast-check) for the property-based tests. Every generated message says
// what it is and what the service must answer, so a test checks the answer, not only that
// nothing crashed. The expectations come from the contract and the JSON Schema
// (schemas/user.requested.v1.json), not from the decoder's code.
import fc from 'fast-check';
import type { DeadLetterClass } from '../../src/events/decode-request.ts';

/** A valid temporary password planted in most inputs: it must never come back out. */
export const MARKER_PASSWORD = 'Leak-Canary-7f3a!Pw';
/** Planted in input values the service has no reason to quote (never in names or usernames). */
export const RAW_CANARY = 'raw-input-canary-5c2e';

export type Expected =
  | { readonly outcome: 'created' }
  | { readonly outcome: 'dead-letter'; readonly errorClass: DeadLetterClass }
  /** `by`: the JSON Schema (the decoder answers) or the AdminCreateUser rules (checked after decoding). */
  | { readonly outcome: 'failed'; readonly reason: 'invalid-event'; readonly field: string; readonly by: 'schema' | 'rules' }
  | { readonly outcome: 'failed'; readonly reason: 'pool-not-allowed'; readonly userPoolId: string };

export interface LabelledMessage {
  /** What the input is, e.g. "username with a control character"; inputs are counted by it. */
  readonly label: string;
  readonly expected: Expected;
  /** The id the outcome must carry as its requestId (when the input has one). */
  readonly requestId: string | undefined;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, Buffer>>;
}

export interface GenerationOptions {
  /** The service's MAX_MESSAGE_BYTES: oversized input goes just past it, other input stays under half of it. */
  readonly maxMessageBytes: number;
}

/** `actual` is `expected` as the service quotes input (a field name, a request id): whole, or cut and marked "…". */
export function isQuoteOf(actual: string, expected: string): boolean {
  return actual === expected || (actual.endsWith('…') && expected.startsWith(actual.slice(0, -1)));
}

type Mode = 'structured' | 'binary';
type Event = Record<string, unknown>;

interface Mutation {
  readonly label: string;
  readonly expected: Expected;
  readonly apply: (event: Event) => Event;
  /** Event attributes that are not strings exist only in structured mode. */
  readonly modes?: readonly Mode[];
  /** Overrides the content-type header of structured mode (null: none). */
  readonly contentType?: string | null;
}

// The standard attributes a client may set (README, AdminCreateUser).
const STANDARD_ATTRIBUTES = new Set([
  'address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name', 'locale',
  'middle_name', 'name', 'nickname', 'phone_number', 'phone_number_verified', 'picture',
  'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
]);
const DATA_MEMBERS = new Set([
  'userPoolId', 'username', 'attributes', 'validationData', 'clientMetadata', 'temporaryPassword',
  'forceAliasCreation', 'messageAction', 'desiredDeliveryMediums',
]);

// Characters outside the username and attribute-name pattern [\p{L}\p{M}\p{S}\p{N}\p{P}]:
// control characters (Cc), whitespace (Zs, Zl, Zp), invisible formatting (Cf), lone
// surrogates (Cs) and private use (Co).
const controlCharacter = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })).map((c) => String.fromCodePoint(c));
const WHITESPACE = [' ', '\u00a0', '\u1680', '\u2002', '\u2003', '\u2009', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000'];
const INVISIBLE = ['\u00ad', '\u061c', '\u200b', '\u200c', '\u200d', '\u200e', '\u202e', '\u2060', '\u2066', '\ufeff', '\u{e0041}'];
const OTHER_INVALID = ['\ud800', '\udbff', '\udc00', '\udfff', '\ue000', '\uf8ff', '\u{f0000}'];
const invalidCharacter = fc.oneof(
  controlCharacter.map((c) => ({ kind: 'a control character', c })),
  fc.constantFrom(...WHITESPACE).map((c) => ({ kind: 'whitespace', c })),
  fc.constantFrom(...INVISIBLE).map((c) => ({ kind: 'an invisible formatting character', c })),
  fc.constantFrom(...OTHER_INVALID).map((c) => ({ kind: 'a lone surrogate or private-use character', c })),
);

// Lookalikes are letters (\p{L}) or marks (\p{M}) like any other: Cognito's pattern, and so the
// schema, accepts them. Cyrillic and Greek homoglyphs, fullwidth forms, mathematical letters.
const HOMOGLYPHS: Readonly<Record<string, readonly string[]>> = {
  a: ['\u0430', '\u03b1', '\uff41', '\u{1d41a}'], e: ['\u0435', '\uff45'], o: ['\u043e', '\u03bf', '\uff4f'],
  p: ['\u0440', '\u03c1'], c: ['\u0441', '\u217d'], i: ['\u0456', '\u0131'], j: ['\u0458'], s: ['\u0455'], d: ['\u0501', '\uff44'],
  l: ['\u04cf', '\u217c'], m: ['\uff4d'], n: ['\u0578'], r: ['\u0433'], t: ['\u0442'], u: ['\u057d'], y: ['\u0443'],
};
const LOOKALIKE_BASES = ['jdoe', 'admin', 'alice', 'paypal', 'root', 'support', 'example', 'security'];

const safeNameCharacter = fc.constantFrom(...Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:@+é\u0436\u4e2d\u{1f600}'));
const nonString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.constant([MARKER_PASSWORD]), fc.constant({ value: RAW_CANARY }));
const requestId = fc.noBias(fc.uuid({ version: 4 }));
const mode = fc.constantFrom<Mode>('structured', 'binary');
const STRUCTURED_TYPES = ['application/cloudevents+json; charset=utf-8', 'application/cloudevents+json', 'APPLICATION/CLOUDEVENTS+JSON', 'application/json', null];

/** A JSON value nested `depth` levels deep, as text (JSON.stringify would recurse that deep). */
class RawJson {
  readonly text: string;

  constructor(text: string) {
    this.text = text;
  }
}
const nested = (depth: number, kind: 'array' | 'object') =>
  new RawJson(kind === 'array' ? `${'['.repeat(depth)}0${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`);

function toJson(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${members.map(([name, item]) => `${JSON.stringify(name)}:${toJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function baseEvent(id: string): Event {
  return {
    specversion: '1.0',
    id,
    source: 'urn:test:bad-input',
    type: 'user.requested.v1',
    data: { username: `u-${id}`, attributes: { email: `u-${id}@example.com` }, temporaryPassword: MARKER_PASSWORD, messageAction: 'SUPPRESS' },
  };
}

function dataOf(event: Event): Record<string, unknown> {
  const data = event['data'];
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}

function withData(event: Event, patch: Record<string, unknown>): Event {
  return { ...event, data: { ...dataOf(event), ...patch } };
}

function withAttribute(event: Event, map: string, name: string, value: unknown): Event {
  const current = dataOf(event)[map];
  return withData(event, { [map]: { ...(typeof current === 'object' ? current : {}), [name]: value } });
}

const failedAt = (field: string, by: 'schema' | 'rules' = 'schema'): Expected => ({ outcome: 'failed', reason: 'invalid-event', field, by });
const deadLetter = (errorClass: DeadLetterClass): Expected => ({ outcome: 'dead-letter', errorClass });

/** Extra headers no rule reads: random bytes, and a malformed W3C traceparent that must be dropped. */
const noiseHeaders = fc.option(
  fc.record({
    'x-noise': fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.concat([Buffer.from(bytes), Buffer.from(RAW_CANARY)])),
    traceparent: fc.constantFrom(`00-${RAW_CANARY}-01`, '00-zz-00', 'ff'.repeat(40)).map((text) => Buffer.from(text)),
  }, { requiredKeys: [] }),
  { nil: {} },
);

function render(event: Event, messageMode: Mode, contentType: string | null, noise: Record<string, Buffer>): { value: Buffer | null; headers: Record<string, Buffer> } {
  const headers: Record<string, Buffer> = { ...noise };
  if (messageMode === 'structured') {
    if (contentType !== null) headers['content-type'] = Buffer.from(contentType);
    return { value: Buffer.from(toJson(event)), headers };
  }
  for (const [name, item] of Object.entries(event)) {
    if (name !== 'data' && typeof item === 'string') headers[`ce_${name}`] = Buffer.from(item);
  }
  headers['content-type'] = Buffer.from('application/json');
  return { value: event['data'] === undefined ? null : Buffer.from(toJson(event['data'])), headers };
}

/** Prints as its label, expectation and a preview when fast-check reports a counterexample. */
function labelled(input: LabelledMessage): LabelledMessage {
  const preview = input.value === null ? 'null' : JSON.stringify(input.value.subarray(0, 160).toString('utf8'));
  const headers = Object.entries(input.headers).map(([name, value]) => `${name}: ${JSON.stringify(value.subarray(0, 60).toString('utf8'))}`);
  return Object.assign(input, {
    [fc.toStringMethod]: () => `${input.label} → ${JSON.stringify(input.expected)}; ${input.value?.length ?? 0} bytes: ${preview}; headers {${headers.join(', ')}}`,
  });
}

/** Applies generated mutations to a fresh valid event and renders it in a mode they allow. */
function mutated(mutation: fc.Arbitrary<Mutation>): fc.Arbitrary<LabelledMessage> {
  return fc.record({ id: requestId, mutation, mode, contentType: fc.constantFrom(...STRUCTURED_TYPES), noise: noiseHeaders }).map(({ id, mutation: m, mode: chosen, contentType, noise }) => {
    const messageMode = m.modes === undefined || m.modes.includes(chosen) ? chosen : (m.modes[0] ?? chosen);
    const event = m.apply(baseEvent(id));
    const eventId = event['id'];
    return labelled({
      label: m.label,
      expected: m.expected,
      requestId: typeof eventId === 'string' && eventId !== '' ? eventId : undefined,
      ...render(event, messageMode, m.contentType !== undefined ? m.contentType : contentType, noise),
    });
  });
}

const structuredOnly = ['structured'] as const;

/** Input that is no request event at all: each must become a dead letter of its class. */
export function notAnEvent(options: GenerationOptions): fc.Arbitrary<LabelledMessage> {
  const { maxMessageBytes } = options;
  const validText = requestId.map((id) => toJson(baseEvent(id)));
  // The ce_specversion header alone makes it binary mode: the verdict is the same for a value
  // that is no JSON, but JSON in binary mode is data (then the event has no id).
  const raw = (label: string, errorClass: DeadLetterClass, value: fc.Arbitrary<Buffer | null>, modes: readonly Mode[] = ['structured', 'binary']) =>
    fc.record({ value, mode: fc.constantFrom(...modes), noise: noiseHeaders }).map(({ value: bytes, mode: chosen, noise }) => labelled({
      label,
      expected: deadLetter(errorClass),
      requestId: undefined,
      value: bytes,
      headers: { ...noise, ...(chosen === 'binary' ? { ce_specversion: Buffer.from('1.0') } : {}) },
    }));
  // Bytes that never occur in UTF-8, and sequences that are cut short, overlong or surrogates.
  const neverUtf8 = fc.constantFrom(0xc0, 0xc1, 0xf5, 0xf8, 0xfe, 0xff).map((b) => Buffer.from([b]));
  const brokenSequence = fc.constantFrom([0x80], [0xc3], [0xe2, 0x82], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]).map((b) => Buffer.from(b));
  // Spliced between characters, so the bytes around cannot complete a broken sequence.
  const spliced = (text: string, at: number, bytes: Buffer) => {
    const points = Array.from(text);
    const cut = at % (points.length + 1);
    return Buffer.concat([Buffer.from(points.slice(0, cut).join('')), bytes, Buffer.from(points.slice(cut).join(''))]);
  };

  return fc.oneof(
    raw('random bytes', 'invalid-utf8', fc.record({ bytes: fc.uint8Array({ maxLength: 2048 }), bad: neverUtf8, at: fc.nat() }).map(({ bytes, bad, at }) => {
      const cut = at % (bytes.length + 1);
      return Buffer.concat([bytes.subarray(0, cut), bad, bytes.subarray(cut)]);
    })),
    raw('an event with invalid UTF-8 inside', 'invalid-utf8', fc.record({ text: validText, bad: brokenSequence, at: fc.nat() }).map(({ text, bad, at }) => spliced(text, at, bad))),
    raw('an empty value', 'empty-value', fc.constantFrom(null, Buffer.alloc(0))),
    raw('a truncated event', 'not-json', fc.record({ text: validText, at: fc.nat() }).map(({ text, at }) => Buffer.from(text.slice(0, 1 + (at % (text.length - 1)))))),
    raw('an event with trailing garbage', 'not-json', fc.record({ text: validText, tail: fc.constantFrom(',', ' }', ' x', '\u0000', `//${RAW_CANARY}`) }).map(({ text, tail }) => Buffer.from(text + tail))),
    raw('an event in single quotes', 'not-json', validText.map((text) => Buffer.from(text.replaceAll('"', "'")))),
    raw('text that is not JSON', 'not-json', fc.record({ start: fc.constantFrom('#', '<', 'NaN', 'undefined', '\'', ' ', '{'), text: fc.string({ unit: 'binary', maxLength: 200 }) }).map(({ start, text }) => Buffer.from(`${start}${RAW_CANARY}${text}`))),
    raw('JSON that is not an object', 'not-a-cloudevent', fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).filter((value) => typeof value !== 'object' || value === null || Array.isArray(value)).map((value) => JSON.stringify(value)),
      validText.map((text) => `[${text}]`),
      fc.integer({ min: 1, max: Math.min(20_000, Math.floor(maxMessageBytes / 4)) }).map((depth) => nested(depth, 'array').text),
    ).map((text) => Buffer.from(text)), ['structured']),
    // Structured mode without a content-type needs specversion to be taken for a CloudEvent.
    fc.record({ value: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }), noise: noiseHeaders })
      .filter(({ value }) => !Object.hasOwn(value, 'specversion'))
      .map(({ value, noise }) => labelled({ label: 'a JSON object without specversion', expected: deadLetter('not-a-cloudevent'), requestId: undefined, value: Buffer.from(JSON.stringify(value)), headers: noise })),
    mutated(fc.constantFrom('text/plain', 'application/xml', 'application/octet-stream', `text/plain; charset=${RAW_CANARY}`, 'multipart/form-data').map((contentType) => ({
      label: 'an event under a content-type that is neither CloudEvents nor JSON',
      expected: deadLetter('not-a-cloudevent'),
      apply: (event: Event) => event,
      modes: structuredOnly,
      contentType,
    }))),
    mutated(fc.constantFrom(undefined, '').map((id) => ({ label: 'an event without id', expected: deadLetter('missing-id'), apply: (event: Event) => ({ ...event, id }) }))),
    mutated(fc.constantFrom(42, null, true, ['id'], { id: 'x' }).map((id) => ({ label: 'an event whose id is not a string', expected: deadLetter('missing-id'), apply: (event: Event) => ({ ...event, id }), modes: structuredOnly }))),
    mutated(fc.oneof(fc.constantFrom(undefined, 'user.requested.v2', 'USER.REQUESTED.V1', ' user.requested.v1', 'user.created.v1', ''), fc.string({ unit: 'binary', maxLength: 40 }))
      .filter((type) => type !== 'user.requested.v1')
      .map((type) => ({ label: 'an event of another type', expected: deadLetter('wrong-type'), apply: (event: Event) => ({ ...event, type }) }))),
    mutated(fc.constantFrom(1, null, ['user.requested.v1']).map((type) => ({ label: 'an event whose type is not a string', expected: deadLetter('wrong-type'), apply: (event: Event) => ({ ...event, type }), modes: structuredOnly }))),
    mutated(fc.record({ extra: fc.integer({ min: 1, max: Math.floor(maxMessageBytes / 8) }), where: fc.constantFrom('attribute value', 'extension attribute') }).map(({ extra, where }) => ({
      label: 'an oversized event',
      expected: deadLetter('oversized'),
      apply: (event: Event) => where === 'attribute value'
        ? withAttribute(event, 'attributes', 'custom:padding', 'x'.repeat(maxMessageBytes + extra))
        : { ...event, padding: 'x'.repeat(maxMessageBytes + extra) },
    }))),
  );
}

/** A request id and the right type, but the event breaks the JSON Schema: a failed event naming the field. */
export function schemaBreaches(options: GenerationOptions): fc.Arbitrary<LabelledMessage> {
  const { maxMessageBytes } = options;
  const validName = fc.string({ unit: safeNameCharacter, minLength: 1, maxLength: 12 }).map((name) => `custom:${name}`);
  const at = fc.nat();
  const insert = (text: string, position: number, c: string) => {
    const cut = position % (text.length + 1);
    return text.slice(0, cut) + c + text.slice(cut);
  };
  const attribute = (label: string, expected: (name: string) => string, name: fc.Arbitrary<string>, value: fc.Arbitrary<unknown>, maps: readonly string[]) =>
    fc.record({ map: fc.constantFrom(...maps), name, value }).map(({ map, name: n, value: v }): Mutation => ({
      label: `${label} (${map})`,
      expected: failedAt(`data.${map}.${expected(n)}`),
      apply: (event) => withAttribute(event, map, n, v),
    }));
  const attributeMaps = ['attributes', 'validationData'] as const;
  const maps = ['attributes', 'validationData', 'clientMetadata'] as const;
  // Binary mode carries attributes as header strings, and its datacontenttype is the content-type header.
  const eventAttribute = (name: string, values: unknown[], label = `a bad ${name}`) =>
    fc.constantFrom(...values).map((value): Mutation => ({
      label,
      expected: failedAt(name),
      apply: (event) => ({ ...event, [name]: value }),
      ...(typeof value === 'string' && name !== 'datacontenttype' ? {} : { modes: structuredOnly }),
      // Without specversion, structured mode needs the CloudEvents content-type to read on.
      ...(value === undefined ? { contentType: 'application/cloudevents+json' } : {}),
    }));
  const dataMember = (name: string, values: fc.Arbitrary<unknown>, label = `a bad ${name}`, field = `data.${name}`) =>
    values.map((value): Mutation => ({ label, expected: failedAt(field), apply: (event) => withData(event, { [name]: value }) }));

  return mutated(fc.oneof(
    eventAttribute('specversion', ['0.3', '', '1', undefined, 1, null], 'an event of another specversion'),
    eventAttribute('source', [undefined, '', 42]),
    eventAttribute('time', ['yesterday', '2024-13-45T25:61:00Z', RAW_CANARY, 12_345]),
    eventAttribute('traceparent', ['nope', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01', `00-${RAW_CANARY}-01`, 7]),
    eventAttribute('datacontenttype', ['text/plain', 'application/xml', RAW_CANARY]),
    eventAttribute('dataschema', ['not a uri', RAW_CANARY]),
    eventAttribute('tracestate', ['k=v,'.repeat(200)], 'a tracestate over 512 characters'),
    fc.integer({ min: 257, max: 4096 }).map((length): Mutation => ({
      label: 'an id over 256 characters',
      expected: failedAt('id'),
      apply: (event) => ({ ...event, id: `${String(event['id'])}-`.padEnd(length, 'x') }),
    })),
    fc.constant<Mutation>({
      label: 'a structured event sent with binary-mode headers',
      expected: failedAt('data.specversion'),
      apply: (event) => ({ ...event, data: { ...event } }),
      modes: ['binary'],
    }),
    fc.constantFrom(undefined, 'jdoe', 42, null, [], ['jdoe']).map((data): Mutation => ({
      label: 'an event whose data is missing or not an object',
      expected: failedAt('data'),
      apply: (event) => ({ ...event, data }),
      ...(data === undefined ? { modes: structuredOnly } : {}),
    })),
    // username
    dataMember('username', fc.constantFrom(undefined, '', 42, null, ['jdoe'], { name: 'jdoe' }), 'a missing, empty or non-string username'),
    fc.record({ length: fc.integer({ min: 129, max: Math.min(20_000, Math.floor(maxMessageBytes / 8)) }), c: fc.constantFrom('u', 'é', '\u{1d41a}') }).map(({ length, c }): Mutation => ({
      label: 'a username over 128 characters',
      expected: failedAt('data.username'),
      apply: (event) => withData(event, { username: c.repeat(length) }),
    })),
    fc.record({ bad: invalidCharacter, at }).map(({ bad, at: position }): Mutation => ({
      label: `a username with ${bad.kind}`,
      expected: failedAt('data.username'),
      apply: (event) => withData(event, { username: insert(String(dataOf(event)['username']), position, bad.c) }),
    })),
    // userPoolId
    dataMember('userPoolId', fc.constantFrom('', 'not a pool', 'us-east-1', '_Example1', 'us-east-1_ab!c', 'us-east-1_\u0000x', `us-east-1_${'a'.repeat(60)}`, 42, null), 'a malformed userPoolId'),
    // attributes, validationData and clientMetadata
    dataMember('attributes', fc.constantFrom('email=x', 42, [], null, true), 'attributes that are not an object'),
    dataMember('clientMetadata', fc.constantFrom('department=x', 42, ['x'], null), 'clientMetadata that is not an object'),
    attribute('a non-string value', (n) => n, validName, nonString, maps),
    attribute('a value over 2,048 characters', (n) => n, validName, fc.integer({ min: 2049, max: Math.min(30_000, Math.floor(maxMessageBytes / 4)) }).map((length) => RAW_CANARY.padEnd(length, 'v')), maps),
    attribute('a name over 32 characters', (n) => n, fc.integer({ min: 33, max: 250 }).map((length) => 'custom:'.padEnd(length, 'n')), fc.constant('v'), attributeMaps),
    attribute('a clientMetadata name over 256 characters', (n) => n, fc.integer({ min: 257, max: Math.min(20_000, Math.floor(maxMessageBytes / 8)) }).map((length) => 'm'.repeat(length)), fc.constant('v'), ['clientMetadata']),
    attribute('an empty name', () => '', fc.constant(''), fc.constant('v'), maps),
    fc.record({ map: fc.constantFrom(...attributeMaps), name: validName, bad: invalidCharacter, at }).map(({ map, name, bad, at: position }): Mutation => {
      const badName = insert(name, position, bad.c);
      return { label: `an attribute name with ${bad.kind} (${map})`, expected: failedAt(`data.${map}.${badName}`), apply: (event) => withAttribute(event, map, badName, 'v') };
    }),
    fc.record({ map: fc.constantFrom(...maps), extra: fc.integer({ min: 1, max: 60 }) }).map(({ map, extra }): Mutation => {
      const count = (map === 'clientMetadata' ? 50 : 100) + extra;
      const entries = Object.fromEntries(Array.from({ length: count }, (_, i) => [`custom:a${i}`, 'v']));
      return { label: `too many entries (${map})`, expected: failedAt(`data.${map}`), apply: (event) => withData(event, { [map]: entries }) };
    }),
    // The temporary password, broken in every way the schema names.
    dataMember('temporaryPassword', fc.constantFrom(
      `${MARKER_PASSWORD} ${MARKER_PASSWORD}`, `${MARKER_PASSWORD}\t`, `\u3000${MARKER_PASSWORD}`, MARKER_PASSWORD.repeat(14), '',
      42, [MARKER_PASSWORD], { password: MARKER_PASSWORD }, true,
    ), 'a bad temporaryPassword'),
    dataMember('forceAliasCreation', fc.constantFrom('true', 1, null, 'yes')),
    dataMember('messageAction', fc.constantFrom('SEND', 'suppress', '', 1, null, RAW_CANARY)),
    fc.constantFrom<[unknown, string]>([[], ''], ['EMAIL', ''], [['EMAIL', 'EMAIL'], ''], [['PIGEON'], '.0'], [['EMAIL', RAW_CANARY], '.1'], [[1], '.0']).map(([value, suffix]): Mutation => ({
      label: 'bad desiredDeliveryMediums',
      expected: failedAt(`data.desiredDeliveryMediums${suffix}`),
      apply: (event) => withData(event, { desiredDeliveryMediums: value }),
    })),
    // Members the schema does not know: misspellings (one holding the password) and random names.
    fc.record({
      name: fc.oneof(fc.constantFrom('temporaryPasword', 'password', 'userName', 'Username', 'user_pool_id', 'userPoolID', 'attributes '), fc.string({ unit: safeNameCharacter, minLength: 1, maxLength: 40 }))
        .filter((name) => !DATA_MEMBERS.has(name)),
      value: fc.oneof(fc.constant(MARKER_PASSWORD), fc.jsonValue({ maxDepth: 2 })),
    }).map(({ name, value }): Mutation => ({ label: 'an unknown data member', expected: failedAt(`data.${name}`), apply: (event) => withData(event, { [name]: value }) })),
    // Deeply nested values where the schema wants a string or nothing.
    fc.record({ depth: fc.integer({ min: 100, max: Math.min(20_000, Math.floor(maxMessageBytes / 12)) }), kind: fc.constantFrom<'array' | 'object'>('array', 'object'), where: fc.constantFrom('member', 'attribute', 'data') })
      .map(({ depth, kind, where }): Mutation => {
        const value = nested(depth, kind);
        if (where === 'member') return { label: 'a deeply nested unknown member', expected: failedAt('data.nested'), apply: (event) => withData(event, { nested: value }) };
        if (where === 'attribute') return { label: 'a deeply nested attribute value', expected: failedAt('data.attributes.custom:nested'), apply: (event) => withAttribute(event, 'attributes', 'custom:nested', value) };
        // Nested objects are members named "a" of data; nested arrays are not an object at all.
        return { label: 'deeply nested data', expected: failedAt(kind === 'array' ? 'data' : 'data.a'), apply: (event) => ({ ...event, data: value }) };
      }),
  ));
}

/**
 * Attribute names the schema accepts that are neither a standard attribute a client may set nor
 * custom:/dev:custom: plus a name: near misses, lookalikes of standard names, random names.
 */
export function unprefixedAttributeName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('employee_id', 'department', 'Email', 'EMAIL', 'sub', 'custom', 'custom:', 'Custom:x', 'custom_x', 'dev:x', 'dev:custom:', '\u0441ustom:x', '\u0435mail', 'emai\u0406', 'given\u2010name'),
    fc.string({ unit: safeNameCharacter, minLength: 1, maxLength: 32 }),
  ).filter((name) => !STANDARD_ATTRIBUTES.has(name) && !/^(dev:)?custom:./u.test(name));
}

/** Custom attribute names that are fine: custom: or dev:custom: and 1 to 20 more characters. */
export function customAttributeName(): fc.Arbitrary<string> {
  return fc.record({ prefix: fc.constantFrom('custom:', 'dev:custom:'), name: fc.string({ unit: safeNameCharacter, minLength: 1, maxLength: 20 }) })
    .map(({ prefix, name }) => prefix + name);
}

/** Valid against the schema, but against AdminCreateUser's rules: a failed event naming the field. */
export function ruleBreaches(): fc.Arbitrary<LabelledMessage> {
  const unprefixed = unprefixedAttributeName();
  const without = (event: Event, name: string) => {
    const { [name]: _removed, ...rest } = dataOf(event)['attributes'] as Record<string, unknown>;
    return withData(event, { attributes: rest });
  };
  return mutated(fc.oneof(
    unprefixed.map((name): Mutation => ({
      label: 'an attribute name that is neither standard nor custom:',
      expected: failedAt(`data.attributes.${name}`, 'rules'),
      apply: (event) => withAttribute(event, 'attributes', name, 'v'),
    })),
    fc.constantFrom('true', 'TRUE', 'True').map((verified): Mutation => ({
      label: 'email_verified without an email',
      expected: failedAt('data.attributes.email', 'rules'),
      apply: (event) => withAttribute(without(event, 'email'), 'attributes', 'email_verified', verified),
    })),
    fc.constant<Mutation>({
      label: 'EMAIL as delivery medium without an email',
      expected: failedAt('data.attributes.email', 'rules'),
      apply: (event) => withData(without(event, 'email'), { desiredDeliveryMediums: ['EMAIL'] }),
    }),
    fc.constant<Mutation>({
      label: 'phone_number_verified without a phone number',
      expected: failedAt('data.attributes.phone_number', 'rules'),
      apply: (event) => withAttribute(event, 'attributes', 'phone_number_verified', 'true'),
    }),
    fc.constant<Mutation>({
      label: 'an invitation by SMS (the default) without a phone number',
      expected: failedAt('data.attributes.phone_number', 'rules'),
      apply: (event) => withData(event, { messageAction: undefined }),
    }),
  ));
}

/** A well-formed pool that is not allowed: pool-not-allowed, even when a rule is broken too. */
export function unknownPools(): fc.Arbitrary<LabelledMessage> {
  return mutated(fc.record({
    region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-2'),
    suffix: fc.stringMatching(/^[0-9a-zA-Z]{1,12}$/),
    breach: fc.boolean(),
  }).map(({ region, suffix, breach }): Mutation => {
    const userPoolId = `${region}_Unlisted${suffix}`;
    return {
      label: breach ? 'an unknown pool (and an attribute without custom:)' : 'an unknown pool',
      expected: { outcome: 'failed', reason: 'pool-not-allowed', userPoolId },
      apply: (event) => {
        const withPool = withData(event, { userPoolId });
        return breach ? withAttribute(withPool, 'attributes', 'employee_id', 'E1') : withPool;
      },
    };
  }));
}

/** Usernames that look odd but are letters, marks and symbols: the schema accepts them, so they are created. */
export function unusualValidUsernames(): fc.Arbitrary<LabelledMessage> {
  const lookalike = fc.record({ base: fc.constantFrom(...LOOKALIKE_BASES), picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }) }).map(({ base, picks }) => {
    const letters = Array.from(base);
    const swappable = letters.flatMap((letter, index) => (HOMOGLYPHS[letter] ? [index] : []));
    for (const pick of picks) {
      const index = swappable[pick % swappable.length];
      const letter = index === undefined ? undefined : letters[index];
      const options = letter === undefined ? undefined : HOMOGLYPHS[letter];
      if (index !== undefined && options !== undefined) letters[index] = options[pick % options.length] ?? letters[index] ?? '';
    }
    return letters.join('');
  });
  const kinds = fc.oneof(
    lookalike.map((name) => ({ label: 'a lookalike username (homoglyphs are letters)', name })),
    fc.constantFrom('jo\u0301se', 'n\u0303', '\u0301x').map((name) => ({ label: 'a username with combining marks', name })),
    fc.constantFrom('\u{1f600}', '\u2603', '\u00a9', '\u20ac').map((name) => ({ label: 'a username with symbols and emoji', name })),
    // 100 astral letters are 200 UTF-16 units but 100 characters: within the 128.
    fc.constant({ label: 'a username of astral letters within 128 characters', name: '\u{1d41a}'.repeat(80) }),
  );
  return mutated(kinds.map(({ label, name }): Mutation => ({
    label,
    expected: { outcome: 'created' },
    apply: (event) => withData(event, { username: `${name}-${String(event['id']).slice(0, 13)}` }),
  })));
}

/**
 * Invalid events near the size limit that name many fields or very long ones: before the
 * violations were bounded, their failed events were several times the input's size.
 */
export function amplifyingInput(options: GenerationOptions): fc.Arbitrary<LabelledMessage> {
  const budget = Math.floor(options.maxMessageBytes * 0.8);
  // Each is 6 bytes escaped in JSON.
  const controls = '\u0001'.repeat(Math.floor(budget / 6));
  const many = (prefix: string, bytesEach: number) => Object.fromEntries(Array.from({ length: Math.floor(budget / bytesEach) }, (_, i) => [`${prefix}${i}`, 0]));
  return mutated(fc.constantFrom<Mutation>(
    { label: 'thousands of unknown data members', expected: failedAt('data.k0'), apply: (event) => withData(event, many('k', 12)) },
    { label: 'thousands of non-string attribute values', expected: failedAt('data.attributes.custom:a0'), apply: (event) => withData(event, { attributes: many('custom:a', 20) }) },
    { label: 'a username of thousands of control characters', expected: failedAt('data.username'), apply: (event) => withData(event, { username: controls }) },
    { label: 'an attribute name of thousands of control characters', expected: failedAt(`data.attributes.${controls}`), apply: (event) => withAttribute(event, 'attributes', controls, 'v') },
    // Raw control bytes in a header are 1 byte each, escaped in JSON 6.
    { label: 'an id of thousands of control characters (a ce_id header)', expected: failedAt('id'), apply: (event) => ({ ...event, id: `${String(event['id'])}${'\u0001'.repeat(budget)}` }), modes: ['binary'] },
  ));
}

/** A valid request for a new user, in either mode, often with the marker password. */
export function goodRequest(): fc.Arbitrary<LabelledMessage> {
  return mutated(fc.record({
    password: fc.boolean(),
    traceparent: fc.option(fc.constant('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), { nil: undefined }),
    givenName: fc.constantFrom('Jane', 'Zoë', 'Łukasz', '李', 'Ólafur'),
    mediums: fc.option(fc.constant(['EMAIL']), { nil: undefined }),
  }).map(({ password, traceparent, givenName, mediums }): Mutation => ({
    label: 'a good request',
    expected: { outcome: 'created' },
    apply: (event) => {
      const id = String(event['id']);
      return withData({ ...event, traceparent }, {
        username: `good-${id}`,
        attributes: { email: `good-${id}@example.com`, given_name: givenName, 'custom:employee_id': `E-${id.slice(0, 8)}` },
        temporaryPassword: password ? MARKER_PASSWORD : undefined,
        desiredDeliveryMediums: mediums,
      });
    },
  })));
}

/** Every kind of bad input above, weighted so that the large ones stay few. */
export function badInput(options: GenerationOptions): fc.Arbitrary<LabelledMessage> {
  return fc.oneof(
    { arbitrary: notAnEvent(options), weight: 30 },
    { arbitrary: schemaBreaches(options), weight: 45 },
    { arbitrary: ruleBreaches(), weight: 10 },
    { arbitrary: unknownPools(), weight: 6 },
    { arbitrary: unusualValidUsernames(), weight: 4 },
    { arbitrary: amplifyingInput(options), weight: 1 },
  );
}

/** Anything at all: random bytes, random JSON, random ce_* and content-type headers. No expectation but an answer. */
export function anyMessage(): fc.Arbitrary<{ value: Buffer | null; headers: Record<string, Buffer> }> {
  const headerName = fc.oneof(fc.constantFrom('ce_specversion', 'ce_id', 'ce_type', 'ce_source', 'ce_data', 'ce___proto__', 'content-type', 'traceparent'), fc.string({ maxLength: 12 }));
  const text = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.record({ specversion: fc.jsonValue({ maxDepth: 1 }), id: fc.jsonValue({ maxDepth: 1 }), type: fc.constantFrom('user.requested.v1', 'x'), data: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
    fc.string({ unit: 'binary', maxLength: 300 }),
  );
  return fc.record({
    value: fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)), text.map((t) => Buffer.from(t))),
    headers: fc.dictionary(headerName, fc.oneof(fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)), fc.constantFrom('1.0', 'user.requested.v1', 'application/json', 'application/cloudevents+json', 'text/plain').map((t) => Buffer.from(t))), { maxKeys: 6 }),
  });
}
