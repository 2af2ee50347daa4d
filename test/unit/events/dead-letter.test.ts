import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS, deadLetter } from '../../../src/events/dead-letter.ts';
import { anInboundMessage } from '../../support/builders.ts';

describe('deadLetter', () => {
  const key = Buffer.from('key-1');
  const value = Buffer.from([0xff, 0x00, 0x7b]);
  const input = anInboundMessage({
    topic: 'user-requested',
    partition: 7,
    offset: '1234',
    key,
    value,
    headers: { 'content-type': Buffer.from('text/plain'), ce_id: 'req-1', multi: [Buffer.from('a'), 'b'], absent: undefined },
  });

  it('keeps the key and the value byte for byte', () => {
    const message = deadLetter(input, 'not-json', 'the message value is not valid JSON');
    expect(message.key).toBe(key);
    expect(message.value).toBe(value);
    expect(Buffer.compare(message.value as Buffer, Buffer.from([0xff, 0x00, 0x7b]))).toBe(0);
  });

  it('keeps the headers unchanged and adds where the message came from and why it could not be read', () => {
    const message = deadLetter(input, 'not-json', 'the message value is not valid JSON');
    expect(message.headers).toEqual({
      'content-type': Buffer.from('text/plain'),
      ce_id: 'req-1',
      multi: [Buffer.from('a'), 'b'],
      [DEAD_LETTER_HEADERS.topic]: 'user-requested',
      [DEAD_LETTER_HEADERS.partition]: '7',
      [DEAD_LETTER_HEADERS.offset]: '1234',
      [DEAD_LETTER_HEADERS.errorClass]: 'not-json',
      [DEAD_LETTER_HEADERS.errorMessage]: 'the message value is not valid JSON',
    });
  });

  it('uses the documented dlq-* header names', () => {
    expect(DEAD_LETTER_HEADERS).toEqual({
      topic: 'dlq-source-topic',
      partition: 'dlq-source-partition',
      offset: 'dlq-source-offset',
      errorClass: 'dlq-error-class',
      errorMessage: 'dlq-error-message',
    });
  });

  it('keeps a null key and a null value null', () => {
    const message = deadLetter(anInboundMessage({ key: null, value: null }), 'empty-value', 'the message has no value');
    expect(message.key).toBeNull();
    expect(message.value).toBeNull();
  });

  it('does not modify the input message', () => {
    const headers = { ce_id: 'req-1' };
    deadLetter(anInboundMessage({ headers }), 'missing-id', 'x');
    expect(headers).toEqual({ ce_id: 'req-1' });
  });
});
