// The bench's own Kafka access: fresh topics, the backlog, and a watcher of the outcome topics.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Consumer } from 'kafkajs';
import { hideNegativeTimeoutWarning } from '../src/adapters/kafka/negative-timeout-warning.ts';
import type { BenchEvent } from './events.ts';

export interface BenchTopics {
  readonly requested: string;
  readonly created: string;
  readonly failed: string;
  readonly dlq: string;
}

/** What the watcher saw of one key: its first outcome. */
export interface SeenOutcome {
  readonly topic: string;
  /** Epoch ms when the broker appended the outcome (the outcome topics use LogAppendTime). */
  readonly appendedAt: number;
}

export class BenchKafka {
  readonly #kafka: Kafka;

  constructor(brokers: string) {
    hideNegativeTimeoutWarning();
    this.#kafka = new Kafka({ clientId: 'user-provisioner-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  }

  /**
   * Four new topics. The outcome topics stamp each message with the broker's append time, so an
   * outcome's timestamp says when it was acknowledged, whatever the producer's clock or queue.
   */
  async freshTopics(label: string, partitions: number): Promise<BenchTopics> {
    const suffix = `${label}-${randomUUID().slice(0, 8)}`;
    const topics = {
      requested: `bench-requested-${suffix}`,
      created: `bench-created-${suffix}`,
      failed: `bench-failed-${suffix}`,
      dlq: `bench-requested-${suffix}.dlq`,
    };
    const appendTime = [{ name: 'message.timestamp.type', value: 'LogAppendTime' }];
    await this.#withAdmin((admin) =>
      admin.createTopics({
        waitForLeaders: true,
        topics: [
          { topic: topics.requested, numPartitions: partitions, replicationFactor: 1 },
          ...[topics.created, topics.failed, topics.dlq].map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1, configEntries: appendTime })),
        ],
      }),
    );
    return topics;
  }

  async deleteTopics(topics: BenchTopics): Promise<void> {
    await this.#withAdmin((admin) => admin.deleteTopics({ topics: [topics.requested, topics.created, topics.failed, topics.dlq] }));
  }

  /**
   * Produces the whole backlog, in chunks, before any contender starts, and checks that the
   * topic holds exactly that many messages. Idempotent: a plain producer's retry after a slow
   * answer appended a partition's batch twice, and the duplicates then read as redeliveries.
   */
  async produce(topic: string, events: readonly BenchEvent[]): Promise<void> {
    const producer = this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    try {
      const chunk = 1_000;
      for (let start = 0; start < events.length; start += chunk) {
        await producer.send({
          topic,
          acks: -1,
          messages: events.slice(start, start + chunk).map((event) => ({ key: event.key, value: event.value, headers: event.headers })),
        });
      }
    } finally {
      await producer.disconnect();
    }
    const offsets = await this.#withAdmin((admin) => admin.fetchTopicOffsets(topic));
    const stored = offsets.reduce((sum, partition) => sum + Number(partition.high) - Number(partition.low), 0);
    if (stored !== events.length) throw new Error(`${topic} holds ${stored} messages after producing ${events.length}`);
  }

  /** Starts reading the outcome topics from their beginning. */
  async watch(topics: readonly string[]): Promise<OutcomeWatcher> {
    const consumer = this.#kafka.consumer({ groupId: `bench-watch-${randomUUID()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    const watcher = new OutcomeWatcher(consumer);
    await consumer.run({
      eachBatch: ({ batch }) => {
        for (const message of batch.messages) watcher.saw(batch.topic, message.key?.toString() ?? '', Number(message.timestamp));
        return Promise.resolve();
      },
    });
    return watcher;
  }

  async #withAdmin<T>(work: (admin: ReturnType<Kafka['admin']>) => Promise<T>): Promise<T> {
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      return await work(admin);
    } finally {
      await admin.disconnect();
    }
  }
}

export class OutcomeWatcher {
  readonly #consumer: Consumer;
  /** First outcome per key: a redelivered request answered twice counts once. */
  readonly byKey = new Map<string, SeenOutcome>();
  /** Every outcome message, duplicates included. */
  total = 0;

  constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  saw(topic: string, key: string, appendedAt: number): void {
    this.total++;
    if (!this.byKey.has(key)) this.byKey.set(key, { topic, appendedAt });
  }

  get distinct(): number {
    return this.byKey.size;
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}
