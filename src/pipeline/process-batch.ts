import type { InboundMessage } from '../events/message.ts';
import { SystemicError } from '../provisioning/errors.ts';
import type { Batch } from './batch.port.ts';
import type { InFlightSlots } from './in-flight-slots.ts';
import type { SystemicPause, Turn } from './systemic-pause.ts';

export interface BatchDeps {
  /** Rejects once the signal aborts, publishing nothing more for the message. */
  readonly handle: (message: InboundMessage, signal: AbortSignal) => Promise<void>;
  readonly pause: Pick<SystemicPause, 'paused' | 'trip' | 'turn' | 'canarySucceeded' | 'canaryFailed' | 'canaryHandedBack'>;
  /** Aborted at shutdown, once the graceful part of it is spent. */
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
 *
 * When the partition is taken away (a rebalance: the batch's own heartbeat or commit fails, or
 * `batch.revoked` aborts), the messages in progress are handed back too: their waits for a slot,
 * the pause, the rate limiter and a retry end, and their Cognito calls are abandoned, so the batch
 * returns within a heartbeat interval and a publish, well inside the group's rebalance timeout.
 * kafkajs 2.2.4 rejoins only once every batch returned (fetchManager.js stop), and a member that
 * is not back within the rebalance timeout is expelled while its late outcomes still go out.
 */
export async function processBatch(batch: Batch, deps: BatchDeps): Promise<void> {
  const lanes = new Map<string, Promise<boolean>>();
  const finished = new Set<number>();
  let resolvedUpTo = 0;
  let failure: { error: unknown } | undefined;
  const running = new Set<Promise<unknown>>();
  const rebalancing = new AbortController();
  const handBack = AbortSignal.any([deps.signal, batch.revoked, rebalancing.signal]);
  const stopped = () => failure !== undefined || handBack.aborted || !batch.isActive() || (deps.halted?.() ?? false);

  const commits: Promise<void>[] = [];
  const markFinished = (index: number) => {
    finished.add(index);
    const before = resolvedUpTo;
    while (finished.has(resolvedUpTo)) resolvedUpTo++;
    const last = batch.messages[resolvedUpTo - 1];
    if (resolvedUpTo === before || last === undefined) return;
    batch.resolve(last.offset);
    // Commits when due (kafkajs's interval); kafkajs also commits after the batch.
    commits.push(batch.commit().catch((error: unknown) => rebalancing.abort(error)));
  };

  // kafkajs heartbeats only when asked: messages waiting on retries, the rate limiter or a
  // pause for longer than the session timeout would otherwise cost the partition. A failed
  // heartbeat means the group is rebalancing (runner.js heartbeat rethrows REBALANCE_IN_PROGRESS):
  // hand everything back and return, so kafkajs can rejoin.
  const heartbeats = setInterval(() => {
    batch.heartbeat().catch((error: unknown) => rebalancing.abort(error));
  }, deps.heartbeatIntervalMs);
  try {
    for (const [index, message] of batch.messages.entries()) {
      if (stopped()) break;
      try {
        await deps.slots.acquire(handBack);
      } catch {
        break;
      }
      const lane = laneOf(message);
      const previous = lanes.get(lane) ?? Promise.resolve(true);
      const task = previous
        .then(async (previousDone) => {
          if (!previousDone || stopped()) return false;
          const done = await processUntilDone(message, deps, handBack, stopped);
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

async function processUntilDone(message: InboundMessage, deps: BatchDeps, handBack: AbortSignal, stopped: () => boolean): Promise<boolean> {
  for (;;) {
    const turn = await waitForTurn(deps, handBack, stopped);
    if (turn === undefined) return false;
    if (stopped()) {
      if (turn === 'canary') deps.pause.canaryHandedBack();
      return false;
    }
    try {
      await deps.handle(message, handBack);
    } catch (error) {
      const systemic = error instanceof SystemicError && !handBack.aborted;
      if (turn === 'canary') {
        if (systemic) deps.pause.canaryFailed(error);
        else deps.pause.canaryHandedBack();
      } else if (systemic) {
        deps.pause.trip(error);
      }
      if (handBack.aborted) return false;
      if (!systemic) throw error;
      continue;
    }
    // Any outcome, a failed one too, proves the deployment answers again.
    if (turn === 'canary') deps.pause.canarySucceeded();
    return true;
  }
}

/** Waits out a systemic pause or for the canary's turn; undefined when the wait was cut short (shutdown, rebalance). */
async function waitForTurn(deps: BatchDeps, handBack: AbortSignal, stopped: () => boolean): Promise<Turn | undefined> {
  while (!stopped()) {
    // The common case, without arming a tick: a timer per message that only a pause needs.
    if (!deps.pause.paused) return 'go';
    // Wake up now and then to notice a stopping consumer or quarantine.
    const tick = AbortSignal.any([handBack, AbortSignal.timeout(deps.heartbeatIntervalMs)]);
    try {
      return await deps.pause.turn(tick);
    } catch {
      // A tick or the shutdown: look again.
    }
  }
  return undefined;
}
