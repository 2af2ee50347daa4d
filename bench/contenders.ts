// The contenders as child processes: the service as the image runs it (dist/main.js with the
// image's NODE_OPTIONS), the naive baseline and the kafkajs pass-through.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchTopics } from './bench-kafka.ts';
import { freePort } from '../test/support/loopback.ts';
import { shippedNodeOptions } from '../test/support/shipped-node-options.ts';
import { track } from './child-registry.ts';

export type ContenderName = 'service' | 'baseline' | 'passthrough';

export interface ContenderSetup {
  readonly brokers: string;
  readonly topics: BenchTopics;
  readonly groupId: string;
  readonly cognitoEndpoint: string;
  readonly userPoolId: string;
  /** COGNITO_RATE_LIMIT of each service replica. */
  readonly rateLimit: number;
  readonly redisUrl: string | undefined;
  /** Overrides for the service's environment (experiments). */
  readonly extraEnv: Readonly<Record<string, string>>;
}

const root = new URL('../', import.meta.url).pathname;
const REGION = 'us-east-1';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };

export class ContenderProcess {
  readonly label: string;
  readonly pid: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Set for the service: its /metrics, /healthz and /readyz. */
  readonly metricsPort: number | undefined;
  readonly #child: ChildProcess;
  readonly #tail: string[] = [];
  #readyLine = false;

  constructor(label: string, args: readonly string[], env: Record<string, string>, metricsPort?: number) {
    this.label = label;
    this.metricsPort = metricsPort;
    this.#child = spawn(process.execPath, args, {
      cwd: root,
      // Only what the contender needs: no AWS profile or other setting leaks in from the shell.
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (this.#child.pid === undefined) throw new Error(`could not start ${label}`);
    track(this.#child);
    this.pid = this.#child.pid;
    this.exited = once(this.#child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
    for (const stream of [this.#child.stdout, this.#child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.#onLine(line));
    }
  }

  get hasExited(): boolean {
    return this.#child.exitCode !== null || this.#child.signalCode !== null;
  }

  /** The last lines it printed, to explain a failure. */
  tail(): string {
    return this.#tail.join('\n');
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await this.#isReady())) {
      if (this.hasExited) throw new Error(`${this.label} exited before it was ready:\n${this.tail()}`);
      if (Date.now() > deadline) throw new Error(`${this.label} was not ready within ${timeoutMs} ms:\n${this.tail()}`);
      await sleep(100);
    }
  }

  async metrics(): Promise<string | undefined> {
    if (this.metricsPort === undefined || this.hasExited) return undefined;
    try {
      return await (await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(2_000) })).text();
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.hasExited) return;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  async #isReady(): Promise<boolean> {
    if (this.metricsPort === undefined) return this.#readyLine;
    try {
      return (await fetch(`http://127.0.0.1:${this.metricsPort}/readyz`, { signal: AbortSignal.timeout(1_000) })).status === 200;
    } catch {
      return false;
    }
  }

  #onLine(line: string): void {
    if (line === 'ready') this.#readyLine = true;
    this.#tail.push(line);
    if (this.#tail.length > 40) this.#tail.shift();
  }
}

/** Starts `replicas` processes of one contender, all in one consumer group. */
export async function startContender(name: ContenderName, setup: ContenderSetup, replicas: number): Promise<ContenderProcess[]> {
  const started: ContenderProcess[] = [];
  for (let index = 0; index < replicas; index++) {
    const label = replicas > 1 ? `${name}#${index + 1}` : name;
    started.push(name === 'service' ? await startService(label, setup) : startScript(label, `bench/${name}.ts`, scriptEnv(setup)));
  }
  return started;
}

async function startService(label: string, setup: ContenderSetup): Promise<ContenderProcess> {
  // A port chosen here rather than METRICS_PORT=0: the service logs the port it picked at info
  // level, and the bench runs it at warn.
  const metricsPort = await freePort();
  return new ContenderProcess(
    label,
    // The image's command line (Dockerfile ENTRYPOINT). The compiled code, not the sources: type
    // stripping alone costs some 30 MB of resident memory.
    ['--enable-source-maps', 'dist/main.js'],
    {
      ...scriptEnv(setup),
      NODE_OPTIONS: shippedNodeOptions(),
      TOPIC_DLQ: setup.topics.dlq,
      COGNITO_RATE_LIMIT: String(setup.rateLimit),
      METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '10000',
      ...(setup.redisUrl !== undefined ? { REDIS_URL: setup.redisUrl } : {}),
      ...setup.extraEnv,
    },
    metricsPort,
  );
}

function startScript(label: string, script: string, env: Record<string, string>): ContenderProcess {
  return new ContenderProcess(label, [script], env);
}

function scriptEnv(setup: ContenderSetup): Record<string, string> {
  return {
    ...CREDENTIALS,
    KAFKA_BROKERS: setup.brokers,
    KAFKA_GROUP_ID: setup.groupId,
    AWS_REGION: REGION,
    COGNITO_ENDPOINT: setup.cognitoEndpoint,
    USER_POOL_ID: setup.userPoolId,
    TOPIC_REQUESTED: setup.topics.requested,
    TOPIC_CREATED: setup.topics.created,
    TOPIC_FAILED: setup.topics.failed,
  };
}

