import { describe, expect, it } from 'vitest';
import type { InboundMessage } from '../../../src/events/message.ts';
import { InFlightSlots } from '../../../src/pipeline/in-flight-slots.ts';
import { processBatch, type BatchDeps } from '../../../src/pipeline/process-batch.ts';
import { SystemicPause } from '../../../src/pipeline/systemic-pause.ts';
import { DirectoryError, SystemicError } from '../../../src/provisioning/errors.ts';
import { anInboundMessage } from '../../support/builders.ts';
import { FakeBatch } from '../../support/fakes/fake-batch.ts';

// Real timers with tiny delays: the waits below are on promises the fakes resolve, never on time.

function messages(...offsets: string[]): InboundMessage[] {
  return offsets.map((offset) => anInboundMessage({ offset }));
}

/** A promise the test opens by hand. */
function latch(): { promise: Promise<undefined>; resolve: () => void } {
  const { promise, resolve } = Promise.withResolvers<undefined>();
  return { promise, resolve: () => resolve(undefined) };
}

function systemicError(): SystemicError {
  return new SystemicError(new DirectoryError('NotAuthorizedException', 'expired'), 'us-east-1_Example1');
}

/**
 * A SystemicPause with waits of a millisecond or two; `paused` resolves when it pauses.
 * `handleSystemic` fails with a systemic error until fix() is called, then resolves.
 */
function controlledPause() {
  let fixed = false;
  const paused = latch();
  const events: string[] = [];
  const pause = new SystemicPause(
    {
      paused: () => {
        events.push('paused');
        paused.resolve();
      },
      resumed: () => events.push('resumed'),
      fetchingCanary: () => events.push('fetching'),
    },
    { firstDelayMs: 1, maxDelayMs: 2, sustainedMs: 60_000 },
  );
  const handleSystemic = () => (fixed ? Promise.resolve() : Promise.reject(systemicError()));
  return { pause, events, paused: paused.promise, fix: () => void (fixed = true), handleSystemic };
}

function deps(overrides: Partial<BatchDeps> & Pick<BatchDeps, 'handle'>): BatchDeps {
  const { pause } = controlledPause();
  return { pause, signal: new AbortController().signal, heartbeatIntervalMs: 1, slots: new InFlightSlots(16), ...overrides };
}

