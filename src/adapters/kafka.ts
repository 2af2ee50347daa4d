// The only file that knows kafkajs (unmaintained upstream): swapping the client is a change here.
import { randomUUID } from 'node:crypto';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type ConsumerEndBatchProcessEvent,
  type EachBatchPayload,
  type KafkaMessage,
  type LogEntry,
  type Message,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { Config } from '../config.ts';
import type { InboundMessage, MessageOrigin, OutboundMessage } from '../events/message.ts';
import type { Batch } from '../pipeline/process-batch.ts';
import { MissingPartitionError, MissingTopicError, type MessageReader, type MessageWriter, type ReadRange } from '../replay/replay.port.ts';
import { CoalescingSender } from './coalescing-sender.ts';
import type { Logger } from './logger.ts';

export interface KafkaSettings {
  readonly kafka: Config['kafka'];
  /** For MSK IAM, whose tokens are signed for a region. */
  readonly region: string;
  readonly logger: Logger;
  /** Partitions whose batches may be processed at the same time. */
  readonly partitionsConsumedConcurrently: number;
}

export interface KafkaTransport {
  /** Creates the topics that are missing (where the principal may), with the input's partition count. */
  ensureTopics(input: string, outputs: readonly string[]): Promise<void>;
  connect(): Promise<void>;
  consume(topic: string, handler: (batch: Batch) => Promise<void>): Promise<void>;
  /** Resolves once the broker has acknowledged every message (acks=all, idempotent producer). */
  publish(topic: string, messages: readonly OutboundMessage[]): Promise<void>;
  /** Stops fetching from every assigned partition of the topic (the batches in hand go on). */
  pause(topic: string): void;
  resume(topic: string): void;
  /** The group's lag per partition of the topic: end offset minus committed offset. */
  consumerLag(topic: string): Promise<{ partition: number; lag: number }[]>;
  /** A crash the client will not recover from by itself. */
  onFatal(listener: (error: Error) => void): void;
  /** Stops fetching, waits for the batches in hand, commits what was resolved, disconnects. */
  stop(): Promise<void>;
}

export function createKafkaTransport(settings: KafkaSettings): KafkaTransport {
  const { kafka: config, logger } = settings;
  const kafka = newKafkaClient(config, settings.region, logger);
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer: Consumer = kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 60_000,
  });
  // The idempotent producer has one request on the wire: outcomes published meanwhile share the next.
  const outbound = new CoalescingSender<{ topic: string; messages: readonly OutboundMessage[] }>(
    (items) => producer.sendBatch({ acks: -1, topicMessages: items.map(({ topic, messages }) => ({ topic, messages: messages.map(toKafkaMessage) })) }).then(() => undefined),
    // Well under the broker's default message.max.bytes (1 MiB), which bounds a partition's batch.
    { maxItems: 500, maxBytes: 512 * 1024, sizeOf: ({ messages }) => messages.reduce((bytes, message) => bytes + sizeOf(message), 0) },
  );
  const fatalListeners: ((error: Error) => void)[] = [];
  let lagAdmin: Admin | undefined;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fatalListeners.forEach((listener) => listener(payload.error));
  });

  return {
    async ensureTopics(input: string, outputs: readonly string[]): Promise<void> {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = [input, ...outputs].filter((name) => !existing.has(name));
        if (missing.length === 0) return;
        const partitions = existing.has(input)
          ? (await admin.fetchTopicMetadata({ topics: [input] })).topics[0]?.partitions.length ?? 1
          : 1;
        const brokers = (await admin.describeCluster()).brokers.length;
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: Math.min(3, brokers) })),
        });
        logger.info({ topics: missing, partitions }, 'created missing topics');
      } catch (error) {
        // Managed clusters often forbid topic creation: carry on, the topics may be provisioned.
        logger.warn({ err: error }, 'could not check or create topics');
      } finally {
        await admin.disconnect();
      }
    },

    async connect(): Promise<void> {
      await producer.connect();
      await consumer.connect();
    },

    async consume(topic: string, handler: (batch: Batch) => Promise<void>): Promise<void> {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        // Resolved offsets are committed every second as well as after each batch, so a long
        // batch does not leave a long tail to redo after a crash.
        autoCommitInterval: 1_000,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        eachBatch: async (payload) => {
          const { batch } = payload;
          await handler({
            topic: batch.topic,
            partition: batch.partition,
            messages: batch.messages.map((message) => toInbound(batch.topic, batch.partition, message)),
            resolve: (offset) => payload.resolveOffset(offset),
            commit: () => payload.commitOffsetsIfNecessary(),
            heartbeat: () => payload.heartbeat(),
            isActive: () => payload.isRunning() && !payload.isStale(),
          });
        },
      });
    },

    publish(topic: string, messages: readonly OutboundMessage[]): Promise<void> {
      return outbound.send({ topic, messages });
    },

    pause(topic: string): void {
      consumer.pause([{ topic }]);
    },

    resume(topic: string): void {
      consumer.resume([{ topic }]);
    },

    async consumerLag(topic: string): Promise<{ partition: number; lag: number }[]> {
      // Few retries: a scrape waits for this, and the next scrape asks again anyway.
      lagAdmin ??= kafka.admin({ retry: { retries: 1 } });
      await lagAdmin.connect();
      const [ends, committed] = await Promise.all([
        lagAdmin.fetchTopicOffsets(topic),
        lagAdmin.fetchOffsets({ groupId: config.groupId, topics: [topic] }),
      ]);
      const committedByPartition = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
      return ends.map(({ partition, high, low }) => {
        const offset = committedByPartition.get(partition) ?? -1;
        // Nothing committed yet: everything still in the log is lag.
        return { partition, lag: Math.max(0, Number(high) - (offset >= 0 ? offset : Number(low))) };
      });
    },

    onFatal(listener: (error: Error) => void): void {
      fatalListeners.push(listener);
    },

    async stop(): Promise<void> {
      // consumer.disconnect() stops the run loop, waits for the batches in hand and commits
      // the resolved offsets before leaving the group.
      await consumer.disconnect();
      await producer.disconnect();
      await lagAdmin?.disconnect();
    },
  };
}

