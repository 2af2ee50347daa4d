export interface CoalescingLimits<T> {
  /** Items in one send at most. */
  readonly maxItems: number;
  /** Bytes in one send at most (an item larger than this goes alone). */
  readonly maxBytes: number;
  readonly sizeOf: (item: T) => number;
}

interface Pending<T> {
  readonly item: T;
  readonly size: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit for a producer that has one request on the wire at a time (an idempotent Kafka
 * producer): what callers hand in while a send is in flight goes out together in the next one.
 * Alone, a call is sent at once; under load the batches grow by themselves, so there is no linger
 * timer to tune and no latency added when idle. Each caller's promise settles with its own send.
 * Order is kept: items leave in the order they came, and one send at a time.
 */
export class CoalescingSender<T> {
  readonly #send: (items: readonly T[]) => Promise<void>;
  readonly #limits: CoalescingLimits<T>;
  #pending: Pending<T>[] = [];
  #sending = false;

  constructor(send: (items: readonly T[]) => Promise<void>, limits: CoalescingLimits<T>) {
    this.#send = send;
    this.#limits = limits;
  }

  send(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ item, size: this.#limits.sizeOf(item), resolve, reject });
      if (!this.#sending) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#sending = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#takeBatch();
        try {
          await this.#send(batch.map((pending) => pending.item));
          batch.forEach((pending) => pending.resolve());
        } catch (error) {
          // Every caller in the batch learns it failed and decides for itself (a retry, a crash).
          batch.forEach((pending) => pending.reject(error));
        }
      }
    } finally {
      this.#sending = false;
    }
  }

  #takeBatch(): Pending<T>[] {
    const { maxItems, maxBytes } = this.#limits;
    let count = 0;
    let bytes = 0;
    for (const pending of this.#pending) {
      if (count > 0 && (count >= maxItems || bytes + pending.size > maxBytes)) break;
      count += 1;
      bytes += pending.size;
    }
    return this.#pending.splice(0, count);
  }
}
