// Cursor: hands the messages of one partition range from kafkajs's eachBatch to an async iterator.
import type { InboundMessage } from '../../events/message.ts';
import { Wakeup } from './wakeup.ts';

/**
 * Hands the messages of one partition range from kafkajs's eachBatch to an async iterator,
 * one batch at a time: eachBatch waits (heartbeating) until the reader has taken its messages.
 */
export class Cursor {
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
