import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Cursor } from '../../../../src/adapters/kafka/cursor.ts';
import type { InboundMessage } from '../../../../src/events/message.ts';

const IDLE_MS = 10_000;

function message(offset: bigint): InboundMessage {
  return { topic: 't', partition: 0, offset: offset.toString(), key: null, value: Buffer.from(`m${offset}`), headers: {}, timestamp: '0' };
}

async function collect(messages: AsyncGenerator<InboundMessage>): Promise<string[]> {
  const offsets: string[] = [];
  for await (const { offset } of messages) offsets.push(offset);
  return offsets;
}

/** The offset of the next message, or undefined once the range ended. */
async function nextOffset(messages: AsyncGenerator<InboundMessage>): Promise<string | undefined> {
  const result = await messages.next();
  return result.done === true ? undefined : result.value.offset;
}

describe('Cursor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('yields what it is offered, in order, and ends once the position reaches the end of the range', async () => {
    const cursor = new Cursor('t', 0, 5n, 8n, IDLE_MS);
    const read = collect(cursor.messages());
    const heartbeat = vi.fn(() => Promise.resolve());
    await cursor.offer([message(5n), message(6n)], 7n, heartbeat);
    await cursor.offer([message(7n)], 8n, heartbeat);
    expect(await read).toEqual(['5', '6', '7']);
    expect(cursor.next).toBe(8n);
  });

  it('ends the range on an advance past offsets that hold no message (transaction markers)', async () => {
    const cursor = new Cursor('t', 0, 0n, 3n, IDLE_MS);
    const read = collect(cursor.messages());
    await vi.advanceTimersByTimeAsync(1);
    cursor.advance(3n);
    expect(await read).toEqual([]);
  });

  it('never moves the position back', () => {
    const cursor = new Cursor('t', 0, 5n, 9n, IDLE_MS);
    cursor.advance(3n);
    expect(cursor.next).toBe(5n);
  });

  it('holds an offer, heartbeating every second, until the reader has taken its messages', async () => {
    const cursor = new Cursor('t', 0, 0n, 10n, IDLE_MS);
    const heartbeat = vi.fn(() => Promise.resolve());
    let offered = false;
    const offer = cursor.offer([message(0n), message(1n)], 2n, heartbeat).then(() => (offered = true));
    await vi.advanceTimersByTimeAsync(2_500);
    expect(offered).toBe(false);
    expect(heartbeat).toHaveBeenCalledTimes(2);
    const messages = cursor.messages();
    expect(await nextOffset(messages)).toBe('0');
    expect(await nextOffset(messages)).toBe('1');
    await offer;
    expect(offered).toBe(true);
    expect(heartbeat).toHaveBeenCalledTimes(3);
    cursor.close();
    expect(await nextOffset(messages)).toBeUndefined();
  });

  it('gives the messages in hand before the failure, then throws it', async () => {
    const cursor = new Cursor('t', 0, 0n, 10n, IDLE_MS);
    const offered = cursor.offer([message(0n)], 1n, () => Promise.resolve());
    const crash = new Error('the consumer crashed');
    cursor.fail(crash);
    const messages = cursor.messages();
    expect(await nextOffset(messages)).toBe('0');
    await offered;
    await expect(messages.next()).rejects.toBe(crash);
  });

  it('on close, lets a waiting offer go at once, without waiting for a reader', async () => {
    const cursor = new Cursor('t', 0, 0n, 10n, IDLE_MS);
    const heartbeat = vi.fn(() => Promise.resolve());
    let offered = false;
    const offer = cursor.offer([message(0n)], 1n, heartbeat).then(() => (offered = true));
    await vi.advanceTimersByTimeAsync(1);
    expect(offered).toBe(false);
    cursor.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(offered).toBe(true);
    await offer;
    expect(heartbeat).toHaveBeenCalledTimes(1);
  });

  it('on close, ends a reader that waits for messages', async () => {
    const cursor = new Cursor('t', 0, 0n, 10n, IDLE_MS);
    const read = collect(cursor.messages());
    await vi.advanceTimersByTimeAsync(1);
    cursor.close();
    expect(await read).toEqual([]);
  });

  it('fails after the idle timeout without progress, not counting time the caller spent on a message', async () => {
    const cursor = new Cursor('t', 0, 0n, 10n, IDLE_MS);
    const messages = cursor.messages();
    void cursor.offer([message(0n)], 1n, () => Promise.resolve());
    expect(await nextOffset(messages)).toBe('0');
    // The caller holds the message longer than the idle timeout: that is not the broker's wait.
    await vi.advanceTimersByTimeAsync(IDLE_MS * 2);
    const next = messages.next();
    const failure = expect(next).rejects.toThrow('no progress reading t partition 0 at offset 1 for 10 s');
    await vi.advanceTimersByTimeAsync(IDLE_MS - 1);
    let settled = false;
    void next.then(() => (settled = true), () => (settled = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await failure;
  });
});
