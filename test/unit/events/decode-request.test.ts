import { describe, expect, it } from 'vitest';
import { createRequestDecoder, type Decoded } from '../../../src/events/decode-request.ts';
import type { InboundMessage } from '../../../src/events/message.ts';
import { compileValidators } from '../../../src/events/schemas.ts';
import { Secret } from '../../../src/provisioning/secret.ts';
import { aRequestedEvent, allStrings, anInboundMessage, binaryMessage, POOL, structuredMessage, TRACEPARENT } from '../../support/builders.ts';

const decode = createRequestDecoder({ validators: compileValidators(), maxMessageBytes: 4096 });

function expectKind<K extends Decoded['kind']>(decoded: Decoded, kind: K): Extract<Decoded, { kind: K }> {
  expect(decoded.kind).toBe(kind);
  return decoded as Extract<Decoded, { kind: K }>;
}

function fieldsAndRules(decoded: Decoded): { field: string; rule: string }[] {
  return expectKind(decoded, 'invalid').violations.map(({ field, rule }) => ({ field, rule }));
}

const NO_HEADERS: InboundMessage['headers'] = {};

describe('decode (user.requested.v1)', () => {
  describe('structured mode', () => {
    const full = aRequestedEvent(
      {
        userPoolId: POOL,
        username: 'jdoe',
        attributes: { email: 'jdoe@example.com', email_verified: 'true', 'custom:employee_id': 'E1234' },
        validationData: { hr_system: 'workday' },
        clientMetadata: { department: 'finance' },
        temporaryPassword: 'only-if-you-must',
        forceAliasCreation: false,
        messageAction: 'SUPPRESS',
        desiredDeliveryMediums: ['EMAIL'],
      },
      { id: 'req-77', traceparent: TRACEPARENT, time: '2025-01-02T03:04:05Z', subject: 'jdoe' },
    );

    it('reads an event declared application/cloudevents+json into a request', () => {
      const decoded = expectKind(decode(structuredMessage(full)), 'request');
      expect(decoded.mode).toBe('structured');
      const { temporaryPassword, ...request } = decoded.request;
      expect(request).toEqual({
        requestId: 'req-77',
        userPoolId: POOL,
        username: 'jdoe',
        attributes: { email: 'jdoe@example.com', email_verified: 'true', 'custom:employee_id': 'E1234' },
        validationData: { hr_system: 'workday' },
        clientMetadata: { department: 'finance' },
        forceAliasCreation: false,
        messageAction: 'SUPPRESS',
        desiredDeliveryMediums: ['EMAIL'],
        traceparent: TRACEPARENT,
      });
      expect(temporaryPassword).toBeInstanceOf(Secret);
      expect(temporaryPassword?.reveal()).toBe('only-if-you-must');
    });

    it('never exposes the temporary password in the decoded value', () => {
      const decoded = decode(structuredMessage(full));
      expect(JSON.stringify(decoded)).not.toContain('only-if-you-must');
      expect(allStrings(decoded).some((text) => text.includes('only-if-you-must'))).toBe(false);
    });

    it('reads a JSON object with specversion and no content-type header', () => {
      const decoded = expectKind(decode(structuredMessage(aRequestedEvent(), NO_HEADERS)), 'request');
      expect(decoded.mode).toBe('structured');
      expect(decoded.request.username).toBe('jdoe');
    });

    it('reads a JSON object with specversion declared application/json', () => {
      expect(decode(structuredMessage(aRequestedEvent(), { 'content-type': 'application/json' })).kind).toBe('request');
    });

    it('compares media types without their parameters and case, as RFC 9110 does', () => {
      expect(decode(structuredMessage(aRequestedEvent(), { 'content-type': 'Application/CloudEvents+JSON; charset=UTF-8' })).kind).toBe('request');
      expect(decode(structuredMessage(aRequestedEvent(), { 'content-type': ' application/json ;charset=utf-8' })).kind).toBe('request');
    });

    it('fills absent optional members with empty maps and undefined', () => {
      const decoded = expectKind(decode(structuredMessage(aRequestedEvent({ userPoolId: undefined, attributes: undefined }))), 'request');
      expect(decoded.request).toMatchObject({ userPoolId: undefined, attributes: {}, validationData: {}, clientMetadata: {} });
      expect(decoded.request.temporaryPassword).toBeUndefined();
      expect(decoded.request.messageAction).toBeUndefined();
      expect(decoded.request.desiredDeliveryMediums).toBeUndefined();
      expect(decoded.request.traceparent).toBeUndefined();
    });
  });

  describe('binary mode', () => {
    it('reads ce_* headers as attributes and the value as data', () => {
      const message = binaryMessage(
        { userPoolId: POOL, username: 'jdoe', attributes: { email: 'jdoe@example.com' }, temporaryPassword: 'bin-secret-1' },
        { id: 'req-bin', traceparent: TRACEPARENT },
      );
      const decoded = expectKind(decode(message), 'request');
      expect(decoded.mode).toBe('binary');
      expect(decoded.request).toMatchObject({ requestId: 'req-bin', userPoolId: POOL, username: 'jdoe', attributes: { email: 'jdoe@example.com' }, traceparent: TRACEPARENT });
      expect(decoded.request.temporaryPassword?.reveal()).toBe('bin-secret-1');
    });

    it('answers a bad data payload as an invalid event, in binary mode', () => {
      const decoded = decode(binaryMessage({ username: 'jdoe', extra: 1 }, { id: 'req-bin' }));
      expect(expectKind(decoded, 'invalid').mode).toBe('binary');
      expect(fieldsAndRules(decoded)).toEqual([{ field: 'data.extra', rule: 'unknown-field' }]);
    });

    it('answers a non-object data payload as an invalid event naming data', () => {
      expect(fieldsAndRules(decode(binaryMessage(['jdoe'])))).toEqual([{ field: 'data', rule: 'type' }]);
    });

    it('reads the header attributes whether they arrive as strings or buffers', () => {
      const message = binaryMessage({ username: 'jdoe', messageAction: 'SUPPRESS' });
      const headers = { ...message.headers, ce_id: 'req-string-header' };
      const decoded = expectKind(decode({ ...message, headers }), 'request');
      expect(decoded.request.requestId).toBe('req-string-header');
    });
  });

  describe('dead letters: messages that are not a request event at all', () => {
    const cases: [string, InboundMessage, string][] = [
      ['an oversized message', structuredMessage(aRequestedEvent({ attributes: { 'custom:big': 'x'.repeat(5000) } })), 'oversized'],
      ['a null value', anInboundMessage({ value: null }), 'empty-value'],
      ['an empty value', anInboundMessage({ value: Buffer.alloc(0) }), 'empty-value'],
      ['invalid UTF-8', anInboundMessage({ value: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }), 'invalid-utf8'],
      ['a value that is not JSON', anInboundMessage({ value: Buffer.from('{"specversion": "1.0", ') }), 'not-json'],
      ['a JSON array', structuredMessage([aRequestedEvent()]), 'not-a-cloudevent'],
      ['a JSON string', structuredMessage('user.requested.v1'), 'not-a-cloudevent'],
      ['JSON null', structuredMessage(null), 'not-a-cloudevent'],
      ['an object with no specversion and no content-type', structuredMessage({ id: 'req-1', type: 'user.requested.v1', data: {} }, NO_HEADERS), 'not-a-cloudevent'],
      ['an unsupported content-type', structuredMessage(aRequestedEvent(), { 'content-type': 'text/plain' }), 'not-a-cloudevent'],
      ['a content-type that only begins like JSON', structuredMessage(aRequestedEvent(), { 'content-type': 'application/jsonx' }), 'not-a-cloudevent'],
      ['a content-type that only begins like a CloudEvent', structuredMessage(aRequestedEvent(), { 'content-type': 'application/cloudevents+json-seq' }), 'not-a-cloudevent'],
      ['an event without id', structuredMessage({ ...aRequestedEvent(), id: undefined }), 'missing-id'],
      ['an event with an empty id', structuredMessage(aRequestedEvent({}, { id: '' })), 'missing-id'],
      ['an event with a numeric id', structuredMessage(aRequestedEvent({}, { id: 42 })), 'missing-id'],
      ['a binary event without ce_id', binaryMessage({ username: 'jdoe' }, { id: '' }), 'missing-id'],
      ['an event of another type', structuredMessage(aRequestedEvent({}, { type: 'user.deleted.v1' })), 'wrong-type'],
      ['a binary event of another type', binaryMessage({ username: 'jdoe' }, { type: 'user.deleted.v1' }), 'wrong-type'],
    ];

    it.each(cases)('dead-letters %s', (_name, message, errorClass) => {
      const decoded = expectKind(decode(message), 'dead-letter');
      expect(decoded.errorClass).toBe(errorClass);
      expect(decoded.message).not.toBe('');
    });

    it('says which mode it recognised', () => {
      expect(expectKind(decode(binaryMessage({ username: 'jdoe' }, { type: 'other' })), 'dead-letter').mode).toBe('binary');
      expect(expectKind(decode(structuredMessage(aRequestedEvent({}, { type: 'other' }))), 'dead-letter').mode).toBe('structured');
      expect(expectKind(decode(structuredMessage(aRequestedEvent({ username: 'u'.repeat(5000) }))), 'dead-letter').mode).toBe('unknown');
    });

    it('counts headers and key in the size limit', () => {
      const message = structuredMessage(aRequestedEvent(), { 'content-type': 'application/cloudevents+json', big: Buffer.alloc(4096) });
      expect(expectKind(decode(message), 'dead-letter').errorClass).toBe('oversized');
    });
  });

  describe('invalid events: a request id and the right type, but a broken schema', () => {
    const cases: [string, Record<string, unknown>, { field: string; rule: string }[]][] = [
      ['a missing username', aRequestedEvent({ username: undefined }), [{ field: 'data.username', rule: 'required' }]],
      ['a username over 128 characters', aRequestedEvent({ username: 'u'.repeat(129) }), [{ field: 'data.username', rule: 'max-length' }]],
      ['a username with whitespace', aRequestedEvent({ username: 'j doe' }), [{ field: 'data.username', rule: 'pattern' }]],
      ['a non-string attribute value', aRequestedEvent({ attributes: { email: 42 } }), [{ field: 'data.attributes.email', rule: 'type' }]],
      ['an attribute value over 2048 characters', aRequestedEvent({ attributes: { email: 'e'.repeat(2049) } }), [{ field: 'data.attributes.email', rule: 'max-length' }]],
      ['an attribute name over 32 characters', aRequestedEvent({ attributes: { ['n'.repeat(33)]: 'v' } }), [{ field: `data.attributes.${'n'.repeat(33)}`, rule: 'max-length' }]],
      ['an unknown data member', aRequestedEvent({ extra: true }), [{ field: 'data.extra', rule: 'unknown-field' }]],
      ['a messageAction outside the enum', aRequestedEvent({ messageAction: 'SEND' }), [{ field: 'data.messageAction', rule: 'enum' }]],
      ['an unknown delivery medium', aRequestedEvent({ desiredDeliveryMediums: ['PIGEON'] }), [{ field: 'data.desiredDeliveryMediums.0', rule: 'enum' }]],
      ['a malformed userPoolId', aRequestedEvent({ userPoolId: 'not a pool' }), [{ field: 'data.userPoolId', rule: 'pattern' }]],
      ['a missing data', { ...aRequestedEvent(), data: undefined }, [{ field: 'data', rule: 'required' }]],
      ['a missing source', { ...aRequestedEvent(), source: undefined }, [{ field: 'source', rule: 'required' }]],
      ['another specversion', aRequestedEvent({}, { specversion: '0.3' }), [{ field: 'specversion', rule: 'const' }]],
      ['a malformed traceparent', aRequestedEvent({}, { traceparent: 'nope' }), [{ field: 'traceparent', rule: 'pattern' }]],
    ];

    it.each(cases)('names the field for %s', (_name, event, expected) => {
      expect(fieldsAndRules(decode(structuredMessage(event)))).toEqual(expected);
    });

    it('names every offending field at once', () => {
      const event = { ...aRequestedEvent({ username: 'j doe', extra: 1, messageAction: 'SEND' }), source: undefined };
      expect(fieldsAndRules(decode(structuredMessage(event)))).toEqual(expect.arrayContaining([
        { field: 'source', rule: 'required' },
        { field: 'data.username', rule: 'pattern' },
        { field: 'data.extra', rule: 'unknown-field' },
        { field: 'data.messageAction', rule: 'enum' },
      ]));
    });

    it('carries the request id, username, pool and traceparent it could read', () => {
      const decoded = expectKind(decode(structuredMessage(aRequestedEvent({ extra: 1 }, { id: 'req-9', traceparent: TRACEPARENT }))), 'invalid');
      expect(decoded).toMatchObject({ mode: 'structured', requestId: 'req-9', username: 'jdoe', userPoolId: POOL, traceparent: TRACEPARENT });
    });

    describe('passes the traceparent on only when it is well formed', () => {
      const malformed: [string, unknown][] = [
        ['not W3C trace context', 'nope'],
        ['in upper-case hex', TRACEPARENT.toUpperCase()],
        ['followed by a newline', `${TRACEPARENT}\n`],
        ['a number', 42],
      ];

      it.each(malformed)('drops one that is %s', (_name, traceparent) => {
        const decoded = expectKind(decode(structuredMessage(aRequestedEvent({ extra: 1 }, { traceparent }))), 'invalid');
        expect(decoded.requestId).toBe('req-1');
        expect(decoded).toHaveProperty('traceparent', undefined);
      });

      it('drops a malformed ce_traceparent in binary mode', () => {
        const decoded = expectKind(decode(binaryMessage({ username: 'jdoe', extra: 1 }, { traceparent: 'nope' })), 'invalid');
        expect(decoded).toHaveProperty('traceparent', undefined);
      });

      it('keeps a well-formed one in either mode', () => {
        expect(expectKind(decode(structuredMessage(aRequestedEvent({ extra: 1 }, { traceparent: TRACEPARENT }))), 'invalid').traceparent).toBe(TRACEPARENT);
        expect(expectKind(decode(binaryMessage({ username: 'jdoe', extra: 1 }, { traceparent: TRACEPARENT })), 'invalid').traceparent).toBe(TRACEPARENT);
      });
    });

    it('leaves username and pool undefined when the event has no usable data', () => {
      const decoded = expectKind(decode(structuredMessage({ ...aRequestedEvent(), data: 'text' })), 'invalid');
      expect(decoded.requestId).toBe('req-1');
      expect(decoded.username).toBeUndefined();
      expect(decoded.userPoolId).toBeUndefined();
    });

    it('never quotes a value in a violation message', () => {
      const decoded = expectKind(decode(structuredMessage(aRequestedEvent({ username: 'secret value', attributes: { email: 'e'.repeat(2049) } }))), 'invalid');
      for (const violation of decoded.violations) {
        expect(violation.message).not.toContain('secret value');
        expect(violation.message).not.toContain('eeee');
      }
    });
  });

  describe('the temporary password never leaks into a result', () => {
    const MARKER = 'PWmarker-9f3c1b';
    const withPassword = (password: string, data: Record<string, unknown> = {}, attributes: Record<string, unknown> = {}) =>
      aRequestedEvent({ temporaryPassword: password, ...data }, attributes);

    const messages: [string, InboundMessage][] = [
      ['not JSON', anInboundMessage({ value: Buffer.from(`{"data": {"temporaryPassword": "${MARKER}"`) })],
      ['not JSON, binary', binaryMessage('x', {}, { value: Buffer.from(`{"temporaryPassword": "${MARKER}"`) })],
      ['invalid UTF-8 around it', anInboundMessage({ value: Buffer.concat([Buffer.from(`{"p":"${MARKER}`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]) })],
      ['oversized', structuredMessage(withPassword(MARKER, { attributes: { 'custom:big': 'x'.repeat(5000) } }))],
      ['a JSON array', structuredMessage([withPassword(MARKER)])],
      ['no specversion', structuredMessage({ ...withPassword(MARKER), specversion: undefined }, NO_HEADERS)],
      ['an unsupported content-type', structuredMessage(withPassword(MARKER), { 'content-type': 'text/plain' })],
      ['no id', structuredMessage({ ...withPassword(MARKER), id: undefined })],
      ['the wrong type', structuredMessage(withPassword(MARKER, {}, { type: 'user.deleted.v1' }))],
      ['a password with whitespace', structuredMessage(withPassword(`${MARKER} ${MARKER}`))],
      ['a password over 256 characters', structuredMessage(withPassword(MARKER.repeat(20)))],
      ['a password of the wrong type', structuredMessage(withPassword(MARKER, { temporaryPassword: [MARKER] }))],
      ['a password under a misspelt name', structuredMessage(aRequestedEvent({ temporaryPasword: MARKER }))],
      ['a password beside other violations', structuredMessage(withPassword(MARKER, { username: 'j doe', messageAction: 'SEND', extra: MARKER }))],
      ['a password in binary mode with bad data', binaryMessage({ username: 'jdoe', temporaryPassword: `${MARKER} x`, extra: 1 })],
      ['a valid request', structuredMessage(withPassword(MARKER))],
    ];

    it.each(messages)('%s', (_name, message) => {
      const decoded = decode(message);
      const raw = message.value?.toString('utf8') ?? '';
      for (const text of allStrings(decoded)) {
        expect(text).not.toContain(MARKER);
        if (raw.length > 0) expect(text).not.toContain(raw);
      }
      expect(JSON.stringify(decoded)).not.toContain(MARKER);
    });
  });

  describe('trace context from a plain traceparent Kafka header', () => {
    const OTHER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

    it('is used when the event carries none', () => {
      const message = structuredMessage(aRequestedEvent({}));
      const decoded = expectKind(decode({ ...message, headers: { ...message.headers, traceparent: OTHER } }), 'request');
      expect(decoded.request.traceparent).toBe(OTHER);
    });

    it('gives way to the event attribute', () => {
      const message = structuredMessage(aRequestedEvent({}, { traceparent: TRACEPARENT }));
      const decoded = expectKind(decode({ ...message, headers: { ...message.headers, traceparent: OTHER } }), 'request');
      expect(decoded.request.traceparent).toBe(TRACEPARENT);
    });

    it('is dropped when malformed', () => {
      const message = structuredMessage(aRequestedEvent({}));
      const decoded = expectKind(decode({ ...message, headers: { ...message.headers, traceparent: 'not-a-trace' } }), 'request');
      expect(decoded.request.traceparent).toBeUndefined();
    });
  });
});
