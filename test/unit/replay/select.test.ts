import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS } from '../../../src/events/dead-letter.ts';
import type { InboundMessage } from '../../../src/events/message.ts';
import { compileValidators } from '../../../src/events/schemas.ts';
import { peekRequestId } from '../../../src/replay/request-id.ts';
import { selectDeadLetter, selectFailed, unchanged, withoutDeadLetterHeaders } from '../../../src/replay/select.ts';
import { deadLetterMessage, failedEventMessage, options, requestMessage, TOPICS } from '../../support/replay-builders.ts';

const validators = compileValidators();
const source = { topic: TOPICS.requested, partition: 1, offset: '41' };

function inbound(topic: string, message: Pick<InboundMessage, 'key' | 'value' | 'headers'>, offset = '5'): InboundMessage {
  return { topic, partition: 0, offset, timestamp: '1700000000000', ...message };
}

describe('selectFailed', () => {
  it('asks for the original at data.source, for the request id of the failed event', () => {
    const selection = selectFailed(inbound(TOPICS.failed, failedEventMessage('req-1', source)), options(), validators.failed);
    expect(selection).toEqual({
      kind: 'fetch',
      candidate: {
        requestId: 'req-1',
        key: Buffer.from('user-req-1'),
        cause: 'retries-exhausted',
        via: { topic: TOPICS.failed, partition: 0, offset: '5' },
        source,
      },
    });
  });

  it('ignores failed events of other reasons and other request ids', () => {
    const message = inbound(TOPICS.failed, failedEventMessage('req-1', source, 'rejected'));
    expect(selectFailed(message, options({ reasons: new Set(['retries-exhausted']) }), validators.failed)).toEqual({ kind: 'ignored' });
    expect(selectFailed(message, options({ requestIds: new Set(['req-2']) }), validators.failed)).toEqual({ kind: 'ignored' });
    expect(selectFailed(message, options({ reasons: new Set(['rejected']), requestIds: new Set(['req-1']) }), validators.failed).kind).toBe('fetch');
  });

  it.each([
    ['not JSON', Buffer.from('{')],
    ['no value', null],
    ['a created event', Buffer.from(JSON.stringify({ specversion: '1.0', type: 'user.created.v1', data: {} }))],
  ])('skips %s as unreadable', (_what, value) => {
    const selection = selectFailed(inbound(TOPICS.failed, { key: null, value, headers: {} }), options(), validators.failed);
    expect(selection).toMatchObject({ kind: 'skip', why: 'unreadable', candidate: { requestId: undefined, cause: 'unknown' } });
  });
});

describe('selectDeadLetter', () => {
  it('sends the dead letter without the headers the service added, and says where it came from', () => {
    const original = requestMessage('req-1');
    const selection = selectDeadLetter(inbound(TOPICS.dlq, deadLetterMessage(original, 'oversized', source)), options({ from: 'dlq' }));
    expect(selection).toEqual({
      kind: 'send',
      candidate: { requestId: 'req-1', key: original.key, cause: 'oversized', via: { topic: TOPICS.dlq, partition: 0, offset: '5' }, source },
      message: { key: original.key, value: original.value, headers: original.headers },
    });
  });

  it('matches the error class and request id given', () => {
    const message = inbound(TOPICS.dlq, deadLetterMessage(requestMessage('req-1'), 'processing-error', source));
    expect(selectDeadLetter(message, options({ from: 'dlq', errorClasses: new Set(['oversized']) }))).toEqual({ kind: 'ignored' });
    expect(selectDeadLetter(message, options({ from: 'dlq', requestIds: new Set(['other']) }))).toEqual({ kind: 'ignored' });
    expect(selectDeadLetter(message, options({ from: 'dlq', errorClasses: new Set(['processing-error']), requestIds: new Set(['req-1']) })).kind).toBe('send');
  });

  it('skips a message without dlq-error-class: it was not put there by the service', () => {
    const selection = selectDeadLetter(inbound(TOPICS.dlq, requestMessage('req-1')), options({ from: 'dlq' }));
    expect(selection).toMatchObject({ kind: 'skip', why: 'not-a-dead-letter', candidate: { cause: 'unknown', source: undefined } });
  });

  it('leaves no source when the dlq-source-* headers are incomplete or malformed', () => {
    const message = deadLetterMessage(requestMessage('req-1'), 'not-json', source);
    const headers = { ...message.headers, [DEAD_LETTER_HEADERS.partition]: Buffer.from('one') };
    const selection = selectDeadLetter(inbound(TOPICS.dlq, { ...message, headers }), options({ from: 'dlq' }));
    expect(selection).toMatchObject({ kind: 'send', candidate: { source: undefined } });
  });
});

describe('the message sent', () => {
  it('keeps every header of the original, repeated ones too, and drops only the dlq-* ones', () => {
    const message = inbound(TOPICS.dlq, {
      key: Buffer.from('k'),
      value: Buffer.from('v'),
      headers: { a: Buffer.from('1'), many: [Buffer.from('x'), Buffer.from('y')], gone: undefined, [DEAD_LETTER_HEADERS.errorClass]: Buffer.from('not-json') },
    });
    expect(withoutDeadLetterHeaders(message)).toEqual({ key: Buffer.from('k'), value: Buffer.from('v'), headers: { a: Buffer.from('1'), many: [Buffer.from('x'), Buffer.from('y')] } });
    expect(unchanged(message).headers).toHaveProperty(DEAD_LETTER_HEADERS.errorClass);
  });
});

describe('peekRequestId', () => {
  it('reads the id in structured mode and binary mode', () => {
    expect(peekRequestId(requestMessage('req-9'))).toBe('req-9');
    expect(peekRequestId({ value: Buffer.from('{}'), headers: { ce_id: Buffer.from('bin-1') } })).toBe('bin-1');
  });

  it.each([
    ['no value', null],
    ['not JSON', Buffer.from('{')],
    ['an array', Buffer.from('[1]')],
    ['a number as id', Buffer.from('{"id":7}')],
    ['an empty id', Buffer.from('{"id":""}')],
  ])('finds none in %s', (_what, value) => {
    expect(peekRequestId({ value, headers: {} })).toBeUndefined();
  });
});
