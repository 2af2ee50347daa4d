// The worker side of simulator-thread.ts: runs the simulator on an event loop of its own.
import { parentPort, workerData } from 'node:worker_threads';
import { startCognitoSimulator, type SimulatorOptions } from './cognito-simulator.ts';
import type { SimulatorRequest, SimulatorResponse } from './simulator-thread.ts';

if (!parentPort) throw new Error('simulator-worker.ts runs as a worker thread');
const port = parentPort;
const simulator = await startCognitoSimulator(workerData as SimulatorOptions);
port.postMessage({ kind: 'started', endpoint: simulator.endpoint, burst: simulator.burst } satisfies SimulatorResponse);

port.on('message', (request: SimulatorRequest) => {
  switch (request.kind) {
    case 'progress': {
      const throttled = simulator.calls.filter((call) => call.result === 'throttled').length;
      const errors = simulator.calls.filter((call) => call.result.endsWith('Exception') && call.result !== 'TooManyRequestsException').length;
      port.postMessage({ kind: 'progress', users: simulator.userCount(), throttled, errors } satisfies SimulatorResponse);
      break;
    }
    case 'calls':
      port.postMessage({ kind: 'calls', calls: simulator.calls } satisfies SimulatorResponse);
      break;
    case 'close':
      void simulator.close().finally(() => port.close());
      break;
  }
});
