// Runs the real service as a child process (node src/main.ts), the way `npm start` does, with the
// image's V8 heap settings, and keeps everything it printed so tests can check it (for secrets,
// for outcomes).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { TEST_CREDENTIALS, TEST_REGION } from './cognito-test-client.ts';
import type { Topics } from './kafka-test-client.ts';
import { shippedNodeOptions } from './shipped-node-options.ts';

export { metricValue } from './metrics-text.ts';

const root = new URL('../../', import.meta.url).pathname;

export interface ServiceOptions {
  readonly brokers: string;
  readonly cognitoEndpoint: string;
  readonly topics: Topics;
  readonly userPoolId?: string;
  readonly groupId?: string;
  /** Extra or overriding environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Wait for /readyz (default) or return as soon as the process runs. */
  readonly waitForReady?: boolean;
}

export class ServiceProcess {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];
  readonly #child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  metricsPort: number | undefined;

  private constructor(child: ChildProcess) {
    this.#child = child;
    this.exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
    if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => this.#onLine(line));
    if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => this.stderr.push(line));
  }

  static spawn(env: Readonly<Record<string, string>>): ServiceProcess {
    const child = spawn(process.execPath, ['src/main.ts'], {
      cwd: root,
      // A test that sets its own NODE_OPTIONS replaces the image's, as a pod's environment would.
      env: { PATH: process.env['PATH'] ?? '', NODE_OPTIONS: shippedNodeOptions(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child);
  }

  static async start(options: ServiceOptions): Promise<ServiceProcess> {
    const service = ServiceProcess.spawn({
      ...TEST_CREDENTIALS,
      KAFKA_BROKERS: options.brokers,
      KAFKA_GROUP_ID: options.groupId ?? `user-provisioner-${options.topics.requested}`,
      AWS_REGION: TEST_REGION,
      COGNITO_ENDPOINT: options.cognitoEndpoint,
      TOPIC_REQUESTED: options.topics.requested,
      TOPIC_CREATED: options.topics.created,
      TOPIC_FAILED: options.topics.failed,
      TOPIC_DLQ: options.topics.dlq,
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '20000',
      ...(options.userPoolId !== undefined ? { USER_POOL_ID: options.userPoolId } : {}),
      ...options.env,
    });
    if (options.waitForReady ?? true) {
      try {
        await service.waitUntil('ready', async () => (await service.probe('/readyz')) === 200);
      } catch (error) {
        // Nobody else holds the process yet: do not leave it running.
        service.signal('SIGKILL');
        throw error;
      }
    }
    return service;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Every stdout line that is a JSON log record. */
  get logs(): Record<string, unknown>[] {
    return this.stdout.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async probe(path: string): Promise<number | undefined> {
    if (this.metricsPort === undefined) return undefined;
    try {
      return (await fetch(`http://127.0.0.1:${this.metricsPort}${path}`)).status;
    } catch {
      return undefined;
    }
  }

  async metrics(): Promise<string> {
    if (this.metricsPort === undefined) throw new Error('the service has not said its port yet');
    return (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`)).text();
  }

  async waitUntil(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (this.#hasExited()) throw new Error(`the service exited while waiting for ${what}:\n${this.stderr.join('\n')}\n${this.stdout.slice(-20).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for the service to be ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.#child.kill(signal);
  }

  /** SIGTERM and wait for the exit. */
  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.#hasExited()) this.#child.kill('SIGTERM');
    return this.exited;
  }

  #hasExited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  #onLine(line: string): void {
    this.stdout.push(line);
    if (this.metricsPort === undefined && line.includes('serving /metrics')) {
      const port = (JSON.parse(line) as { port?: number }).port;
      if (port !== undefined) this.metricsPort = port;
    }
  }
}
