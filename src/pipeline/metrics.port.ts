import type { CallObserver } from '../resilience/call-observer.port.ts';

export type OutcomeLabel = 'created' | 'already_existed' | 'failed' | 'dead_letter';

/** What the pipeline reports; the Prometheus adapter turns it into metrics. */
export interface PipelineMetrics extends CallObserver {
  received(topic: string, mode: string): void;
  outcome(outcome: OutcomeLabel, reason: string): void;
  /** A user answered as created whose invitation Cognito could not deliver. */
  invitationUndelivered(): void;
  inFlight(delta: number): void;
  paused(reason: 'systemic', paused: boolean): void;
  quarantined(quarantined: boolean): void;
  endToEnd(seconds: number): void;
}
