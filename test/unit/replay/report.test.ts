import { describe, expect, it } from 'vitest';
import type { PersonalDataMask } from '../../../src/events/personal-data.port.ts';
import { formatHeader, formatLine, formatSummary, printable } from '../../../src/replay/report.ts';

const identity: PersonalDataMask = (value) => value;
const candidate = {
  requestId: 'req-1',
  key: Buffer.from('jdoe'),
  cause: 'retries-exhausted',
  via: { topic: 'user-provisioning-failed', partition: 0, offset: '3' },
  source: { topic: 'user-requested', partition: 2, offset: '40' },
};

describe('report lines', () => {
  it('names the request, the key, the cause and the places', () => {
    expect(formatLine('sent', 'failed', candidate, identity, { to: { topic: 'user-requested', partition: 1, offset: '99' } }))
      .toBe('sent request-id=req-1 key=jdoe reason=retries-exhausted source=user-requested/2/40 failed-event=user-provisioning-failed/0/3 to=user-requested/1/99');
    expect(formatLine('skipped', 'dlq', { ...candidate, requestId: undefined, key: null, cause: 'oversized', source: undefined }, identity, { skip: 'not-a-dead-letter' }))
      .toBe('skipped request-id=- key=- error-class=oversized source=- dead-letter=user-provisioning-failed/0/3 skip=not-a-dead-letter');
  });

  it('quotes and escapes text from messages, so nothing reaches the terminal as a control sequence', () => {
    expect(printable('plain-id_1.2')).toBe('plain-id_1.2');
    expect(printable('two words')).toBe('"two words"');
    expect(printable('\u001b[2Jred\nnext')).toBe('"\\u001b[2Jred\\nnext"');
    expect(printable('a"b')).toBe('"a\\"b"');
    expect(printable('\u009bc')).toBe('"\\u009bc"');
    expect(printable('x'.repeat(300))).toBe(`"${'x'.repeat(200)}…"`);
    expect(printable('')).toBe('""');
  });

  it('says when nothing is sent', () => {
    expect(formatHeader('dlq', 'user-requested.dlq', 'user-requested', true)).toBe('replay: dead letters on user-requested.dlq to user-requested (dry run: nothing is sent)');
    expect(formatHeader('failed', 'f', 'r', false)).toBe('replay: failed events on f to r');
  });

  it('sums up by cause and by why a message was skipped', () => {
    const lines = formatSummary({
      from: 'failed',
      dryRun: true,
      read: 10,
      matched: 4,
      sent: 3,
      skipped: 1,
      byCause: new Map([['retries-exhausted', 3], ['rejected', 1]]),
      skippedBy: new Map([['original-gone', 1]]),
      interrupted: false,
    });
    expect(lines).toEqual([
      'summary: 10 failed events read, 4 matching: 3 would be sent, 1 skipped',
      '  by reason: rejected 1, retries-exhausted 3',
      '  skipped: original-gone 1',
    ]);
  });
});
