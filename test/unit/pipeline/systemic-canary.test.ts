// A systemic pause over the real pipeline (processBatch, provisionUser, the directory calls) on a
// fake directory and a fake clock: how many AdminCreateUser calls a broken deployment costs.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { InboundMessage } from '../../../src/events/message.ts';
import { InFlightSlots } from '../../../src/pipeline/in-flight-slots.ts';
import { processBatch } from '../../../src/pipeline/process-batch.ts';
import { SystemicPause, type CanarySchedule } from '../../../src/pipeline/systemic-pause.ts';
import type { Directory, DirectoryUser, NewUser, PoolConfiguration } from '../../../src/provisioning/directory.port.ts';
import type { DirectoryError } from '../../../src/provisioning/errors.ts';
import { provisionUser } from '../../../src/provisioning/provision-user.ts';
import { createDirectoryCalls } from '../../../src/resilience/directory-calls.ts';
import { tuning } from '../../../src/tuning.ts';
import { POOL, aRequest, anInboundMessage } from '../../support/builders.ts';
import { FakeBatch } from '../../support/fakes/fake-batch.ts';
import { FakeDirectory, simulatedCognitoError } from '../../support/fakes/fake-directory.ts';
import { RecordingLimiter } from '../../support/fakes/recording-limiter.ts';
import { RecordingMetrics } from '../../support/fakes/recording-metrics.ts';

const MAX_IN_FLIGHT = 16;
const PARTITIONS = 4;
const MESSAGES = 20;
const SCHEDULE = tuning.systemicCanary;
const RETRY = { maxAttempts: 12, maxDurationMs: 120_000, minDelayMs: 200, maxDelayMs: 20_000 };

/** When each canary runs after a pause that starts at 0 and never clears: the waits double from firstDelay up to the cap. */
function canaryTimes(windowMs: number, schedule: CanarySchedule): number[] {
  const times: number[] = [];
  for (let at = schedule.firstDelayMs, delay = schedule.firstDelayMs; at < windowMs; delay = Math.min(delay * 2, schedule.maxDelayMs), at += delay) {
    times.push(at);
  }
  return times;
}

/** The fake directory, with AdminCreateUser answering `fault(now)` instead while it returns an error; records when it is called. */
class FaultyDirectory implements Directory {
  readonly createdAt: number[] = [];
  readonly #directory = new FakeDirectory();
  readonly #fault: (now: number) => DirectoryError | undefined;

  constructor(fault: (now: number) => DirectoryError | undefined) {
    this.#fault = fault;
  }

  createUser(user: NewUser, signal?: AbortSignal): Promise<DirectoryUser> {
    this.createdAt.push(Date.now());
    const fault = this.#fault(Date.now());
    return fault === undefined ? this.#directory.createUser(user, signal) : Promise.reject(fault);
  }

  getUser(userPoolId: string, username: string, signal?: AbortSignal): Promise<DirectoryUser | undefined> {
    return this.#directory.getUser(userPoolId, username, signal);
  }

  describePool(userPoolId: string, signal?: AbortSignal): Promise<PoolConfiguration> {
    return this.#directory.describePool(userPoolId, signal);
  }
}

/** MESSAGES messages with distinct keys over PARTITIONS partitions, each provisioning its own user, sharing one pause and one in-flight bound. */
function service(directory: Directory) {
  const events: string[] = [];
  const pause = new SystemicPause(
    { paused: () => events.push(`paused@${Date.now()}`), resumed: () => events.push(`resumed@${Date.now()}`), fetchingCanary: () => events.push('fetching') },
    SCHEDULE,
  );
  const calls = createDirectoryCalls({ limiter: new RecordingLimiter(), retry: RETRY, observer: new RecordingMetrics() });
  const ports = { directory, calls, pools: { defaultUserPoolId: undefined, allowedUserPoolIds: new Set([POOL]) } };
  const outcomes = new Map<string, string>();
  const handle = async (message: InboundMessage) => {
    const id = `${message.partition}-${message.offset}`;
    const outcome = await provisionUser(aRequest({ requestId: id, username: `user-${id}` }), ports);
    outcomes.set(id, outcome.kind);
  };
  const slots = new InFlightSlots(MAX_IN_FLIGHT);
  const batches = Array.from({ length: PARTITIONS }, (_, partition) => {
    const offsets = Array.from({ length: MESSAGES / PARTITIONS }, (_, index) => String(index));
    return new FakeBatch(offsets.map((offset) => anInboundMessage({ partition, offset, key: Buffer.from(`${partition}-${offset}`) })), 'user-requested', partition);
  });
  const signal = new AbortController().signal;
  const runs = Promise.all(batches.map((batch) => processBatch(batch, { handle, pause, slots, signal, heartbeatIntervalMs: 1_000 }))); // KAFKA_HEARTBEAT_INTERVAL_MS's default
  return { pause, events, outcomes, batches, runs };
}

