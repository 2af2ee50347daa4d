import type { RateAdaptation } from './token-source.port.ts';

export interface AdaptiveRateSettings extends RateAdaptation {
  /** The configured rate: never exceeded. */
  readonly ceilingPerSecond: number;
}

/**
 * A throttle usually means calls bunched up on their way, not a smaller quota: cut a tenth (at
 * most once a second), climb back in 4 s, never below a tenth of the ceiling.
 * Why a tenth: docs/decisions/0002-a-throttle-cuts-a-tenth.md
 */
export const DEFAULT_ADAPTATION = { floorFraction: 0.1, decreaseFactor: 0.9, cooldownMs: 1_000, recoverySeconds: 40 } as const satisfies RateAdaptation;

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
