// The one way to start the local stack (Kafka, moto as Cognito, Redis) for the tests, the bench
// and the demo, and `node scripts/stack.ts up|down` for `npm run stack:up/stack:down`. Kafka and
// moto run from their scripts (scripts/kafka.sh, scripts/moto.sh: usable by hand, and the fault
// suite restarts its broker through them); Redis is Debian's redis-server in the foreground.
// Versions come from scripts/versions.env. Where a Docker engine answers, TEST_PEERS=containers
// runs the integration suite's Kafka and moto as containers instead (test/support/container-peers.ts).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { freePort } from '../test/support/loopback.ts';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
// A first start fetches Kafka from Maven Central or moto from PyPI.
const START_TIMEOUT_MS = 600_000;

export interface Versions {
  readonly kafka: string;
  readonly moto: string;
}

/** The pins: those of a stack, and the Kafka 4 release CI also runs the integration suite on. */
export interface Pins extends Versions {
  readonly kafka4: string;
}

/** The pins of scripts/versions.env, as written there. */
export function pinnedVersions(): Pins {
  const pins = new Map<string, string>();
  for (const line of readFileSync(`${root}scripts/versions.env`, 'utf8').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(\S+)$/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) pins.set(match[1], match[2]);
  }
  const pin = (name: string) => {
    const value = pins.get(name);
    if (value === undefined) throw new Error(`scripts/versions.env pins no ${name}`);
    return value;
  };
  return { kafka: pin('KAFKA_VERSION'), moto: pin('MOTO_VERSION'), kafka4: pin('KAFKA4_VERSION') };
}

/** The versions a stack started now runs: the pins, or KAFKA_VERSION / MOTO_VERSION from the environment. */
export function stackVersions(): Versions {
  const pinned = pinnedVersions();
  return { kafka: process.env['KAFKA_VERSION'] ?? pinned.kafka, moto: process.env['MOTO_VERSION'] ?? pinned.moto };
}

/** The ports of the stack started by hand and by the demo: 9092 and 5000, or KAFKA_PORT and MOTO_PORT. */
export function localPorts(): { readonly kafka: number; readonly moto: number } {
  return { kafka: Number(process.env['KAFKA_PORT'] ?? 9092), moto: Number(process.env['MOTO_PORT'] ?? 5000) };
}

export interface KafkaOptions {
  readonly port: number;
  /** Default: port + 1. */
  readonly controllerPort?: number;
  /** Also a SASL_SSL listener with a throwaway CA and this SCRAM user (SHA-256 and SHA-512). */
  readonly secure?: { readonly port: number; readonly username: string; readonly password: string };
  /** Stop a broker an earlier run left on this port first, instead of reusing it. */
  readonly replace?: boolean;
  /** Show the script's progress on stderr (a first start downloads for a while). */
  readonly progress?: boolean;
}

export interface KafkaBroker {
  /** The plaintext listener. */
  readonly brokers: string;
  /** With `secure`: the SASL_SSL listener and the PEM file of its CA. */
  readonly secure?: { readonly brokers: string; readonly caFile: string };
  /** What scripts/kafka.sh needs to find this broker again (`restart` by hand or from a test). */
  readonly scriptEnv: Readonly<Record<string, string>>;
  /** Stops the broker and starts it again on its kept data. */
  restart(): Promise<void>;
  /** Stops the broker and deletes its data. */
  stop(): Promise<void>;
}

/** A single-node KRaft broker on 127.0.0.1 (scripts/kafka.sh); a failed start leaves nothing running. */
export async function startKafka(options: KafkaOptions): Promise<KafkaBroker> {
  const scriptEnv: Record<string, string> = {
    KAFKA_VERSION: stackVersions().kafka,
    KAFKA_PORT: String(options.port),
    ...(options.controllerPort !== undefined ? { KAFKA_CONTROLLER_PORT: String(options.controllerPort) } : {}),
    ...(options.secure !== undefined
      ? {
          KAFKA_SECURE_PORT: String(options.secure.port),
          KAFKA_SCRAM_USERNAME: options.secure.username,
          KAFKA_SCRAM_PASSWORD: options.secure.password,
        }
      : {}),
  };
  const kafka = (command: string) => script('kafka.sh', command, scriptEnv, options.progress);
  if (options.replace === true) await kafka('stop');
  const started = await startOrClean(() => kafka('start'), () => kafka('stop'));
  return {
    brokers: required(started, 'KAFKA_BROKERS'),
    ...(options.secure !== undefined
      ? { secure: { brokers: required(started, 'KAFKA_SECURE_BROKERS'), caFile: required(started, 'KAFKA_CA_FILE') } }
      : {}),
    scriptEnv,
    restart: async () => {
      await kafka('restart');
    },
    stop: async () => {
      await kafka('stop');
    },
  };
}

