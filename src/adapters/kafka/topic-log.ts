// Replay's Kafka adapter: reads topic ranges and single messages by offset, and writes messages.
import { randomUUID } from 'node:crypto';
import type { Admin, Producer } from 'kafkajs';
import type { Config } from '../../config.ts';
import type { InboundMessage, MessageOrigin, OutboundMessage } from '../../events/message.ts';
import { MissingPartitionError, MissingTopicError, type MessageReader, type MessageWriter, type ReadRange } from '../../replay/replay.port.ts';
import type { Logger } from '../logger.ts';
import { ACKS_ALL, newKafkaClient, newProducer, toKafkaMessage } from './client.ts';
import { TopicReader } from './topic-reader.ts';

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
      const { sessionTimeoutMs, heartbeatIntervalMs } = settings.kafka;
      reader = TopicReader.open(kafka, { topic, partitions, groupId, idleTimeoutMs, sessionTimeoutMs, heartbeatIntervalMs });
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
      producer ??= newProducer(kafka, { allowAutoTopicCreation: false });
      producerConnected ??= producer.connect();
      await producerConnected;
      const [record] = await producer.send({ topic, acks: ACKS_ALL, messages: [toKafkaMessage(message)] });
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
