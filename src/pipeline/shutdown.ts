import type { Limiter } from '../resilience/limiter.port.ts';
import type { ServiceHealth } from './health.ts';
import type { SystemicPause } from './systemic-pause.ts';

export interface ShutdownLog {
  info(message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface ShutdownDeps {
  readonly log: ShutdownLog;
  readonly health: Pick<ServiceHealth, 'stopping'>;
  readonly pause: Pick<SystemicPause, 'stop'>;
  /** Aborted once most of the allowance is spent: work still waiting is handed back uncommitted. */
  readonly work: AbortController;
  /** The broker client: finishes or hands back the batches in hand, commits, disconnects. */
  readonly transport: { stop(): Promise<void> };
  readonly limiter: Pick<Limiter, 'stop'>;
  /** The Redis connection of the shared quota, when there is one. */
  readonly sharedQuota: { close(): void } | undefined;
  readonly directory: { close(): void };
  readonly http: { close(): Promise<void> };
  /** Exports the spans still queued, within the time it is given; never throws. */
  readonly tracing?: { shutdown(timeoutMs: number): Promise<void> };
  /** SHUTDOWN_TIMEOUT_MS: the process exits by then whatever is unfinished. */
  readonly timeoutMs: number;
  /** The share of timeoutMs after which `work` is aborted. */
  readonly handBackFraction: number;
  readonly exit: (code: number) => void;
}

/**
 * The shutdown sequence, run once however often it is asked for (the first exit code holds):
 * readiness goes down and nothing new starts; the consumer finishes or hands back its work and
 * the clients close; the process exits. Unfinished work is left uncommitted, so it is redelivered.
 */
export function shutdownSequence(deps: ShutdownDeps): (reason: string, exitCode: number) => Promise<void> {
  let stopping: Promise<void> | undefined;
  return (reason, exitCode) => (stopping ??= run(reason, exitCode));

  async function run(reason: string, exitCode: number): Promise<void> {
    const { log } = deps;
    const started = Date.now();
    log.info({ reason }, 'shutting down: finishing or handing back in-flight work');
    deps.health.stopping();
    deps.pause.stop();
    const handBack = setTimeout(() => deps.work.abort(new Error('shutdown')), deps.timeoutMs * deps.handBackFraction).unref();
    const deadline = setTimeout(() => {
      log.warn('shutdown timeout reached: exiting; unfinished work will be redelivered');
      deps.exit(exitCode);
    }, deps.timeoutMs).unref();
    try {
      await deps.transport.stop();
      await deps.limiter.stop();
      deps.sharedQuota?.close();
    } catch (error) {
      log.error({ err: error }, 'error while stopping');
    } finally {
      // The last spans go out within what is left of the allowance; the deadline still holds.
      await deps.tracing?.shutdown(Math.max(0, deps.timeoutMs - (Date.now() - started)));
      clearTimeout(handBack);
      clearTimeout(deadline);
      deps.directory.close();
      await deps.http.close();
      log.info('stopped');
      deps.exit(exitCode);
    }
  }
}