function toKafkaMessage(message: OutboundMessage): Message {
  return { key: message.key, value: message.value, headers: { ...message.headers } };
}

function sizeOf(message: OutboundMessage): number {
  const length = (value: Buffer | string | null): number => (value === null ? 0 : Buffer.byteLength(value));
  let bytes = length(message.key) + length(message.value);
  for (const [name, values] of Object.entries(message.headers)) {
    bytes += Buffer.byteLength(name) + [values].flat().reduce((sum, value) => sum + length(value), 0);
  }
  return bytes;
}

function toInbound(topic: string, partition: number, message: KafkaMessage): InboundMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
}

/** The kafkajs SASL settings for a configured mechanism (exported for its unit test). */
export function saslOptions(sasl: NonNullable<Config['kafka']['sasl']>, region: string): SASLOptions {
  switch (sasl.mechanism) {
    case 'aws':
      // MSK IAM: a token signed with the default AWS credential chain, renewed by kafkajs.
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
      };
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
  }
}

function logKafka(logger: Logger, { level, log, namespace }: LogEntry): void {
  // Keep kafkajs's fields but never its whole config (it could carry SASL credentials).
  const { message, timestamp: _timestamp, sasl: _sasl, ...fields } = log as Record<string, unknown> & { message: string };
  const target = logger.child({ component: 'kafkajs', namespace });
  if (level === KafkaLogLevel.ERROR) target.error(fields, message);
  else if (level === KafkaLogLevel.WARN) target.warn(fields, message);
  else target.debug(fields, message);
}

// Reading topics by offset, for replay: no subscription that commits, a range that ends.

export interface KafkaLogSettings {
  readonly kafka: Config['kafka'];
  /** For MSK IAM only, whose tokens are signed for a region. */
  readonly region: string | undefined;
  readonly logger: Logger;
  /** How long a read may wait without progress before it fails (60 s unless set). */
  readonly idleTimeoutMs?: number;
}

export interface KafkaLog extends MessageReader, MessageWriter {
  /** Rejects with MissingTopicError for the first of the topics that does not exist. */
  checkTopics(topics: readonly string[]): Promise<void>;
  /** Disconnects, and deletes the throwaway consumer groups it used where the principal may. */
  close(): Promise<void>;
}

interface Watermarks {
  readonly low: bigint;
  readonly high: bigint;
}

/**
 * Reads ranges and single messages of topics, and writes messages one at a time. kafkajs has no
 * consumer without a group, so each topic read gets a throwaway group (the service's group id
 * plus `.replay.<uuid>`, so prefixed ACLs match) that commits nothing: the position comes from
 * seeks, and the end offsets of a range are taken before it is read.
 */
