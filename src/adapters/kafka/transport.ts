// The service's Kafka transport: its consumer group, the outcome producer, topic creation and lag.
import type { Admin, Consumer } from 'kafkajs';
import type { Config } from '../../config.ts';
import type { OutboundMessage } from '../../events/message.ts';
import type { Batch } from '../../pipeline/batch.port.ts';
import { tuning } from '../../tuning.ts';
import { CoalescingSender } from './coalescing-sender.ts';
import type { Logger } from '../logger.ts';
import { ACKS_ALL, newKafkaClient, newProducer, toInbound, toKafkaMessage } from './client.ts';

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
  const producer = newProducer(kafka);
  const consumer: Consumer = kafka.consumer({
    groupId: config.groupId,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: config.heartbeatIntervalMs,
    rebalanceTimeout: tuning.kafka.rebalanceTimeoutMs,
    // An idle member heartbeats only after a fetch returns, and learns of a rebalance from that
    // heartbeat: a long fetch wait would delay both (README, Kafka sessions).
    maxWaitTimeInMs: Math.min(config.heartbeatIntervalMs, tuning.kafka.maxFetchWaitMs),
  });
  // The idempotent producer has one request on the wire: outcomes published meanwhile share the next.
  const outbound = new CoalescingSender<{ topic: string; messages: readonly OutboundMessage[] }>(
    (items) => producer.sendBatch({ acks: ACKS_ALL, topicMessages: items.map(({ topic, messages }) => ({ topic, messages: messages.map(toKafkaMessage) })) }).then(() => undefined),
    { ...tuning.outcomeBatch, sizeOf: ({ messages }) => messages.reduce((bytes, message) => bytes + sizeOf(message), 0) },
  );
  const fatalListeners: ((error: Error) => void)[] = [];
  let lagAdmin: Admin | undefined;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fatalListeners.forEach((listener) => listener(payload.error));
  });
  // kafkajs 2.2.4 rebalances eagerly: every partition is revoked at once, and it rejoins only after
  // every batch in hand returned (fetchManager.js stop). So the first batch that hears of a
  // rebalance hands back every batch of this generation; the next join starts a fresh one.
  let generation = new AbortController();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    generation = new AbortController();
  });
  const revokingOn = (signal: AbortController) => (error: unknown): never => {
    if (MEMBERSHIP_LOST.has((error as { type?: unknown }).type as string)) signal.abort(error);
    throw error;
  };

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
        // Also on a timer, not only after each batch: a long batch leaves a short tail to redo after a crash.
        autoCommitInterval: tuning.kafka.autoCommitIntervalMs,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        eachBatch: async (payload) => {
          const { batch } = payload;
          const current = generation;
          await handler({
            topic: batch.topic,
            partition: batch.partition,
            messages: batch.messages.map((message) => toInbound(batch.topic, batch.partition, message)),
            resolve: (offset) => payload.resolveOffset(offset),
            commit: () => payload.commitOffsetsIfNecessary().catch(revokingOn(current)),
            heartbeat: () => payload.heartbeat().catch(revokingOn(current)),
            // isRunning turns false at stop (runner.js stop; the member keeps its partitions until it
            // leaves, after the batches), isStale after a seek: neither is a revocation.
            isActive: () => payload.isRunning() && !payload.isStale(),
            revoked: current.signal,
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

/** Broker answers that mean this member's partitions are going or gone (kafkajs errors.js isRebalancing, and an expelled member). */
const MEMBERSHIP_LOST: ReadonlySet<string> = new Set(['REBALANCE_IN_PROGRESS', 'NOT_COORDINATOR_FOR_GROUP', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID']);

function sizeOf(message: OutboundMessage): number {
  const length = (value: Buffer | string | null): number => (value === null ? 0 : Buffer.byteLength(value));
  let bytes = length(message.key) + length(message.value);
  for (const [name, values] of Object.entries(message.headers)) {
    bytes += Buffer.byteLength(name) + [values].flat().reduce((sum, value) => sum + length(value), 0);
  }
  return bytes;
}
