export interface AdaptiveRateSettings {
  /** The configured rate: never exceeded. */
  readonly ceilingPerSecond: number;
  /** The rate never drops below this share of the ceiling. */
  readonly floorFraction: number;
  /** Each throttle multiplies the rate by this. */
  readonly decreaseFactor: number;
  /** Throttles this close together count once: the calls already in flight meet the same full bucket. */
  readonly cooldownMs: number;
  /** The climb is linear, ceilingPerSecond / recoverySeconds per second. */
  readonly recoverySeconds: number;
}

/**
 * A throttle cuts a quarter and the rate is back at the ceiling 5 s later (it climbs 5 % of it per
 * second): a throttle usually means a burst met Cognito's bucket, not a smaller quota, and halving
 * with a 30 s climb (the first choice) cost about four seconds of the whole quota per throttle in
 * the bench. A quota that is really smaller throttles again and is cut again, down to the floor.
 */
export const DEFAULT_ADAPTATION = { floorFraction: 0.1, decreaseFactor: 0.75, cooldownMs: 1_000, recoverySeconds: 20 } as const;

/**
 * The rate a limiter may spend: the configured ceiling until Cognito throttles, then cut at once
 * (multiplicative decrease) and climbed back slowly (additive increase), as TCP does with a
 * shared link. Pure arithmetic on a clock the caller passes in.
 */
export class AdaptiveRate {
  readonly #settings: AdaptiveRateSettings;
  #rate: number;
  #updatedAt: number;
  #lastDecreaseAt = Number.NEGATIVE_INFINITY;

  constructor(settings: AdaptiveRateSettings, now: number) {
    if (!(settings.ceilingPerSecond > 0)) throw new RangeError(`the ceiling must be positive, got ${settings.ceilingPerSecond}`);
    this.#settings = settings;
    this.#rate = settings.ceilingPerSecond;
    this.#updatedAt = now;
  }

  /** The rate allowed now, after any recovery since the last look. */
  current(now: number): number {
    const { ceilingPerSecond, recoverySeconds } = this.#settings;
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#rate = Math.min(ceilingPerSecond, this.#rate + (ceilingPerSecond / recoverySeconds) * elapsedSeconds);
    this.#updatedAt = now;
    return this.#rate;
  }

  /** Cognito answered TooManyRequests. */
  throttled(now: number): void {
    const { ceilingPerSecond, floorFraction, decreaseFactor, cooldownMs } = this.#settings;
    const rate = this.current(now);
    if (now - this.#lastDecreaseAt < cooldownMs) return;
    this.#lastDecreaseAt = now;
    this.#rate = Math.max(ceilingPerSecond * floorFraction, rate * decreaseFactor);
  }
}
