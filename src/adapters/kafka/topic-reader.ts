// TopicReader: one consumer on one topic that reads a partition range at a time, for replay.
import type { ConsumerEndBatchProcessEvent, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { InboundMessage } from '../../events/message.ts';
import { toInbound } from './client.ts';
import { Cursor } from './cursor.ts';

/**
 * One consumer on one topic with every partition paused, except the one a range is being read
 * from. Only one range is open at a time.
 */
export class TopicReader {
  readonly #topic: string;
  readonly #consumer: Consumer;
  readonly #idleTimeoutMs: number;
  #cursor: Cursor | undefined;
  #crashed: Error | undefined;

  constructor(topic: string, consumer: Consumer, idleTimeoutMs: number) {
    this.#topic = topic;
    this.#consumer = consumer;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  static async open(
    kafka: Kafka,
    options: { topic: string; partitions: readonly number[]; groupId: string; idleTimeoutMs: number; sessionTimeoutMs: number; heartbeatIntervalMs: number },
  ): Promise<TopicReader> {
    const { topic } = options;
    const consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      // While every partition is paused kafkajs sleeps this long between looks: short, so a
      // partition resumed for one message is fetched at once (the broker never has to wait
      // for data: ranges end below the end offsets).
      maxWaitTimeInMs: 20,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
    });
    const reader = new TopicReader(topic, consumer, options.idleTimeoutMs);
    consumer.on(consumer.events.END_BATCH_PROCESS, (event) => reader.#onBatchEnd(event.payload));
    // After a rejoin the group has no position (nothing was committed): seek again.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (reader.#cursor !== undefined) reader.#seek(reader.#cursor);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      reader.#crashed = payload.error;
      reader.#cursor?.fail(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      // Resolving moves the position in memory only: with autoCommit off nothing is committed.
      eachBatchAutoResolve: true,
      eachBatch: (payload) => reader.#onBatch(payload),
    });
    consumer.pause([{ topic, partitions: [...options.partitions] }]);
    return reader;
  }

  /** The messages of a partition from `start` up to (not including) `stopAt`. */
  async *range(partition: number, start: bigint, stopAt: bigint): AsyncGenerator<InboundMessage> {
    if (this.#crashed !== undefined) throw this.#crashed;
    if (this.#cursor !== undefined) throw new Error(`a range of ${this.#topic} is already being read`);
    const cursor = new Cursor(this.#topic, partition, start, stopAt, this.#idleTimeoutMs);
    this.#cursor = cursor;
    // Seek before resuming: a fetch for the partition then starts at the cursor.
    this.#seek(cursor);
    this.#consumer.resume([{ topic: this.#topic, partitions: [partition] }]);
    try {
      yield* cursor.messages();
    } finally {
      cursor.close();
      // Listed by partition: pausing some partitions of a topic that was paused whole would resume the others.
      try {
        this.#consumer.pause([{ topic: this.#topic, partitions: [partition] }]);
      } catch {
        // After a crash the consumer is gone, and so is anything to pause.
      }
      this.#cursor = undefined;
    }
  }

  async close(): Promise<void> {
    this.#cursor?.close();
    await this.#consumer.disconnect();
  }

  #seek(cursor: Cursor): void {
    this.#consumer.seek({ topic: this.#topic, partition: cursor.partition, offset: cursor.next.toString() });
  }

  async #onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const cursor = this.#cursor;
    if (cursor === undefined || batch.topic !== this.#topic || batch.partition !== cursor.partition) return;
    // A batch fetched from past the cursor (before its seek took effect) may have skipped
    // messages it wants: read again from the cursor. One from before it only repeats some.
    if (fetchedOffset(batch) > cursor.next) {
      this.#seek(cursor);
      return;
    }
    const messages = batch.messages
      .filter((message) => BigInt(message.offset) >= cursor.next && BigInt(message.offset) < cursor.stopAt)
      .map((message) => toInbound(batch.topic, batch.partition, message));
    await cursor.offer(messages, BigInt(batch.lastOffset()) + 1n, () => payload.heartbeat());
  }

  /** Batches of only transaction markers or aborted records never reach eachBatch, yet they move the position. */
  #onBatchEnd(payload: ConsumerEndBatchProcessEvent['payload']): void {
    const cursor = this.#cursor;
    const first = payload.firstOffset as string | null;
    if (cursor === undefined || payload.batchSize !== 0 || first === null) return;
    if (payload.topic !== this.#topic || payload.partition !== cursor.partition) return;
    if (BigInt(first) <= cursor.next) cursor.advance(BigInt(payload.lastOffset) + 1n);
  }
}

/** The offset a batch was fetched from: kafkajs keeps it on the batch without typing it. */
function fetchedOffset(batch: EachBatchPayload['batch']): bigint {
  const fetched = (batch as { fetchedOffset?: unknown }).fetchedOffset;
  if (typeof fetched === 'string' || typeof fetched === 'number') return BigInt(fetched);
  return BigInt(batch.firstOffset() ?? batch.lastOffset());
}
