// Test-side Kafka access: fresh topics, producing requests and reading back what the service
// published. Tests use kafkajs directly; the service keeps it behind src/adapters/kafka/.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders, type KafkaConfig, type Producer } from 'kafkajs';

export interface Topics {
  readonly requested: string;
  readonly created: string;
  readonly failed: string;
  readonly dlq: string;
}

export interface ReadMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, string>;
}

export interface OutgoingMessage {
  readonly key?: string | null;
  readonly value: string | Buffer | null;
  readonly headers?: IHeaders;
}

export class KafkaTestClient {
  readonly #kafka: Kafka;
  #producer: Producer | undefined;
  readonly #consumers: Consumer[] = [];
  readonly #seen = new Map<string, ReadMessage[]>();

  /** `config` adds to or overrides the defaults, e.g. `ssl` and `sasl` for a secure listener. */
  constructor(brokers: string, config: Partial<Omit<KafkaConfig, 'brokers'>> = {}) {
    this.#kafka = new Kafka({ clientId: 'user-provisioner-tests', brokers: brokers.split(','), logLevel: logLevel.NOTHING, ...config });
  }

  /** Four new topics with random names, so every test starts from nothing. */
  async freshTopics(partitions = 1): Promise<Topics> {
    const suffix = randomUUID().slice(0, 8);
    const topics = {
      requested: `user-requested-${suffix}`,
      created: `user-created-${suffix}`,
      failed: `user-provisioning-failed-${suffix}`,
      dlq: `user-requested-${suffix}.dlq`,
    };
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: Object.values(topics).map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
    } finally {
      await admin.disconnect();
    }
    return topics;
  }

  async produce(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    // Idempotent, one request on the wire: a send retried under load must not write a test's inputs twice.
    this.#producer ??= this.#kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
    await this.#producer.connect();
    await this.#producer.send({ topic, messages: messages.map((m) => ({ key: m.key ?? null, value: m.value, headers: m.headers ?? {} })) });
  }

  /** Starts reading topics from their beginning; read()/waitFor() see everything from then on. */
  async watch(...topics: string[]): Promise<void> {
    const consumer = this.#kafka.consumer({ groupId: `tests-${randomUUID()}`, maxWaitTimeInMs: 200 });
    this.#consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    for (const topic of topics) this.#seen.set(topic, this.#seen.get(topic) ?? []);
    // A consumer that rejoins (after a broker restart) reads again from its last commit: a record
    // already read is the same record, not another copy in the topic.
    const read = new Set<string>();
    await consumer.run({
      eachMessage: ({ topic, partition, message }) => {
        const position = `${topic}/${String(partition)}/${message.offset}`;
        if (read.has(position)) return Promise.resolve();
        read.add(position);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.map(String).join(',') : value.toString();
        }
        this.#seen.get(topic)?.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value, headers });
        return Promise.resolve();
      },
    });
  }

  read(topic: string): readonly ReadMessage[] {
    return this.#seen.get(topic) ?? [];
  }

  /** Waits until `predicate` holds for what was read (a generous bound, not a timing assertion). */
  async waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async waitForCount(topic: string, count: number, timeoutMs?: number): Promise<readonly ReadMessage[]> {
    return this.waitFor(`${count} messages on ${topic}`, () => (this.read(topic).length >= count ? this.read(topic) : undefined), timeoutMs);
  }

  async close(): Promise<void> {
    await Promise.all(this.#consumers.map((consumer) => consumer.disconnect()));
    await this.#producer?.disconnect();
  }
}

/** The JSON of a read message, for the caller to check or assert the shape of. */
export function json(message: ReadMessage): unknown {
  if (message.value === null) throw new Error('the message has no value');
  return JSON.parse(message.value.toString('utf8'));
}
