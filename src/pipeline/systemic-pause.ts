import type { SystemicError } from '../provisioning/errors.ts';
import type { ServiceHealth } from './health.ts';
import type { PipelineMetrics } from './metrics.port.ts';

export interface PauseListener {
  paused(error: SystemicError): void;
  resumed(): void;
}

/** What a systemic pause does to the service: consumption, readiness, the metric and the log. */
export function pauseConsumption(deps: {
  readonly consumer: { pause(topic: string): void; resume(topic: string): void };
  readonly topic: string;
  readonly health: Pick<ServiceHealth, 'paused' | 'consuming'>;
  readonly metrics: Pick<PipelineMetrics, 'paused'>;
  readonly log: { error(fields: Record<string, unknown>, message: string): void; info(message: string): void };
}): PauseListener {
  const { consumer, topic, health, metrics, log } = deps;
  return {
    paused(error) {
      consumer.pause(topic);
      health.paused(error.code);
      metrics.paused('systemic', true);
      log.error({ errorCode: error.code, userPoolId: error.userPoolId, error: error.message }, 'systemic error: consumption paused until a probe call succeeds');
    },
    resumed() {
      health.consuming();
      metrics.paused('systemic', false);
      consumer.resume(topic);
      log.info('probe call succeeded: consumption resumed');
    },
  };
}

export interface ProbeSchedule {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * A systemic error (bad credentials, missing permission, unknown pool...) would fail every
 * request alike, so instead of failing them the whole consumer pauses here. One prober retries a
 * cheap call with backoff; when it succeeds everyone waiting goes on.
 */
export class SystemicPause {
  readonly #listener: PauseListener;
  readonly #schedule: ProbeSchedule;
  #gate: PromiseWithResolvers<void> | undefined;
  #stopped = false;

  constructor(listener: PauseListener, schedule: ProbeSchedule) {
    this.#listener = listener;
    this.#schedule = schedule;
  }

  get paused(): boolean {
    return this.#gate !== undefined;
  }

  /** Pauses (once) and probes until `probe` resolves; `probe` rejects while the fault lasts. */
  trip(error: SystemicError, probe: () => Promise<void>): void {
    if (this.#gate !== undefined || this.#stopped) return;
    this.#gate = Promise.withResolvers();
    this.#listener.paused(error);
    void this.#probeUntilClear(probe);
  }

  /** Resolves at once when not paused, otherwise when the pause ends; rejects with the signal's reason if it aborts first. */
  async whenClear(signal?: AbortSignal): Promise<void> {
    const gate = this.#gate;
    if (gate === undefined) return;
    if (signal === undefined) return gate.promise;
    signal.throwIfAborted();
    const aborted = Promise.withResolvers<'aborted'>();
    const onAbort = () => aborted.resolve('aborted');
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const first = await Promise.race([gate.promise.then(() => 'clear' as const), aborted.promise]);
      // throwIfAborted rethrows the reason as the caller gave it, whatever its type.
      if (first === 'aborted') signal.throwIfAborted();
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  stop(): void {
    this.#stopped = true;
  }

  async #probeUntilClear(probe: () => Promise<void>): Promise<void> {
    let delay = this.#schedule.firstDelayMs;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      // At shutdown the waiters give up through their abort signals.
      if (this.#stopped) return;
      try {
        await probe();
        break;
      } catch {
        delay = Math.min(delay * 2, this.#schedule.maxDelayMs);
      }
    }
    const gate = this.#gate;
    this.#gate = undefined;
    this.#listener.resumed();
    gate?.resolve();
  }
}
