// The bench's own Kafka broker (scripts/kafka.sh on a port of its own) and Redis.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { track } from './child-registry.ts';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;

export interface Broker {
  readonly brokers: string;
  stop(): Promise<void>;
}

/** Starts a single-node Kafka broker; fetches the jars on the first run (Maven Central). */
export async function startKafka(port: number): Promise<Broker> {
  const env = { ...process.env, KAFKA_PORT: String(port) };
  const { stdout } = await run('bash', ['scripts/kafka.sh', 'start'], { cwd: root, env, maxBuffer: 1 << 20 });
  const brokers = /KAFKA_BROKERS=(\S+)\s*$/.exec(stdout)?.[1];
  if (brokers === undefined) throw new Error(`scripts/kafka.sh start did not say where the broker is:\n${stdout}`);
  return {
    brokers,
    stop: async () => {
      await run('bash', ['scripts/kafka.sh', 'stop'], { cwd: root, env });
    },
  };
}

export interface Redis {
  readonly url: string;
  stop(): Promise<void>;
}

/** A throwaway redis-server in the foreground: nothing saved, nothing shared with others. */
export async function startRedis(port: number): Promise<Redis> {
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await once(child, 'spawn');
    track(child);
  } catch (error) {
    throw new Error('redis-server could not be started (apt-get install -y redis-server)', { cause: error });
  }
  const exited = once(child, 'exit');
  const lines: string[] = [];
  const ready = new Promise<void>((resolve) => {
    if (child.stdout) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        if (line.includes('Ready to accept connections')) resolve();
      });
    }
  });
  const outcome = await Promise.race([ready.then(() => 'ready' as const), exited.then(() => 'exited' as const)]);
  if (outcome === 'exited') throw new Error(`redis-server exited at start:\n${lines.join('\n')}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}
