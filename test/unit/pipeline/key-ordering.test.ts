// Key-ordered concurrency inside one partition's batch: many keys in flight, each key in order,
// offsets resolved only up to the lowest unfinished message, a global bound on messages in flight.
import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/events/message.ts';
import { InFlightSlots } from '../../../src/pipeline/in-flight-slots.ts';
import { processBatch, type BatchDeps } from '../../../src/pipeline/process-batch.ts';
import { SystemicPause } from '../../../src/pipeline/systemic-pause.ts';
import { DirectoryError, SystemicError } from '../../../src/provisioning/errors.ts';
import { anInboundMessage } from '../../support/builders.ts';
import { FakeBatch } from '../../support/fakes/fake-batch.ts';

/** `offset:key` pairs; a key of "-" is a message without key. */
function messages(...specs: string[]): InboundMessage[] {
  return specs.map((spec) => {
    const [offset = '', key = ''] = spec.split(':');
    return anInboundMessage({ offset, key: key === '-' ? null : Buffer.from(key) });
  });
}

/** A handler whose calls the test finishes one by one, by offset. */
function gatedHandler() {
  const gates = new Map<string, PromiseWithResolvers<undefined>>();
  const started: string[] = [];
  const gate = (offset: string) => {
    let entry = gates.get(offset);
    if (!entry) {
      entry = Promise.withResolvers<undefined>();
      gates.set(offset, entry);
    }
    return entry;
  };
  return {
    started,
    handle: async (message: InboundMessage) => {
      started.push(message.offset);
      await gate(message.offset).promise;
    },
    finish: (offset: string) => gate(offset).resolve(undefined),
    fail: (offset: string, error: unknown) => gate(offset).reject(error),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function deps(overrides: Partial<BatchDeps> & Pick<BatchDeps, 'handle'>): BatchDeps {
  const pause = new SystemicPause({ paused: () => undefined, resumed: () => undefined, fetchingCanary: () => undefined }, { firstDelayMs: 60_000, maxDelayMs: 60_000, sustainedMs: 60_000 });
  return {
    pause,
    signal: new AbortController().signal,
    heartbeatIntervalMs: 60_000,
    slots: new InFlightSlots(16),
    ...overrides,
  };
}

describe('key-ordered concurrency', () => {
  it('runs different keys at once and resolves only up to the lowest unfinished offset', async () => {
    const batch = new FakeBatch(messages('10:a', '11:b', '12:c'));
    const handler = gatedHandler();
    const done = processBatch(batch, deps({ handle: handler.handle }));
    await settle();
    expect(handler.started).toEqual(['10', '11', '12']);

    handler.finish('12');
    handler.finish('11');
    await settle();
    expect(batch.resolved).toEqual([]);

    handler.finish('10');
    await done;
    expect(batch.resolved).toEqual(['12']);
  });

  it('keeps one key strictly in order', async () => {
    const batch = new FakeBatch(messages('10:a', '11:b', '12:a', '13:a'));
    const handler = gatedHandler();
    const done = processBatch(batch, deps({ handle: handler.handle }));
    await settle();
    expect(handler.started).toEqual(['10', '11']);

    handler.finish('10');
    await settle();
    expect(handler.started).toEqual(['10', '11', '12']);
    expect(batch.resolved).toEqual(['10']);

    handler.finish('12');
    handler.finish('11');
    await settle();
    expect(handler.started).toEqual(['10', '11', '12', '13']);
    handler.finish('13');
    await done;
    expect(batch.resolved.at(-1)).toBe('13');
  });

  it('treats messages without a key as one key, in partition order', async () => {
    const batch = new FakeBatch(messages('10:-', '11:-', '12:x'));
    const handler = gatedHandler();
    const done = processBatch(batch, deps({ handle: handler.handle }));
    await settle();
    expect(handler.started).toEqual(['10', '12']);
    for (const offset of ['10', '11', '12']) {
      handler.finish(offset);
      await settle();
    }
    await done;
    expect(handler.started).toEqual(['10', '12', '11']);
    expect(batch.resolved.at(-1)).toBe('12');
  });

  it('never has more messages in flight than the slots allow, across batches', async () => {
    const slots = new InFlightSlots(2);
    const handler = gatedHandler();
    const first = new FakeBatch(messages('10:a', '11:b', '12:c'), 'user-requested', 0);
    const second = new FakeBatch(messages('20:d'), 'user-requested', 1);
    const done = Promise.all([processBatch(first, deps({ handle: handler.handle, slots })), processBatch(second, deps({ handle: handler.handle, slots }))]);
    await settle();
    expect(handler.started).toHaveLength(2);

    handler.finish(handler.started[0] ?? '');
    await settle();
    expect(handler.started).toHaveLength(3);

    for (const offset of ['10', '11', '12', '20']) handler.finish(offset);
    await done;
    expect(handler.started.sort()).toEqual(['10', '11', '12', '20']);
    expect(slots.used).toBe(0);
  });

  it('at shutdown hands back what is unfinished, and nothing after it on the same key starts', async () => {
    const shutdown = new AbortController();
    const batch = new FakeBatch(messages('10:a', '11:b', '12:a'));
    const handler = gatedHandler();
    const done = processBatch(batch, deps({ handle: handler.handle, signal: shutdown.signal }));
    await settle();
    handler.finish('11');
    await settle();
    shutdown.abort(new Error('shutdown'));
    handler.fail('10', new Error('aborted by the shutdown'));
    await done;
    expect(handler.started).toEqual(['10', '11']);
    // 11 is done, but 10 is not: nothing may be committed past it.
    expect(batch.resolved).toEqual([]);
  });

  it('after a failure lets the other messages in flight finish, resolves what is contiguous, and rethrows', async () => {
    const batch = new FakeBatch(messages('10:a', '11:b', '12:c', '13:d'));
    const handler = gatedHandler();
    const slots = new InFlightSlots(3);
    const done = processBatch(batch, deps({ handle: handler.handle, slots }));
    await settle();
    expect(handler.started).toEqual(['10', '11', '12']);
    handler.finish('10');
    handler.fail('11', new Error('the broker did not acknowledge'));
    await settle();
    handler.finish('12');
    await expect(done).rejects.toThrow('the broker did not acknowledge');
    expect(handler.started).not.toContain('13');
    expect(batch.resolved).toEqual(['10']);
    expect(slots.used).toBe(0);
  });

  it('a systemic error on one key pauses every key; all continue after the canary', async () => {
    let fixed = false;
    const pause = new SystemicPause({ paused: () => undefined, resumed: () => undefined, fetchingCanary: () => undefined }, { firstDelayMs: 1, maxDelayMs: 1, sustainedMs: 60_000 });
    const calls: string[] = [];
    const batch = new FakeBatch(messages('10:a', '11:b'));
    const done = processBatch(batch, deps({
      pause,
      heartbeatIntervalMs: 5,
      handle: (message) => {
        calls.push(message.offset);
        return fixed ? Promise.resolve() : Promise.reject(new SystemicError(new DirectoryError('NotAuthorizedException', 'expired'), 'us-east-1_x'));
      },
    }));
    await settle();
    expect(pause.paused).toBe(true);
    fixed = true;
    await done;
    expect(pause.paused).toBe(false);
    expect(batch.resolved.at(-1)).toBe('11');
    expect(calls.filter((offset) => offset === '10').length).toBeGreaterThanOrEqual(2);
  });

  it('once halted (quarantine), starts nothing new and hands back what did not start', async () => {
    let halted = false;
    const batch = new FakeBatch(messages('10:a', '11:a', '12:b'));
    const handler = gatedHandler();
    const done = processBatch(batch, deps({ handle: handler.handle, halted: () => halted }));
    await settle();
    expect(handler.started).toEqual(['10', '12']);
    halted = true;
    handler.finish('10');
    handler.finish('12');
    await done;
    // 11 waited behind 10 on key a and never started: it stays uncommitted for redelivery.
    expect(handler.started).toEqual(['10', '12']);
    expect(batch.resolved).toEqual(['10']);
  });
});

describe('InFlightSlots', () => {
  it('gives a released slot to the longest waiter, and an aborted waiter gives up its place', async () => {
    const slots = new InFlightSlots(1);
    const abort = new AbortController();
    await slots.acquire(new AbortController().signal);
    const order: string[] = [];
    const first = slots.acquire(abort.signal).then(() => order.push('first'), () => order.push('first aborted'));
    const second = slots.acquire(new AbortController().signal).then(() => order.push('second'));
    abort.abort(new Error('stop'));
    await first;
    slots.release();
    await second;
    expect(order).toEqual(['first aborted', 'second']);
    expect(slots.used).toBe(1);
    slots.release();
    expect(slots.used).toBe(0);
  });

  it('refuses a capacity below one', () => {
    expect(() => new InFlightSlots(0)).toThrow(RangeError);
  });
});