describe('processBatch', () => {
  it('handles every message in order, resolving and committing each after its handler', async () => {
    const batch = new FakeBatch(messages('10', '11', '12'));
    await processBatch(batch, deps({
      handle: (message) => {
        batch.events.push(`handle:${message.offset}`);
        return Promise.resolve();
      },
    }));
    expect(batch.events).toEqual(['handle:10', 'resolve:10', 'commit', 'handle:11', 'resolve:11', 'commit', 'handle:12', 'resolve:12', 'commit']);
  });

  it('resolves an offset only once the handler has resolved (its outcome is acknowledged)', async () => {
    const batch = new FakeBatch(messages('10', '11'));
    const acknowledged = latch();
    const started = latch();
    const done = processBatch(batch, deps({
      handle: (message) => {
        if (message.offset !== '10') return Promise.resolve();
        started.resolve();
        return acknowledged.promise;
      },
    }));
    await started.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expect(batch.resolved).toEqual([]);
    acknowledged.resolve();
    await done;
    expect(batch.resolved).toEqual(['10', '11']);
  });

  it('lets a handler error other than SystemicError propagate, leaving the offset and the rest unresolved', async () => {
    const batch = new FakeBatch(messages('10', '11', '12'));
    const bug = new Error('publish not acknowledged');
    const handled: string[] = [];
    const { pause, events } = controlledPause();
    const failing = processBatch(batch, deps({
      pause,
      handle: (message) => {
        handled.push(message.offset);
        return message.offset === '11' ? Promise.reject(bug) : Promise.resolve();
      },
    }));
    await expect(failing).rejects.toBe(bug);
    expect(handled).toEqual(['10', '11']);
    expect(batch.resolved).toEqual(['10']);
    expect(events).toEqual([]);
  });

  describe('on a systemic error', () => {
    it('pauses, heartbeats while paused, runs the same message again as the canary, and the next only once it succeeds', async () => {
      const batch = new FakeBatch(messages('10', '11'));
      const control = controlledPause();
      const heartbeat = latch();
      batch.onHeartbeat = () => heartbeat.resolve();
      const handled: string[] = [];
      const canaries = latch();
      const done = processBatch(batch, deps({
        pause: control.pause,
        handle: (message) => {
          handled.push(message.offset);
          // The first call and two canaries have met the fault.
          if (handled.length === 3) canaries.resolve();
          return message.offset === '10' ? control.handleSystemic() : Promise.resolve();
        },
      }));

      await control.paused;
      await heartbeat.promise;
      await canaries.promise;
      expect(control.pause.paused).toBe(true);
      expect(batch.heartbeats).toBeGreaterThan(0);
      expect(batch.resolved).toEqual([]);
      expect(new Set(handled)).toEqual(new Set(['10']));

      control.fix();
      await done;
      expect(handled.slice(-2)).toEqual(['10', '11']);
      expect(handled.filter((offset) => offset === '11')).toEqual(['11']);
      expect(batch.resolved).toEqual(['10', '11']);
      expect(control.events).toEqual(['paused', 'resumed']);
    });

    it('pauses once when several partitions trip it, and all go on after the canary', async () => {
      const control = controlledPause();
      const batches = [new FakeBatch(messages('1'), 'user-requested', 0), new FakeBatch(messages('7'), 'user-requested', 1), new FakeBatch(messages('9'), 'user-requested', 2)];
      const tripped: Promise<undefined>[] = [];
      const runs = batches.map((batch) => {
        const hasTripped = latch();
        tripped.push(hasTripped.promise);
        return processBatch(batch, deps({
          pause: control.pause,
          handle: () => {
            hasTripped.resolve();
            return control.handleSystemic();
          },
        }));
      });
      await Promise.all(tripped);
      await control.paused;
      expect(control.events).toEqual(['paused']);
      control.fix();
      await Promise.all(runs);
      expect(batches.map((batch) => batch.resolved)).toEqual([['1'], ['7'], ['9']]);
      expect(control.events).toEqual(['paused', 'resumed']);
    });

    it('does not start the next message while paused', async () => {
      const batch = new FakeBatch(messages('10', '11'));
      const control = controlledPause();
      const heartbeat = latch();
      batch.onHeartbeat = () => heartbeat.resolve();
      const handled: string[] = [];
      const done = processBatch(batch, deps({
        pause: control.pause,
        handle: (message) => {
          handled.push(message.offset);
          return message.offset === '10' ? control.handleSystemic() : Promise.resolve();
        },
      }));
      await heartbeat.promise;
      expect(new Set(handled)).toEqual(new Set(['10']));
      control.fix();
      await done;
      expect(handled.slice(-2)).toEqual(['10', '11']);
      expect(handled.filter((offset) => offset === '11')).toEqual(['11']);
    });

    it('passes the canary on when it fails for another reason: its batch fails, the other message is the next canary', async () => {
      const control = controlledPause();
      const bug = new Error('publish not acknowledged');
      const batches = [new FakeBatch(messages('1'), 'user-requested', 0), new FakeBatch(messages('7'), 'user-requested', 1)];
      const calls: string[] = [];
      const handle = (message: InboundMessage) => {
        calls.push(message.offset);
        if (calls.length <= 2) return control.handleSystemic();
        // The first canary meets a bug; the second is answered.
        return calls.length === 3 ? Promise.reject(bug) : Promise.resolve();
      };
      const results = await Promise.allSettled(batches.map((batch) => processBatch(batch, deps({ pause: control.pause, handle }))));
      expect(calls).toHaveLength(4);
      const [firstCanary, secondCanary] = calls.slice(2);
      expect([firstCanary, secondCanary].sort()).toEqual(['1', '7']);
      expect(results.map((result) => result.status)).toEqual(firstCanary === '1' ? ['rejected', 'fulfilled'] : ['fulfilled', 'rejected']);
      expect(results.find((result) => result.status === 'rejected')?.reason).toBe(bug);
      expect(control.events).toEqual(['paused', 'resumed']);
    });

    it('hands the message back, unresolved, when shutdown aborts the wait', async () => {
      const batch = new FakeBatch(messages('10', '11'));
      const control = controlledPause();
      const shutdown = new AbortController();
      const handled: string[] = [];
      const done = processBatch(batch, deps({
        pause: control.pause,
        signal: shutdown.signal,
        heartbeatIntervalMs: 60_000,
        handle: (message) => {
          handled.push(message.offset);
          return Promise.reject(systemicError());
        },
      }));
      await control.paused;
      shutdown.abort(new Error('shutdown'));
      await expect(done).resolves.toBeUndefined();
      expect(handled).toEqual(['10']);
      expect(batch.resolved).toEqual([]);
      expect(batch.events).not.toContain('commit');
    });

    it('hands the message back when the partition is taken away during the pause', async () => {
      const batch = new FakeBatch(messages('10'));
      const control = controlledPause();
      const heartbeat = latch();
      batch.onHeartbeat = () => {
        batch.active = false;
        heartbeat.resolve();
      };
      const done = processBatch(batch, deps({ pause: control.pause, handle: () => Promise.reject(systemicError()) }));
      await heartbeat.promise;
      await done;
      expect(batch.resolved).toEqual([]);
    });
  });

  it('hands back a message whose handler fails because of the shutdown', async () => {
    const batch = new FakeBatch(messages('10', '11'));
    const shutdown = new AbortController();
    const done = processBatch(batch, deps({
      signal: shutdown.signal,
      handle: () => {
        shutdown.abort(new Error('shutdown'));
        return Promise.reject(new Error('aborted call'));
      },
    }));
    await expect(done).resolves.toBeUndefined();
    expect(batch.resolved).toEqual([]);
  });

  it('handles nothing once aborted or inactive', async () => {
    const handled: string[] = [];
    const handle = (message: InboundMessage) => {
      handled.push(message.offset);
      return Promise.resolve();
    };
    const aborted = new AbortController();
    aborted.abort();
    await processBatch(new FakeBatch(messages('1')), deps({ handle, signal: aborted.signal }));
    const inactive = new FakeBatch(messages('2'));
    inactive.active = false;
    await processBatch(inactive, deps({ handle }));
    expect(handled).toEqual([]);
  });

  it('keeps heartbeating while a message takes long (retries, rate limit), so the partition is not lost', async () => {
    const batch = new FakeBatch(messages('7'));
    const beaten = latch();
    batch.onHeartbeat = () => {
      if (batch.heartbeats >= 3) beaten.resolve();
    };
    // The handler finishes only after three heartbeats: without them this test never ends.
    await processBatch(batch, deps({ handle: () => beaten.promise.then(() => undefined) }));
    expect(batch.heartbeats).toBeGreaterThanOrEqual(3);
    expect(batch.resolved).toEqual(['7']);
  });
  describe('when the partition is taken away, the messages in progress are handed back at once', () => {
    /** A message waiting in Cognito retries or the rate limiter: it ends only when its signal aborts. */
    function waitingForCognito(started: string[], signals: AbortSignal[], onStart: (count: number) => void = () => undefined) {
      return (message: InboundMessage, signal: AbortSignal) => {
        started.push(message.offset);
        signals.push(signal);
        onStart(started.length);
        return new Promise<void>((_, reject) => {
          if (signal.aborted) reject(signal.reason as Error);
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        });
      };
    }

    function keyed(offset: string, key: string): InboundMessage {
      return anInboundMessage({ offset, key: Buffer.from(key) });
    }

    it('when its heartbeat finds the group rebalancing: their signals abort, nothing is resolved, nothing more starts', async () => {
      const batch = new FakeBatch([keyed('1', 'a'), keyed('2', 'b'), keyed('3', 'a')]);
      const started: string[] = [];
      const signals: AbortSignal[] = [];
      const handle = waitingForCognito(started, signals, (count) => {
        // Both keys in flight, then kafkajs's heartbeat says REBALANCE_IN_PROGRESS.
        if (count === 2) batch.rebalancing = Object.assign(new Error('The group is rebalancing'), { type: 'REBALANCE_IN_PROGRESS' });
      });
      await processBatch(batch, deps({ handle }));
      expect(started).toEqual(['1', '2']);
      expect(signals.every((signal) => signal.aborted)).toBe(true);
      expect(batch.resolved).toEqual([]);
    });

    it('when another batch heard of the rebalance (the transport revokes this one too)', async () => {
      const batch = new FakeBatch([keyed('1', 'a'), keyed('2', 'a')]);
      const started: string[] = [];
      const signals: AbortSignal[] = [];
      const handle = waitingForCognito(started, signals, () => batch.revoke());
      await processBatch(batch, deps({ handle, heartbeatIntervalMs: 60_000 }));
      expect(started).toEqual(['1']);
      expect(signals[0]?.aborted).toBe(true);
      expect(batch.resolved).toEqual([]);
    });

    it('when a commit fails: what finished before stays resolved, the rest is handed back', async () => {
      const batch = new FakeBatch([keyed('1', 'a'), keyed('2', 'b')]);
      const signals: AbortSignal[] = [];
      const handle = (message: InboundMessage, signal: AbortSignal) => {
        if (message.offset === '2') return waitingForCognito([], signals)(message, signal);
        batch.rebalancing = Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID' });
        return Promise.resolve();
      };
      await processBatch(batch, deps({ handle, heartbeatIntervalMs: 60_000 }));
      expect(batch.resolved).toEqual(['1']);
      expect(signals[0]?.aborted).toBe(true);
    });

    it('when it waits for an in-flight slot', async () => {
      const slots = new InFlightSlots(1);
      await slots.acquire(new AbortController().signal);
      const batch = new FakeBatch(messages('1'));
      const handled: string[] = [];
      const done = processBatch(batch, deps({ slots, heartbeatIntervalMs: 60_000, handle: (message) => {
        handled.push(message.offset);
        return Promise.resolve();
      } }));
      await Promise.resolve();
      expect(slots.waiting).toBe(1);
      batch.revoke();
      await done;
      expect(handled).toEqual([]);
      expect(slots.waiting).toBe(0);
    });

    it('when it waits out a systemic pause', async () => {
      const control = controlledPause();
      const batch = new FakeBatch(messages('1'));
      const done = processBatch(batch, deps({ pause: control.pause, heartbeatIntervalMs: 60_000, handle: () => Promise.reject(systemicError()) }));
      await control.paused;
      batch.revoke();
      await done;
      expect(batch.resolved).toEqual([]);
    });
  });
});
