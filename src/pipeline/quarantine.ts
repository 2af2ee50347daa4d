import type { ServiceHealth } from './health.ts';
import type { OutcomeLabel, PipelineMetrics } from './metrics.port.ts';

export interface QuarantineSettings {
  /** Share of failed outcomes (failed events and dead letters) that trips the quarantine; 0 turns it off. */
  readonly failureRatio: number;
  /** Outcomes the window must hold before the ratio means anything. */
  readonly minOutcomes: number;
  readonly windowMs: number;
}

export interface TripSummary {
  readonly failures: number;
  readonly outcomes: number;
}

const BUCKETS = 12;

/**
 * Watches the share of failures over a sliding window. When it passes the threshold, the
 * consumer stops: one misconfiguration (a wrong pool allowlist, a producer sending the wrong
 * format, a pool schema missing an attribute) must not turn a whole topic into failed outcomes
 * and dead letters. It stays tripped until the process restarts: a person should look first.
 */
export class Quarantine {
  readonly #settings: QuarantineSettings;
  readonly #onTrip: (summary: TripSummary) => void;
  readonly #buckets: { start: number; outcomes: number; failures: number }[] = [];
  #tripped = false;

  constructor(settings: QuarantineSettings, onTrip: (summary: TripSummary) => void) {
    this.#settings = settings;
    this.#onTrip = onTrip;
  }

  get tripped(): boolean {
    return this.#tripped;
  }

  record(failed: boolean, now: number): void {
    const { failureRatio, minOutcomes, windowMs } = this.#settings;
    if (failureRatio <= 0 || this.#tripped) return;
    const width = windowMs / BUCKETS;
    const start = Math.floor(now / width) * width;
    while (this.#buckets.length > 0 && (this.#buckets[0]?.start ?? start) <= start - windowMs) this.#buckets.shift();
    let bucket = this.#buckets.at(-1);
    if (bucket?.start !== start) {
      bucket = { start, outcomes: 0, failures: 0 };
      this.#buckets.push(bucket);
    }
    bucket.outcomes++;
    if (failed) bucket.failures++;
    const outcomes = this.#buckets.reduce((sum, b) => sum + b.outcomes, 0);
    const failures = this.#buckets.reduce((sum, b) => sum + b.failures, 0);
    if (outcomes >= minOutcomes && failures / outcomes >= failureRatio) {
      this.#tripped = true;
      this.#onTrip({ failures, outcomes });
    }
  }
}

const FAILED: ReadonlySet<OutcomeLabel> = new Set<OutcomeLabel>(['failed', 'dead_letter']);

/** The metrics, with every outcome also fed to the quarantine's window (failed events and dead letters count as failures). */
export function feedingQuarantine(metrics: PipelineMetrics, quarantine: Pick<Quarantine, 'record'>, now: () => number = Date.now): PipelineMetrics {
  return {
    received: (topic, mode) => metrics.received(topic, mode),
    outcome(outcome, reason) {
      metrics.outcome(outcome, reason);
      quarantine.record(FAILED.has(outcome), now());
    },
    invitationUndelivered: () => metrics.invitationUndelivered(),
    inFlight: (delta) => metrics.inFlight(delta),
    paused: (reason, paused) => metrics.paused(reason, paused),
    quarantined: (quarantined) => metrics.quarantined(quarantined),
    endToEnd: (seconds) => metrics.endToEnd(seconds),
    called: (operation, result, seconds) => metrics.called(operation, result, seconds),
    retried: (operation, errorCode) => metrics.retried(operation, errorCode),
  };
}

/** What a tripped quarantine does to the service: consumption stops until a restart, and says why. */
export function stopConsumption(deps: {
  readonly consumer: { pause(topic: string): void };
  readonly topic: string;
  readonly health: Pick<ServiceHealth, 'quarantined'>;
  readonly metrics: Pick<PipelineMetrics, 'quarantined'>;
  readonly log: { error(fields: Record<string, unknown>, message: string): void };
  readonly failureRatio: number;
}): (summary: TripSummary) => void {
  const { consumer, topic, health, metrics, log, failureRatio } = deps;
  return ({ failures, outcomes }) => {
    consumer.pause(topic);
    health.quarantined(`${failures} of the last ${outcomes} outcomes failed`);
    metrics.quarantined(true);
    log.error({ failures, outcomes, failureRatio }, 'quarantined: too many requests fail; consumption stopped until a restart (see docs/runbook.md)');
  };
}
