import { describe, expect, it } from 'vitest';
import { personalData } from '../../../src/adapters/logger.ts';
import { DEAD_LETTER_HEADERS } from '../../../src/events/dead-letter.ts';
import { compileValidators } from '../../../src/events/schemas.ts';
import { replay } from '../../../src/replay/replay.ts';
import type { ReplayOptions } from '../../../src/replay/replay-options.ts';
import { deadLetterMessage, failedEventMessage, options, PASSWORD, requestMessage, TOPICS } from '../../support/replay-builders.ts';
import { FakeKafkaLog } from '../../support/fakes/fake-kafka-log.ts';

const validators = compileValidators();

async function run(log: FakeKafkaLog, given: Partial<ReplayOptions>, extra: { signal?: AbortSignal; logPersonalData?: boolean } = {}) {
  const lines: string[] = [];
  const summary = await replay(options(given), TOPICS, {
    reader: log,
    writer: log,
    isFailedEvent: validators.failed,
    print: (line) => lines.push(line),
    personal: personalData(extra.logPersonalData ?? false),
    ...(extra.signal !== undefined ? { signal: extra.signal } : {}),
  });
  return { summary, lines, output: lines.join('\n') };
}

/** A request on the input topic and the failed event that answered it. */
function failedRequest(log: FakeKafkaLog, id: string, reason: 'retries-exhausted' | 'rejected' = 'retries-exhausted') {
  const original = log.add(TOPICS.requested, requestMessage(id));
  const source = { topic: original.topic, partition: original.partition, offset: original.offset };
  log.add(TOPICS.failed, failedEventMessage(id, source, reason));
  return original;
}

describe('replay --from failed', () => {
  it('sends the original request of each matching failed event unchanged: key, value and headers', async () => {
    const log = new FakeKafkaLog();
    const original = failedRequest(log, 'req-1');
    failedRequest(log, 'req-2', 'rejected');

    const { summary, lines } = await run(log, { reasons: new Set(['retries-exhausted']) });

    expect(log.sent).toHaveLength(1);
    const [sent] = log.sent;
    expect(sent?.topic).toBe(TOPICS.requested);
    expect(sent?.message).toEqual({ key: original.key, value: original.value, headers: original.headers });
    expect(log.fetched).toEqual([{ topic: TOPICS.requested, partition: 0, offset: '0' }]);
    expect(summary).toMatchObject({ read: 2, matched: 1, sent: 1, skipped: 0 });
    expect(lines[1]).toMatch(/^sent request-id=req-1 key=sha256:[0-9a-f]{16} reason=retries-exhausted source=user-requested\/0\/0 failed-event=user-provisioning-failed\/0\/0 to=user-requested\/0\/2$/);
  });

  it('sends nothing in a dry run, and prints the same lines as "would-send"', async () => {
    const log = new FakeKafkaLog();
    failedRequest(log, 'req-1');

    const { summary, output } = await run(log, { dryRun: true });

    expect(log.sent).toEqual([]);
    expect(summary).toMatchObject({ matched: 1, sent: 1, dryRun: true });
    expect(output).toContain('would-send request-id=req-1 ');
    expect(output).toContain('1 would be sent');
    expect(output).not.toMatch(/^sent /m);
  });

  it('skips a request whose original is gone, and never makes one up from the failed event', async () => {
    const log = new FakeKafkaLog();
    const original = failedRequest(log, 'req-gone');
    log.remove(original);

    const { summary, output } = await run(log, {});

    expect(log.sent).toEqual([]);
    expect(summary).toMatchObject({ matched: 1, sent: 0, skipped: 1 });
    expect(summary.skippedBy).toEqual(new Map([['original-gone', 1]]));
    expect(output).toMatch(/^skipped request-id=req-gone .* skip=original-gone$/m);
  });

  it('skips an original that is another request (the topic was created again and offsets reused)', async () => {
    const log = new FakeKafkaLog();
    log.add(TOPICS.requested, requestMessage('someone-else'));
    log.add(TOPICS.failed, failedEventMessage('req-1', { topic: TOPICS.requested, partition: 0, offset: '0' }));

    const { summary } = await run(log, {});

    expect(log.sent).toEqual([]);
    expect(summary.skippedBy).toEqual(new Map([['original-mismatch', 1]]));
  });

  it('sends a request once when it failed more than once', async () => {
    const log = new FakeKafkaLog();
    const original = failedRequest(log, 'req-1');
    const source = { topic: original.topic, partition: original.partition, offset: original.offset };
    log.add(TOPICS.failed, failedEventMessage('req-1', source));

    const { summary } = await run(log, {});

    expect(log.sent).toHaveLength(1);
    expect(summary.skippedBy).toEqual(new Map([['duplicate', 1]]));
  });

  it('reports a message on the failed topic that is no failed event, instead of guessing', async () => {
    const log = new FakeKafkaLog();
    log.add(TOPICS.failed, { key: Buffer.from('k'), value: Buffer.from('{"not":"an event"}') });

    const { summary, output } = await run(log, { reasons: new Set(['rejected']) });

    expect(log.sent).toEqual([]);
    expect(summary.skippedBy).toEqual(new Map([['unreadable', 1]]));
    expect(output).toContain('skip=unreadable');
  });

  it('selects by request id', async () => {
    const log = new FakeKafkaLog();
    for (const id of ['a', 'b', 'c', 'd']) failedRequest(log, id);

    const { summary } = await run(log, { requestIds: new Set(['c']) });

    expect(log.sent.map((s) => s.message.key?.toString())).toEqual(['user-c']);
    expect(summary).toMatchObject({ read: 4, matched: 1 });
  });

  it('stops reading after --limit matching messages', async () => {
    const log = new FakeKafkaLog();
    for (const id of ['a', 'b', 'c', 'd']) failedRequest(log, id);

    const { summary } = await run(log, { limit: 2 });

    expect(log.sent.map((s) => s.message.key?.toString())).toEqual(['user-a', 'user-b']);
    expect(summary).toMatchObject({ read: 2, matched: 2, sent: 2 });
  });

  it('passes the range on to the reader of the failed topic', async () => {
    const log = new FakeKafkaLog();
    const range = { partition: 0, fromOffset: '1', toOffset: '2' };
    await run(log, { range });
    expect(log.ranges).toEqual([{ topic: TOPICS.failed, range }]);
  });

  it('never prints a value or the temporary password, and hashes keys unless personal data is opted in', async () => {
    const log = new FakeKafkaLog();
    failedRequest(log, 'req-1');
    const hidden = await run(log, { dryRun: true });
    expect(hidden.output).not.toContain(PASSWORD);
    expect(hidden.output).not.toContain('user-req-1');
    expect(hidden.output).not.toContain('specversion');

    const shown = await run(log, { dryRun: true }, { logPersonalData: true });
    expect(shown.output).toContain('key=user-req-1');
    expect(shown.output).not.toContain(PASSWORD);
  });

  it('stops between messages when interrupted, and says so', async () => {
    const log = new FakeKafkaLog();
    failedRequest(log, 'a');
    failedRequest(log, 'b');
    const interrupt = new AbortController();
    interrupt.abort();

    const { summary, output } = await run(log, {}, { signal: interrupt.signal });

    expect(log.sent).toEqual([]);
    expect(summary.interrupted).toBe(true);
    expect(output).toMatch(/^interrupted: /m);
  });
});

