export type ServiceState = 'starting' | 'consuming' | 'paused' | 'quarantined' | 'stopping';

/**
 * What /healthz and /readyz report. Ready only while consuming normally; live unless the
 * consumer has died for good (then the process is restarted rather than left wedged).
 */
export class ServiceHealth {
  #state: ServiceState = 'starting';
  #pausedBecause: string | undefined;
  #dead: string | undefined;
  readonly #poolConfigurationUnavailable = new Map<string, string>();

  get state(): ServiceState {
    return this.#state;
  }

  get ready(): boolean {
    return this.#state === 'consuming' && this.#dead === undefined;
  }

  get live(): boolean {
    return this.#dead === undefined;
  }

  consuming(): void {
    // Only a restart lifts a quarantine.
    if (this.#state === 'stopping' || this.#state === 'quarantined') return;
    this.#state = 'consuming';
    this.#pausedBecause = undefined;
  }

  quarantined(because: string): void {
    if (this.#state !== 'stopping') this.#state = 'quarantined';
    this.#pausedBecause = because;
  }

  paused(because: string): void {
    if (this.#state === 'stopping' || this.#state === 'quarantined') return;
    this.#state = 'paused';
    this.#pausedBecause = because;
  }

  stopping(): void {
    this.#state = 'stopping';
  }

  died(because: string): void {
    this.#dead = because;
  }

  /** A pool whose configuration cannot be read is served with the static checks only: reported, still ready. */
  poolConfiguration(userPoolId: string, available: boolean, because: string | undefined): void {
    if (available) this.#poolConfigurationUnavailable.delete(userPoolId);
    else this.#poolConfigurationUnavailable.set(userPoolId, `${because ?? 'unknown'}: checked with the static rules only`);
  }

  describe(): {
    state: ServiceState;
    ready: boolean;
    live: boolean;
    pausedBecause?: string;
    deadBecause?: string;
    poolConfigurationUnavailable?: Record<string, string>;
  } {
    return {
      state: this.#state,
      ready: this.ready,
      live: this.live,
      ...(this.#pausedBecause !== undefined ? { pausedBecause: this.#pausedBecause } : {}),
      ...(this.#dead !== undefined ? { deadBecause: this.#dead } : {}),
      ...(this.#poolConfigurationUnavailable.size > 0 ? { poolConfigurationUnavailable: Object.fromEntries(this.#poolConfigurationUnavailable) } : {}),
    };
  }
}
