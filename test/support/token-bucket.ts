export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Milliseconds from any fixed origin. Injectable so tests never depend on the wall clock. */
  now?: () => number;
}

/**
 * A continuously refilling token bucket, the model Cognito uses for its per-category
 * request quotas: it starts full, refills at `ratePerSecond`, and never holds more than `burst`.
 */
export class TokenBucket {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: TokenBucketOptions) {
    // A rate of 0 is allowed: a fixed budget of `burst` calls is a useful test scenario.
    if (!Number.isFinite(options.ratePerSecond) || options.ratePerSecond < 0) {
      throw new RangeError(`ratePerSecond must be a finite number >= 0, got ${options.ratePerSecond}`);
    }
    if (!Number.isFinite(options.burst) || options.burst < 1) {
      throw new RangeError(`burst must be a finite number >= 1, got ${options.burst}`);
    }
    this.ratePerSecond = options.ratePerSecond;
    this.burst = options.burst;
    // performance.now() is monotonic; Date.now() can jump when the system clock is adjusted.
    this.#now = options.now ?? (() => performance.now());
    this.#tokens = options.burst;
    this.#last = this.#now();
  }

  /** Takes `count` tokens if they are all available; otherwise takes none. */
  take(count = 1): boolean {
    this.#refill();
    if (this.#tokens < count) return false;
    this.#tokens -= count;
    return true;
  }

  /** Tokens available right now (fractional while refilling). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Milliseconds until `count` tokens will be available; Infinity if they never will be. */
  msUntil(count = 1): number {
    this.#refill();
    if (this.#tokens >= count) return 0;
    if (count > this.burst || this.ratePerSecond === 0) return Infinity;
    return ((count - this.#tokens) / this.ratePerSecond) * 1000;
  }

  #refill(): void {
    const now = this.#now();
    // An injected clock may step backwards: ignore that step rather than credit the same interval twice later.
    if (now <= this.#last) return;
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#last) * this.ratePerSecond) / 1000);
    this.#last = now;
  }
}