export function createKafkaLog(settings: KafkaLogSettings): KafkaLog {
  const { logger } = settings;
  const kafka = newKafkaClient(settings.kafka, settings.region, logger);
  const admin = kafka.admin();
  let adminConnected: Promise<void> | undefined;
  let producer: Producer | undefined;
  let producerConnected: Promise<void> | undefined;
  const readers = new Map<string, Promise<TopicReader>>();
  const groups: string[] = [];
  const idleTimeoutMs = settings.idleTimeoutMs ?? 60_000;
  let knownTopics = new Set<string>();

  const connectedAdmin = async (): Promise<Admin> => {
    adminConnected ??= admin.connect();
    await adminConnected;
    return admin;
  };

  // Metadata for a missing topic could create it (auto.create.topics.enable): list instead.
  const topicExists = async (topic: string): Promise<boolean> => {
    if (!knownTopics.has(topic)) knownTopics = new Set(await (await connectedAdmin()).listTopics());
    return knownTopics.has(topic);
  };

  const watermarks = async (topic: string): Promise<Map<number, Watermarks>> => {
    const offsets = await (await connectedAdmin()).fetchTopicOffsets(topic);
    return new Map(offsets.map(({ partition, low, high }) => [partition, { low: BigInt(low), high: BigInt(high) }]));
  };

  const readerFor = (role: 'range' | 'fetch', topic: string, partitions: readonly number[]): Promise<TopicReader> => {
    // Separate readers for ranges and single messages: a fetch happens while a range is open.
    const name = `${role}:${topic}`;
    let reader = readers.get(name);
    if (reader === undefined) {
      const groupId = `${settings.kafka.groupId}.replay.${randomUUID()}`;
      groups.push(groupId);
      reader = TopicReader.open(kafka, { topic, partitions, groupId, idleTimeoutMs });
      readers.set(name, reader);
    }
    return reader;
  };

  return {
    async checkTopics(topics: readonly string[]): Promise<void> {
      for (const topic of topics) {
        if (!(await topicExists(topic))) throw new MissingTopicError(topic);
      }
    },

    async *readTopicRange(topic: string, range: ReadRange): AsyncGenerator<InboundMessage> {
      if (!(await topicExists(topic))) throw new MissingTopicError(topic);
      // Taken once, now: what arrives later (a replayed request that failed again) is not read.
      const ends = await watermarks(topic);
      const partitions = [...ends.keys()].sort((a, b) => a - b);
      if (range.partition !== undefined && !ends.has(range.partition)) throw new MissingPartitionError(topic, range.partition, partitions.length);
      const steps = (range.partition === undefined ? partitions : [range.partition]).flatMap((partition) => {
        const marks = ends.get(partition);
        if (marks === undefined) return [];
        const from = range.fromOffset === undefined ? marks.low : BigInt(range.fromOffset);
        const to = range.toOffset === undefined ? marks.high : BigInt(range.toOffset) + 1n;
        const start = from > marks.low ? from : marks.low;
        const stopAt = to < marks.high ? to : marks.high;
        return start < stopAt ? [{ partition, start, stopAt }] : [];
      });
      if (steps.length === 0) return;
      const reader = await readerFor('range', topic, partitions);
      for (const { partition, start, stopAt } of steps) yield* reader.range(partition, start, stopAt);
    },

    async fetchMessage(origin: MessageOrigin): Promise<InboundMessage | undefined> {
      if (!(await topicExists(origin.topic))) return undefined;
      const marks = await watermarks(origin.topic);
      const partition = marks.get(origin.partition);
      const offset = BigInt(origin.offset);
      // Below the log start it was deleted (retention); at or past the end it never was.
      if (partition === undefined || offset < partition.low || offset >= partition.high) return undefined;
      const reader = await readerFor('fetch', origin.topic, [...marks.keys()]);
      // Nothing at the offset itself (compaction, a transaction marker) ends the range empty.
      for await (const message of reader.range(origin.partition, offset, offset + 1n)) return message;
      return undefined;
    },

    async send(topic: string, message: OutboundMessage): Promise<MessageOrigin> {
      producer ??= kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producerConnected ??= producer.connect();
      await producerConnected;
      const [record] = await producer.send({
        topic,
        acks: -1,
        messages: [{ key: message.key, value: message.value, headers: { ...message.headers } }],
      });
      const offset = record?.baseOffset ?? record?.offset;
      if (record === undefined || offset === undefined) throw new Error(`the broker acknowledged no offset for a message sent to ${topic}`);
      return { topic: record.topicName, partition: record.partition, offset };
    },

    async close(): Promise<void> {
      for (const reader of readers.values()) {
        try {
          await (await reader).close();
        } catch (error) {
          logger.warn({ err: error }, 'could not close a Kafka reader');
        }
      }
      if (producerConnected !== undefined) await producer?.disconnect();
      if (adminConnected !== undefined) {
        if (groups.length > 0) {
          try {
            // Empty groups with no offsets expire by themselves; this only tidies up sooner.
            await admin.deleteGroups(groups);
          } catch (error) {
            logger.debug({ err: error, groups }, 'could not delete the throwaway consumer groups');
          }
        }
        await admin.disconnect();
      }
    },
  };
}