describe('replay --from dlq', () => {
  const source = { topic: TOPICS.requested, partition: 2, offset: '17' };

  it('sends each dead letter as it was first produced: without the dlq-* headers', async () => {
    const log = new FakeKafkaLog();
    const original = requestMessage('req-big');
    log.add(TOPICS.dlq, deadLetterMessage(original, 'oversized', source));

    const { summary, lines } = await run(log, { from: 'dlq', errorClasses: new Set(['oversized']) });

    expect(log.sent).toHaveLength(1);
    expect(log.sent[0]?.message).toEqual({ key: original.key, value: original.value, headers: original.headers });
    expect(Object.keys(log.sent[0]?.message.headers ?? {}).filter((name) => name.startsWith('dlq-'))).toEqual([]);
    expect(summary).toMatchObject({ read: 1, matched: 1, sent: 1 });
    expect(lines[1]).toMatch(/^sent request-id=req-big key=sha256:\w+ error-class=oversized source=user-requested\/2\/17 dead-letter=user-requested.dlq\/0\/0 to=user-requested\/0\/0$/);
  });

  it('filters by error class and leaves the others alone', async () => {
    const log = new FakeKafkaLog();
    log.add(TOPICS.dlq, deadLetterMessage({ key: null, value: Buffer.from('not json'), headers: {} }, 'not-json', source));
    log.add(TOPICS.dlq, deadLetterMessage(requestMessage('r'), 'processing-error', source));

    const { summary } = await run(log, { from: 'dlq', errorClasses: new Set(['processing-error']) });

    expect(log.sent.map((s) => s.message.value?.toString())).toEqual([requestMessage('r').value?.toString()]);
    expect(summary).toMatchObject({ read: 2, matched: 1 });
    expect(summary.byCause).toEqual(new Map([['processing-error', 1]]));
  });

  it('prints "-" for a dead letter without a request id, and skips a message that is no dead letter', async () => {
    const log = new FakeKafkaLog();
    log.add(TOPICS.dlq, deadLetterMessage({ key: null, value: Buffer.from('\u0000binary'), headers: {} }, 'not-json', source));
    log.add(TOPICS.dlq, { key: Buffer.from('k'), value: Buffer.from('put here by hand') });

    const { summary, lines } = await run(log, { from: 'dlq', dryRun: true });

    expect(lines[1]).toMatch(/^would-send request-id=- key=- error-class=not-json /);
    expect(lines[2]).toMatch(/^skipped .* skip=not-a-dead-letter$/);
    expect(summary).toMatchObject({ matched: 2, sent: 1, skipped: 1 });
  });

  it('ends with a summary by error class', async () => {
    const log = new FakeKafkaLog();
    log.add(TOPICS.dlq, deadLetterMessage(requestMessage('1'), 'oversized', source));
    log.add(TOPICS.dlq, deadLetterMessage(requestMessage('2'), 'oversized', source));

    const { lines } = await run(log, { from: 'dlq' });

    expect(lines.slice(-2)).toEqual(['summary: 2 dead letters read, 2 matching: 2 sent, 0 skipped', '  by error class: oversized 2']);
    expect(log.sent.every((s) => s.message.headers[DEAD_LETTER_HEADERS.errorClass] === undefined)).toBe(true);
  });
});
