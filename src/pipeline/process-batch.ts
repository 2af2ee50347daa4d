import type { InboundMessage } from '../events/message.ts';
import { SystemicError } from '../provisioning/errors.ts';
import type { Batch } from './batch.port.ts';
import type { InFlightSlots } from './in-flight-slots.ts';
import type { SystemicPause, Turn } from './systemic-pause.ts';

export interface BatchDeps {
  readonly handle: (message: InboundMessage) => Promise<void>;
  readonly pause: Pick<SystemicPause, 'trip' | 'turn' | 'canarySucceeded' | 'canaryFailed' | 'canaryHandedBack'>;
  readonly signal: AbortSignal;
  readonly heartbeatIntervalMs: number;
  /** Bounds the messages in flight across all partitions. */
  readonly slots: InFlightSlots;
  /** True once the service takes no new work (quarantine): what is unfinished is handed back. */
  readonly halted?: () => boolean;
}

/**
 * Processes a partition's batch with many keys in flight at once and each key strictly in
 * order (as Confluent's Parallel Consumer does in KEY mode). An offset is resolved only once
 * every message up to it has its outcome acknowledged, so the committed offset never passes an
 * unfinished message. A message that meets a systemic error waits for the pause to end and is
 * processed again from scratch, unless the pause picks it to run first, alone, as its canary. At
 * shutdown, or when the partition is taken away, nothing new starts and the unfinished rest is
 * handed back uncommitted; a key whose message was handed back starts nothing after it, so
 * redelivery keeps the key's order.
 */
export async function processBatch(batch: Batch, deps: BatchDeps): Promise<void> {
  const lanes = new Map<string, Promise<boolean>>();
  const finished = new Set<number>();
  let resolvedUpTo = 0;
  let failure: { error: unknown } | undefined;
  const running = new Set<Promise<unknown>>();
  let rebalancing = false;
  const stopped = () => failure !== undefined || rebalancing || !batch.isActive() || deps.signal.aborted || (deps.halted?.() ?? false);

  const commits: Promise<void>[] = [];
  const markFinished = (index: number) => {
    finished.add(index);
    const before = resolvedUpTo;
    while (finished.has(resolvedUpTo)) resolvedUpTo++;
    const last = batch.messages[resolvedUpTo - 1];
    if (resolvedUpTo === before || last === undefined) return;
    batch.resolve(last.offset);
    // Commits when due (kafkajs's interval); kafkajs also commits after the batch.
    commits.push(batch.commit().catch(() => void (rebalancing = true)));
  };

  // kafkajs heartbeats only when asked: messages waiting on retries, the rate limiter or a
  // pause for longer than the session timeout would otherwise cost the partition. A failed
  // heartbeat means the group is rebalancing: start nothing new and return soon, so kafkajs
  // can rejoin.
  const heartbeats = setInterval(() => {
    batch.heartbeat().catch(() => (rebalancing = true));
  }, deps.heartbeatIntervalMs);
  try {
    for (const [index, message] of batch.messages.entries()) {
      if (stopped()) break;
      try {
        await deps.slots.acquire(deps.signal);
      } catch {
        break;
      }
      const lane = laneOf(message);
      const previous = lanes.get(lane) ?? Promise.resolve(true);
      const task = previous
        .then(async (previousDone) => {
          if (!previousDone || stopped()) return false;
          const done = await processUntilDone(message, deps, stopped);
          if (done) markFinished(index);
          return done;
        })
        .catch((error: unknown) => {
          failure ??= { error };
          return false;
        })
        .finally(() => deps.slots.release());
      lanes.set(lane, task);
      running.add(task);
      void task.then(() => running.delete(task));
    }
    await Promise.all(running);
    await Promise.all(commits);
  } finally {
    clearInterval(heartbeats);
  }
  if (failure !== undefined) throw failure.error;
}

/** Messages with the same key share a lane; keyless messages share one, in partition order. */
function laneOf(message: InboundMessage): string {
  return message.key === null ? '' : `k:${message.key.toString('base64')}`;
}

async function processUntilDone(message: InboundMessage, deps: BatchDeps, stopped: () => boolean): Promise<boolean> {
  for (;;) {
    const turn = await waitForTurn(deps, stopped);
    if (turn === undefined) return false;
    if (stopped()) {
      if (turn === 'canary') deps.pause.canaryHandedBack();
      return false;
    }
    try {
      await deps.handle(message);
    } catch (error) {
      const systemic = error instanceof SystemicError && !deps.signal.aborted;
      if (turn === 'canary') {
        if (systemic) deps.pause.canaryFailed(error);
        else deps.pause.canaryHandedBack();
      } else if (systemic) {
        deps.pause.trip(error);
      }
      if (deps.signal.aborted) return false;
      if (!systemic) throw error;
      continue;
    }
    // Any outcome, a failed one too, proves the deployment answers again.
    if (turn === 'canary') deps.pause.canarySucceeded();
    return true;
  }
}

/** Waits out a systemic pause or for the canary's turn; undefined when the wait was cut short (shutdown, rebalance). */
async function waitForTurn(deps: BatchDeps, stopped: () => boolean): Promise<Turn | undefined> {
  while (!stopped()) {
    // Wake up now and then to notice a shutdown or a lost partition.
    const tick = AbortSignal.any([deps.signal, AbortSignal.timeout(deps.heartbeatIntervalMs)]);
    try {
      return await deps.pause.turn(tick);
    } catch {
      // A tick or the shutdown: look again.
    }
  }
  return undefined;
}
