import { AdaptiveRate, DEFAULT_ADAPTATION } from './adaptive-rate.ts';
import type { TokenSource } from './token-source.port.ts';

/**
 * A token bucket in this process: tokens accrue from the elapsed time at the adaptive rate, up to
 * the burst. Exact whatever the timer jitter, since it counts time, not ticks.
 */
export class LocalTokenSource implements TokenSource {
  readonly #burst: number;
  readonly #rate: AdaptiveRate;
  readonly #now: () => number;
  #tokens: number;
  #updatedAt: number;

  constructor(settings: { ratePerSecond: number; burst: number }, now: () => number = () => performance.now()) {
    this.#burst = settings.burst;
    this.#now = now;
    this.#updatedAt = now();
    this.#tokens = settings.burst;
    this.#rate = new AdaptiveRate({ ceilingPerSecond: settings.ratePerSecond, ...DEFAULT_ADAPTATION }, this.#updatedAt);
  }

  take(wanted: number): Promise<number> {
    this.#accrue();
    const granted = Math.min(wanted, Math.floor(this.#tokens));
    this.#tokens -= granted;
    return Promise.resolve(granted);
  }

  throttled(): Promise<void> {
    this.#accrue();
    this.#rate.throttled(this.#now());
    // Cognito's bucket is emptier than ours: stop spending the burst we think we have.
    this.#tokens = 0;
    return Promise.resolve();
  }

  ratePerSecond(): number {
    return this.#rate.current(this.#now());
  }

  shared(): boolean {
    return false;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #accrue(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (this.#rate.current(now) * (now - this.#updatedAt)) / 1000);
    this.#updatedAt = now;
  }
}
