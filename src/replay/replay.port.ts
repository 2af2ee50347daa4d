// What the replay use case needs from Kafka, independent of any client library.
import type { InboundMessage, MessageOrigin, OutboundMessage } from '../events/message.ts';

/** A part of a topic; offsets are decimal strings, `toOffset` inclusive. */
export interface ReadRange {
  readonly partition: number | undefined;
  readonly fromOffset: string | undefined;
  readonly toOffset: string | undefined;
}

export interface MessageReader {
  /**
   * The messages of the range, partition after partition, each in offset order. It ends at the
   * end offsets taken when it starts, so it terminates on a live topic, and commits nothing.
   * Rejects with MissingTopicError or MissingPartitionError before reading anything.
   */
  readTopicRange(topic: string, range: ReadRange): AsyncIterable<InboundMessage>;
  /** The message at exactly this place, or undefined when it is not there (any more). */
  fetchMessage(origin: MessageOrigin): Promise<InboundMessage | undefined>;
}

export interface MessageWriter {
  /** Resolves with where the message was written, once the broker acknowledged it. */
  send(topic: string, message: OutboundMessage): Promise<MessageOrigin>;
}

export class MissingTopicError extends Error {
  override readonly name = 'MissingTopicError';
  readonly topic: string;

  constructor(topic: string) {
    super(`topic ${topic} does not exist`);
    this.topic = topic;
  }
}

export class MissingPartitionError extends Error {
  override readonly name = 'MissingPartitionError';
  readonly topic: string;
  readonly partition: number;

  constructor(topic: string, partition: number, partitions: number) {
    super(`topic ${topic} has no partition ${partition} (it has ${partitions}: 0..${partitions - 1})`);
    this.topic = topic;
    this.partition = partition;
  }
}
