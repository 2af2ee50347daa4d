import type { OutcomeLabel, PipelineMetrics } from '../../../src/pipeline/metrics.port.ts';
import type { DirectoryOperation } from '../../../src/provisioning/directory.port.ts';

/** PipelineMetrics (and so a CallObserver) that records every report for assertions. */
export class RecordingMetrics implements PipelineMetrics {
  readonly receivedEvents: { topic: string; mode: string }[] = [];
  readonly outcomes: { outcome: OutcomeLabel; reason: string }[] = [];
  invitationsUndelivered = 0;
  readonly calls: { operation: DirectoryOperation; result: string; seconds: number }[] = [];
  readonly retries: { operation: DirectoryOperation; errorCode: string }[] = [];
  readonly inFlightDeltas: number[] = [];
  readonly pauses: boolean[] = [];
  readonly quarantines: boolean[] = [];
  readonly endToEndSeconds: number[] = [];

  received(topic: string, mode: string): void {
    this.receivedEvents.push({ topic, mode });
  }

  outcome(outcome: OutcomeLabel, reason: string): void {
    this.outcomes.push({ outcome, reason });
  }

  invitationUndelivered(): void {
    this.invitationsUndelivered++;
  }

  called(operation: DirectoryOperation, result: string, seconds: number): void {
    this.calls.push({ operation, result, seconds });
  }

  retried(operation: DirectoryOperation, errorCode: string): void {
    this.retries.push({ operation, errorCode });
  }

  inFlight(delta: number): void {
    this.inFlightDeltas.push(delta);
  }

  quarantined(quarantined: boolean): void {
    this.quarantines.push(quarantined);
  }

  paused(_reason: 'systemic', paused: boolean): void {
    this.pauses.push(paused);
  }

  endToEnd(seconds: number): void {
    this.endToEndSeconds.push(seconds);
  }
}
