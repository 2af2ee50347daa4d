// An in-memory stand-in for the Kafka adapter's reading and writing, for the replay use case.
import type { InboundMessage, MessageOrigin, OutboundMessage } from '../../../src/events/message.ts';
import type { MessageReader, MessageWriter, ReadRange } from '../../../src/replay/replay.port.ts';

export class FakeKafkaLog implements MessageReader, MessageWriter {
  readonly #topics = new Map<string, InboundMessage[]>();
  readonly sent: { topic: string; message: OutboundMessage; to: MessageOrigin }[] = [];
  readonly fetched: MessageOrigin[] = [];
  readonly ranges: { topic: string; range: ReadRange }[] = [];

  /** Appends a message; its offset is the next one of its partition. */
  add(topic: string, message: Omit<Partial<InboundMessage>, 'topic' | 'offset'>): InboundMessage {
    const partition = message.partition ?? 0;
    const log = this.#topics.get(topic) ?? [];
    const offset = String(log.filter((m) => m.partition === partition).length);
    const added: InboundMessage = { key: null, value: null, headers: {}, timestamp: '1700000000000', ...message, topic, partition, offset };
    log.push(added);
    this.#topics.set(topic, log);
    return added;
  }

  /** Drops a message, as retention or compaction would. */
  remove(origin: MessageOrigin): void {
    const log = this.#topics.get(origin.topic) ?? [];
    this.#topics.set(origin.topic, log.filter((m) => !(m.partition === origin.partition && m.offset === origin.offset)));
  }

  async *readTopicRange(topic: string, range: ReadRange): AsyncGenerator<InboundMessage> {
    this.ranges.push({ topic, range });
    // A snapshot: what is sent while reading is not read (the adapter stops at the end offsets).
    const log = [...(this.#topics.get(topic) ?? [])].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
    for (const message of log) {
      if (range.partition !== undefined && message.partition !== range.partition) continue;
      if (range.fromOffset !== undefined && BigInt(message.offset) < BigInt(range.fromOffset)) continue;
      if (range.toOffset !== undefined && BigInt(message.offset) > BigInt(range.toOffset)) continue;
      await Promise.resolve();
      yield message;
    }
  }

  fetchMessage(origin: MessageOrigin): Promise<InboundMessage | undefined> {
    this.fetched.push(origin);
    return Promise.resolve(this.#topics.get(origin.topic)?.find((m) => m.partition === origin.partition && m.offset === origin.offset));
  }

  send(topic: string, message: OutboundMessage): Promise<MessageOrigin> {
    const added = this.add(topic, {
      key: message.key,
      value: message.value === null ? null : Buffer.from(message.value),
      headers: message.headers,
    });
    const to = { topic, partition: added.partition, offset: added.offset };
    this.sent.push({ topic, message, to });
    return Promise.resolve(to);
  }
}