export interface Moto {
  /** Cognito's endpoint (COGNITO_ENDPOINT). */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** moto's server as Cognito on 127.0.0.1 (scripts/moto.sh); a failed start leaves nothing running. */
export async function startMoto(options: { readonly port: number; readonly progress?: boolean }): Promise<Moto> {
  const env = { MOTO_VERSION: stackVersions().moto, MOTO_PORT: String(options.port) };
  const moto = (command: string) => script('moto.sh', command, env, options.progress);
  const started = await startOrClean(() => moto('start'), () => moto('stop'));
  return {
    endpoint: required(started, 'COGNITO_ENDPOINT'),
    stop: async () => {
      await moto('stop');
    },
  };
}

/** A throwaway redis-server on 127.0.0.1: nothing saved. Stopping and resuming it on its port simulates an outage. */
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
    // An interrupted caller (Ctrl-C, process.exit) must not leave it running.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    this.#process = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 15_000;
    while (!output.includes('Ready to accept connections')) {
      if (child.exitCode !== null || failed !== undefined) throw new Error(`redis-server did not start (bash scripts/prerequisites.sh installs it):\n${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not get ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
}

/** Runs scripts/<name> <command>; its KEY=value lines on stdout. Its progress (stderr) is in a failure's message, and shown live with `progress`. */
async function script(name: string, command: string, env: Readonly<Record<string, string>>, progress = false): Promise<Map<string, string>> {
  const running = run('bash', [`${root}scripts/${name}`, command], {
    cwd: root,
    env: { ...process.env, ...env },
    timeout: START_TIMEOUT_MS,
    maxBuffer: 1 << 20,
  });
  if (progress) running.child.stderr?.pipe(process.stderr);
  const { stdout } = await running;
  return new Map(stdout.split('\n').flatMap((line) => {
    const match = /^([A-Z_]+)=(.*)$/.exec(line);
    return match?.[1] !== undefined && match[2] !== undefined ? [[match[1], match[2]] as const] : [];
  }));
}

/** A start that fails half-way (a timeout, a broker that never answered) may leave a process: stop it. */
async function startOrClean<T>(start: () => Promise<T>, clean: () => Promise<unknown>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    await clean().catch(() => undefined);
    throw error;
  }
}

function required(assignments: Map<string, string>, name: string): string {
  const value = assignments.get(name);
  if (value === undefined) throw new Error(`the start script printed no ${name}=`);
  return value;
}

// `npm run stack:up` / `stack:down`: Kafka and moto on localPorts(), left running between the
// two; prints their addresses as KEY=value lines for `eval`.
if (import.meta.main) {
  const { kafka: kafkaPort, moto: motoPort } = localPorts();
  const command = process.argv[2];
  if (command === 'up') {
    const kafka = await startKafka({ port: kafkaPort, progress: true });
    const moto = await startMoto({ port: motoPort, progress: true });
    console.log(`KAFKA_BROKERS=${kafka.brokers}\nCOGNITO_ENDPOINT=${moto.endpoint}`);
  } else if (command === 'down') {
    // Both, even when the first fails.
    const results = await Promise.allSettled([
      script('kafka.sh', 'stop', { KAFKA_PORT: String(kafkaPort) }, true),
      script('moto.sh', 'stop', { MOTO_PORT: String(motoPort) }, true),
    ]);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  } else {
    console.error('usage: node scripts/stack.ts up|down');
    process.exitCode = 2;
  }
}
