import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { CallRecord, SimulatorOptions } from './cognito-simulator.ts';

// The simulator in a worker thread: still in the bench's process, but on an event loop of its
// own. On the main loop, a pause (the outcome watcher decoding a large fetch, a GC) would hold
// requests back and then meter them all at once: the referee itself would squeeze the gaps
// between calls and throttle calls that arrived on time.

export type SimulatorRequest = { kind: 'progress' } | { kind: 'calls' } | { kind: 'close' };
export type SimulatorResponse =
  | { kind: 'started'; endpoint: string; burst: number | undefined }
  | { kind: 'progress'; users: number; throttled: number; errors: number }
  | { kind: 'calls'; calls: readonly CallRecord[] };

export interface SimulatorThread {
  readonly endpoint: string;
  /** The quota's burst, undefined without a quota. */
  readonly burst: number | undefined;
  /** Users so far, throttled calls, and calls answered with any other error. */
  progress(): Promise<{ users: number; throttled: number; errors: number }>;
  /** Every call so far, copied over from the worker. */
  calls(): Promise<readonly CallRecord[]>;
  close(): Promise<void>;
}

export async function startSimulatorThread(options: SimulatorOptions): Promise<SimulatorThread> {
  const worker = new Worker(new URL('./simulator-worker.ts', import.meta.url), { workerData: options });
  const exited = once(worker, 'exit');
  // Requests are answered in order, one kind at a time is enough for the bench.
  const ask = async <K extends SimulatorResponse['kind']>(kind: K & SimulatorRequest['kind']): Promise<Extract<SimulatorResponse, { kind: K }>> => {
    const answer = once(worker, 'message') as Promise<[Extract<SimulatorResponse, { kind: K }>]>;
    worker.postMessage({ kind });
    return (await answer)[0];
  };
  const [started] = (await once(worker, 'message')) as [Extract<SimulatorResponse, { kind: 'started' }>];
  return {
    endpoint: started.endpoint,
    burst: started.burst,
    progress: async () => {
      const { users, throttled, errors } = await ask('progress');
      return { users, throttled, errors };
    },
    calls: async () => (await ask('calls')).calls,
    close: async () => {
      worker.postMessage({ kind: 'close' } satisfies SimulatorRequest);
      await exited;
    },
  };
}
