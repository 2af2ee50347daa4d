import type { SystemicError } from '../provisioning/errors.ts';
import type { ServiceHealth } from './health.ts';
import type { PipelineMetrics } from './metrics.port.ts';

export interface PauseListener {
  paused(error: SystemicError): void;
  resumed(): void;
  /** A canary is due but no message is held to be it (a rebalance took them back): fetch, still paused. */
  fetchingCanary(): void;
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
      log.error({ errorCode: error.code, userPoolId: error.userPoolId, error: error.message }, 'systemic error: consumption paused until a canary message succeeds');
    },
    resumed() {
      health.consuming();
      metrics.paused('systemic', false);
      consumer.resume(topic);
      log.info('canary message succeeded: consumption resumed');
    },
    fetchingCanary() {
      // Readiness and the metric stay paused: only one message will run.
      consumer.resume(topic);
      log.info('systemic pause: no message held to run as the canary; fetching one');
    },
  };
}

export interface CanarySchedule {
  /** The wait before the first canary of a pause that follows a sustained success. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** After a release, this long without a systemic error resets the wait to firstDelayMs. */
  readonly sustainedMs: number;
}

/** How a message may go on: as usual, or alone as the canary of a pause (it must then report back). */
export type Turn = 'go' | 'canary';

/**
 * A systemic error (bad credentials, missing permission, unknown pool...) would fail every
 * request alike, so instead of failing them the whole consumer pauses here. The probe is one of
 * the held messages, run again for real (the canary): it exercises the very call that failed.
 * Only when it succeeds is everyone released; while it fails the wait doubles and nothing else
 * runs, so a pause costs one call per wait, across the whole service.
 */
export class SystemicPause {
  readonly #listener: PauseListener;
  readonly #schedule: CanarySchedule;
  #gate: PromiseWithResolvers<void> | undefined;
  #delayMs: number;
  #releasedAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** Messages waiting for the pause, oldest first; the first is offered the canary's turn. */
  readonly #waiting: (() => void)[] = [];
  #canaryDue = false;
  #canaryRunning = false;
  #fetching = false;
  #stopped = false;

  constructor(listener: PauseListener, schedule: CanarySchedule) {
    this.#listener = listener;
    this.#schedule = schedule;
    this.#delayMs = schedule.firstDelayMs;
  }

  get paused(): boolean {
    return this.#gate !== undefined;
  }

  /** The wait before the next canary. */
  get delayMs(): number {
    return this.#delayMs;
  }

  /** A message met a systemic error: pauses (once) and schedules the canary. */
  trip(error: SystemicError): void {
    if (this.#gate !== undefined || this.#stopped) return;
    // A fault back soon after a release is the same fault: its wait goes on growing.
    const sustained = this.#releasedAt === undefined || Date.now() - this.#releasedAt >= this.#schedule.sustainedMs;
    this.#delayMs = sustained ? this.#schedule.firstDelayMs : this.#doubled();
    this.#gate = Promise.withResolvers();
    this.#listener.paused(error);
    this.#scheduleCanary();
  }

  /**
   * Resolves 'go' at once when not paused or when the pause ends, 'canary' when the caller is to
   * run as the canary; rejects with the signal's reason if it aborts first.
   */
  async turn(signal?: AbortSignal): Promise<Turn> {
    const gate = this.#gate;
    if (gate === undefined) return 'go';
    signal?.throwIfAborted();
    if (this.#canaryDue && !this.#stopped) return this.#takeCanary();
    const granted = Promise.withResolvers<'canary'>();
    const canary = { offered: false };
    const offer = () => {
      canary.offered = true;
      granted.resolve(this.#takeCanary());
    };
    this.#waiting.push(offer);
    const aborted = Promise.withResolvers<'aborted'>();
    const onAbort = () => aborted.resolve('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const first = await Promise.race([gate.promise.then(() => 'go' as const), granted.promise, aborted.promise]);
      // An offer taken in the same instant as the abort is still the caller's to report back.
      if (first === 'aborted' && !canary.offered) signal?.throwIfAborted();
      return canary.offered ? 'canary' : 'go';
    } finally {
      signal?.removeEventListener('abort', onAbort);
      const index = this.#waiting.indexOf(offer);
      if (index >= 0) this.#waiting.splice(index, 1);
    }
  }

  /** The canary was answered (a created or failed outcome): the deployment works, everyone goes on. */
  canarySucceeded(): void {
    this.#canaryRunning = false;
    if (this.#stopped || this.#gate === undefined) return;
    const gate = this.#gate;
    this.#gate = undefined;
    this.#canaryDue = false;
    this.#fetching = false;
    this.#releasedAt = Date.now();
    this.#listener.resumed();
    gate.resolve();
  }

  /** The canary met the systemic error again: the wait doubles and nothing else runs. */
  canaryFailed(error: SystemicError): void {
    this.#canaryRunning = false;
    if (this.#stopped || this.#gate === undefined) return;
    if (this.#fetching) {
      this.#fetching = false;
      this.#listener.paused(error);
    }
    this.#delayMs = this.#doubled();
    this.#scheduleCanary();
  }

  /** The canary ended without telling whether the deployment works (shutdown, rebalance, a bug): the next waiter takes its turn. */
  canaryHandedBack(): void {
    this.#canaryRunning = false;
    if (this.#stopped || this.#gate === undefined) return;
    this.#offerCanary();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #doubled(): number {
    return Math.min(this.#delayMs * 2, this.#schedule.maxDelayMs);
  }

  #scheduleCanary(): void {
    this.#timer = setTimeout(() => this.#offerCanary(), this.#delayMs).unref();
  }

  #offerCanary(): void {
    // At shutdown the waiters give up through their abort signals.
    if (this.#stopped || this.#canaryRunning) return;
    const next = this.#waiting.shift();
    if (next !== undefined) return next();
    this.#canaryDue = true;
    if (!this.#fetching) {
      this.#fetching = true;
      this.#listener.fetchingCanary();
    }
  }

  #takeCanary(): 'canary' {
    this.#canaryDue = false;
    this.#canaryRunning = true;
    return 'canary';
  }
}
