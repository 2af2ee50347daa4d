/**
 * A bound on the messages being processed at once across all partitions. A batch that cannot
 * get a slot waits, and kafkajs fetches nothing more for its partition meanwhile: that is the
 * backpressure.
 */
export class InFlightSlots {
  readonly #capacity: number;
  #used = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  get used(): number {
    return this.#used;
  }

  /** Batches waiting for a slot: their partitions fetch nothing meanwhile. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves when a slot is taken; rejects with the signal's reason if it aborts first. */
  async acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#used < this.#capacity) {
      this.#used++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#waiting.splice(this.#waiting.indexOf(grant), 1);
        reject(signal.reason as Error);
      };
      this.#waiting.push(grant);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  release(): void {
    const next = this.#waiting.shift();
    // A waiting batch inherits the slot; otherwise it is freed.
    if (next) next();
    else this.#used--;
  }
}
