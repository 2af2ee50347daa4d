// A throwaway redis-server (Debian's package) on a free loopback port, for the tests of the
// shared quota. Stopping and starting it again on the same port simulates a Redis outage.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './loopback.ts';

export class RedisServer {
  readonly port: number;
  #process: ChildProcess | undefined;

  private constructor(port: number) {
    this.port = port;
  }

  /** On `port` when given (a suite's fixed port), else on a free one. */
  static async start(options: { readonly port?: number } = {}): Promise<RedisServer> {
    const server = new RedisServer(options.port ?? (await freePort()));
    await server.resume();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server (again) on its port and waits until it accepts commands. */
  async resume(): Promise<void> {
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let failed: Error | undefined;
    child.on('error', (error) => (failed = error));
    this.#process = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (!output.includes('Ready to accept connections')) {
      if (child.exitCode !== null || failed !== undefined) throw new Error(`redis-server did not start (is Debian's redis-server installed?):\n${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not get ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