/**
 * One consumer on one topic with every partition paused, except the one a range is being read
 * from. Only one range is open at a time.
 */
class TopicReader {
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
    options: { topic: string; partitions: readonly number[]; groupId: string; idleTimeoutMs: number },
  ): Promise<TopicReader> {
    const { topic } = options;
    const consumer = kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      // While every partition is paused kafkajs sleeps this long between looks: short, so a
      // partition resumed for one message is fetched at once (the broker never has to wait
      // for data: ranges end below the end offsets).
      maxWaitTimeInMs: 20,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
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

/**
 * Hands the messages of one partition range from kafkajs's eachBatch to an async iterator,
 * one batch at a time: eachBatch waits (heartbeating) until the reader has taken its messages.
 */
class Cursor {
  readonly topic: string;
  readonly partition: number;
  readonly stopAt: bigint;
  /** The next offset wanted: everything before it was offered or holds no message. */
  next: bigint;
  readonly #idleTimeoutMs: number;
  readonly #queue: InboundMessage[] = [];
  readonly #arrived = new Wakeup();
  readonly #drained = new Wakeup();
  #lastProgress = Date.now();
  #error: Error | undefined;
  #closed = false;

  constructor(topic: string, partition: number, start: bigint, stopAt: bigint, idleTimeoutMs: number) {
    this.topic = topic;
    this.partition = partition;
    this.next = start;
    this.stopAt = stopAt;
    this.#idleTimeoutMs = idleTimeoutMs;
  }

  async offer(messages: readonly InboundMessage[], next: bigint, heartbeat: () => Promise<void>): Promise<void> {
    // A closed cursor is never read again: what it is offered is dropped with it.
    this.#queue.push(...messages);
    this.advance(next);
    while (this.#queue.length > 0 && !this.#closed) {
      await this.#drained.wait(1_000);
      // The reader may take long (it fetches and sends): stay in the group meanwhile.
      await heartbeat();
    }
  }

  advance(next: bigint): void {
    if (next > this.next) {
      this.next = next;
      this.#lastProgress = Date.now();
    }
    this.#arrived.notify();
  }

  fail(error: Error): void {
    this.#error = error;
    this.#arrived.notify();
  }

  close(): void {
    this.#closed = true;
    this.#arrived.notify();
    this.#drained.notify();
  }

  async *messages(): AsyncGenerator<InboundMessage> {
    for (;;) {
      const message = this.#queue.shift();
      if (message !== undefined) {
        if (this.#queue.length === 0) this.#drained.notify();
        yield message;
        // Time the caller spent on the message is not time the broker kept us waiting.
        this.#lastProgress = Date.now();
        continue;
      }
      if (this.#error !== undefined) throw this.#error;
      if (this.#closed || this.next >= this.stopAt) return;
      const waited = Date.now() - this.#lastProgress;
      if (waited >= this.#idleTimeoutMs) {
        throw new Error(`no progress reading ${this.topic} partition ${this.partition} at offset ${this.next} for ${Math.round(waited / 1000)} s`);
      }
      await this.#arrived.wait(this.#idleTimeoutMs - waited);
    }
  }
}

/** Wakes whoever waits, or lets them go after a timeout; they look at the state again either way. */
class Wakeup {
  #waiters: (() => void)[] = [];

  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((waiter) => waiter !== done);
        resolve();
      }, timeoutMs);
      this.#waiters.push(done);
    });
  }

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

function newKafkaClient(config: Config['kafka'], region: string | undefined, logger: Logger): Kafka {
  if (config.sasl?.mechanism === 'aws' && region === undefined) throw new Error('MSK IAM needs a region to sign its tokens');
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: config.ssl,
    ...(config.sasl ? { sasl: saslOptions(config.sasl, region ?? '') } : {}),
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafka(logger, entry),
  });
}
