import type { InboundMessage } from '../events/message.ts';
import { SystemicError } from '../provisioning/errors.ts';
import type { SystemicPause } from './systemic-pause.ts';

/** A batch of one partition, as the Kafka adapter hands it over. */
export interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InboundMessage[];
  /** Marks an offset done: its outcome is acknowledged, so it may be committed. */
  resolve(offset: string): void;
  /** Commits resolved offsets when due. */
  commit(): Promise<void>;
  /** Keeps the group membership alive during long waits; throws when a rebalance starts. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was taken away. */
  isActive(): boolean;
}

export interface BatchDeps {
  readonly handle: (message: InboundMessage) => Promise<void>;
  readonly pause: SystemicPause;
  /** Builds the call that tells whether the deployment works again. */
  readonly probeFor: (error: SystemicError) => () => Promise<void>;
  readonly signal: AbortSignal;
  readonly heartbeatIntervalMs: number;
}

/**
 * Processes a partition's batch in order (which keeps per-key order), resolving each offset
 * only after its outcome is acknowledged. A message that meets a systemic error waits for the
 * pause to end and is then processed again from scratch: nothing is failed for a broken
 * deployment. At shutdown the unfinished rest is handed back uncommitted.
 */
export async function processBatch(batch: Batch, deps: BatchDeps): Promise<void> {
  for (const message of batch.messages) {
    if (!batch.isActive() || deps.signal.aborted) return;
    const done = await processUntilDone(message, batch, deps);
    if (!done) return;
    batch.resolve(message.offset);
    await batch.commit();
  }
}

async function processUntilDone(message: InboundMessage, batch: Batch, deps: BatchDeps): Promise<boolean> {
  for (;;) {
    if (!(await waitWhilePaused(batch, deps))) return false;
    // kafkajs heartbeats only when asked: a message that waits on retries or the rate limiter
    // for longer than the session timeout would otherwise cost the partition in a rebalance.
    const heartbeats = setInterval(() => void batch.heartbeat().catch(() => undefined), deps.heartbeatIntervalMs);
    try {
      await deps.handle(message);
      return true;
    } catch (error) {
      if (deps.signal.aborted) return false;
      if (!(error instanceof SystemicError)) throw error;
      deps.pause.trip(error, deps.probeFor(error));
    } finally {
      clearInterval(heartbeats);
    }
  }
}

/** Waits out a systemic pause, heartbeating; false when the wait was cut short by shutdown. */
async function waitWhilePaused(batch: Batch, deps: BatchDeps): Promise<boolean> {
  while (deps.pause.paused) {
    if (!batch.isActive() || deps.signal.aborted) return false;
    const tick = AbortSignal.any([deps.signal, AbortSignal.timeout(deps.heartbeatIntervalMs)]);
    await deps.pause.whenClear(tick).catch(() => undefined);
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- `paused` can change during the await; TypeScript keeps the loop condition's narrowing.
    if (deps.pause.paused) await batch.heartbeat();
  }
  return batch.isActive() && !deps.signal.aborted;
}
