import { describe, expect, it } from 'vitest';
import { definedHeaders } from '../../../src/events/message.ts';

describe('definedHeaders', () => {
  const headers = { 'content-type': Buffer.from('application/json'), traceparent: 'tp', absent: undefined, many: ['a', Buffer.from('b')] };

  it('keeps every header that has a value, as it is, and drops those without', () => {
    expect(definedHeaders(headers)).toEqual({ 'content-type': Buffer.from('application/json'), traceparent: 'tp', many: ['a', Buffer.from('b')] });
  });

  it('keeps only the names `keep` accepts', () => {
    expect(definedHeaders(headers, (name) => name !== 'traceparent')).toEqual({ 'content-type': Buffer.from('application/json'), many: ['a', Buffer.from('b')] });
  });
});