const accessDenied = () => simulatedCognitoError('AccessDeniedException', 400, 'not authorized to perform: cognito-idp:AdminCreateUser');

describe('a systemic pause across the pipeline', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it(`a deny on AdminCreateUser alone for 60 s costs at most MAX_IN_FLIGHT first calls and one canary per wait, then everything is answered`, async () => {
    const directory = new FaultyDirectory((now) => (now < 60_000 ? accessDenied() : undefined));
    const { pause, events, outcomes, batches, runs } = service(directory);

    await vi.advanceTimersByTimeAsync(59_999);
    const during = directory.createdAt.filter((at) => at < 60_000);
    const first = during.filter((at) => at === 0);
    // 1 s doubling to the 30 s cap: canaries at 1, 3, 7, 15 and 31 s; the next, at 61 s, is after the fault.
    const canaries = canaryTimes(60_000, SCHEDULE);
    expect(canaries).toEqual([1_000, 3_000, 7_000, 15_000, 31_000]);
    expect(first.length, 'first calls: one per message in flight').toBeGreaterThan(0);
    expect(first.length, 'first calls: one per message in flight').toBeLessThanOrEqual(MAX_IN_FLIGHT);
    expect(during.filter((at) => at > 0), 'one canary per wait, nothing else').toEqual(canaries);
    expect(during.length, `AdminCreateUser calls in the 60 s: at most MAX_IN_FLIGHT (${MAX_IN_FLIGHT}) + ${canaries.length} canaries`).toBeLessThanOrEqual(MAX_IN_FLIGHT + canaries.length);
    expect(pause.paused).toBe(true);
    expect(outcomes.size).toBe(0);

    await vi.advanceTimersByTimeAsync(2_000);
    await runs;
    expect(pause.paused).toBe(false);
    expect(events).toEqual(['paused@0', 'resumed@61000']);
    expect([...outcomes.values()]).toEqual(Array.from({ length: MESSAGES }, () => 'created'));
    expect(batches.map((batch) => batch.resolved.at(-1))).toEqual(['4', '4', '4', '4']);
    // After the fault: each message once more, the canary among them.
    expect(directory.createdAt.filter((at) => at >= 60_000)).toHaveLength(MESSAGES);
  });

  it('releases the others only once the canary succeeded', async () => {
    const directory = new FaultyDirectory((now) => (now < 2_000 ? accessDenied() : undefined));
    const { events, outcomes, runs } = service(directory);

    await vi.advanceTimersByTimeAsync(2_999);
    // The canary at 1 s failed; at 3 s it succeeds, and then everyone goes.
    expect(directory.createdAt.filter((at) => at > 0)).toEqual([1_000]);
    expect(outcomes.size).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await runs;
    const afterFix = directory.createdAt.filter((at) => at > 1_000);
    expect(afterFix).toEqual(Array.from({ length: MESSAGES }, () => 3_000));
    expect(outcomes.size).toBe(MESSAGES);
    expect(events).toEqual(['paused@0', 'resumed@3000']);
  });

  it('keeps the wait across consecutive pauses: a canary that succeeds once in a fault that goes on does not start the waits over', async () => {
    // Denied until 10 s, except one call let through at 3 s (a flapping deny).
    let flapped = false;
    const directory = new FaultyDirectory((now) => {
      if (now >= 10_000) return undefined;
      if (now >= 3_000 && !flapped) {
        flapped = true;
        return undefined;
      }
      return accessDenied();
    });
    const { events, outcomes, runs } = service(directory);

    await vi.advanceTimersByTimeAsync(20_000);
    await runs;
    // Canaries at 1 s (denied) and 3 s (let through: released); the others meet the deny at 3 s and
    // pause again, with the wait doubled to 4 s (7 s: denied), then 8 s (15 s: succeeds).
    expect(events).toEqual(['paused@0', 'resumed@3000', 'paused@3000', 'resumed@15000']);
    expect(directory.createdAt.filter((at) => at > 3_000 && at < 15_000)).toEqual([7_000]);
    expect(outcomes.size).toBe(MESSAGES);
  });

  it('a canary refused for good (not systemic) is answered as usual and releases the others', async () => {
    // Denied until 1 s; the canary's own request is then refused; every other request succeeds.
    let refused = false;
    const directory = new FaultyDirectory((now) => {
      if (now < 1_000) return accessDenied();
      if (refused) return undefined;
      refused = true;
      return simulatedCognitoError('InvalidParameterException', 400, 'Invalid phone number format.');
    });
    const { pause, events, outcomes, runs } = service(directory);

    await vi.advanceTimersByTimeAsync(1_000);
    await runs;
    expect(pause.paused).toBe(false);
    expect(events).toEqual(['paused@0', 'resumed@1000']);
    const kinds = [...outcomes.values()];
    expect(kinds.filter((kind) => kind === 'rejected')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'created')).toHaveLength(MESSAGES - 1);
  });
});
