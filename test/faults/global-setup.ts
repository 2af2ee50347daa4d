// The fault suite's own stack, on ports of its own so it never meets the integration tests
// (19092/15000) or the bench (28092/28093/28379): a Kafka broker from scripts/kafka.sh with a
// SASL_SSL listener (the service connects with SCRAM-SHA-512, so a SASL secret exists to leak),
// moto from scripts/moto.sh, and a Redis for the shared quota. Always the scripts, never
// containers or an outside broker: the broker-restart scenario restarts this broker itself.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { RedisServer } from '../support/redis-server.ts';
import { FIGURES_FILE } from './figures.ts';

export interface FaultsBroker {
  /** The plaintext listener, for the tests' own clients. */
  readonly brokers: string;
  /** The SASL_SSL listener, for the service. */
  readonly secureBrokers: string;
  readonly caFile: string;
  readonly scramUsername: string;
  readonly scramPassword: string;
  /** What scripts/kafka.sh needs to find this broker again (restart). */
  readonly scriptEnv: Readonly<Record<string, string>>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    cognitoEndpoint: string;
    faultsBroker: FaultsBroker;
    faultsRedisUrl: string;
  }
}

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

const PORTS = {
  kafka: process.env['FAULTS_KAFKA_PORT'] ?? '29092',
  kafkaController: process.env['FAULTS_KAFKA_CONTROLLER_PORT'] ?? '29093',
  kafkaSecure: process.env['FAULTS_KAFKA_SECURE_PORT'] ?? '29094',
  moto: process.env['FAULTS_MOTO_PORT'] ?? '25000',
  redis: process.env['FAULTS_REDIS_PORT'] ?? '29379',
};

type Stop = () => Promise<void>;

export default async function setup(project: TestProject): Promise<Stop> {
  // Only this run's figures.
  rmSync(FIGURES_FILE, { force: true });
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const broker = await startKafka(stops);
    const cognitoEndpoint = await startMoto(stops);
    const redis = await RedisServer.start({ port: Number(PORTS.redis) });
    stops.push(() => redis.stop());
    project.provide('kafkaBrokers', broker.brokers);
    project.provide('cognitoEndpoint', cognitoEndpoint);
    project.provide('faultsBroker', broker);
    project.provide('faultsRedisUrl', redis.url);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

async function startKafka(stops: Stop[]): Promise<FaultsBroker> {
  // Random per run: a match in the secret scans can only come from this run.
  const scramUsername = `faults-${randomUUID().slice(0, 8)}`;
  const scramPassword = `Sasl-${randomUUID()}`;
  const scriptEnv = {
    KAFKA_PORT: PORTS.kafka,
    KAFKA_CONTROLLER_PORT: PORTS.kafkaController,
    KAFKA_SECURE_PORT: PORTS.kafkaSecure,
    KAFKA_SCRAM_USERNAME: scramUsername,
    KAFKA_SCRAM_PASSWORD: scramPassword,
  };
  const env = { ...process.env, ...scriptEnv };
  // A broker left by an interrupted run would be reused with another run's SCRAM user: stop it.
  await run('bash', ['scripts/kafka.sh', 'stop'], { cwd: root, env });
  // Registered first: a start that fails half-way leaves a process to stop.
  stops.push(async () => {
    await run('bash', ['scripts/kafka.sh', 'stop'], { cwd: root, env });
  });
  const { stdout } = await run('bash', ['scripts/kafka.sh', 'start'], { cwd: root, env, timeout: 600_000 });
  return {
    brokers: assignment(stdout, 'KAFKA_BROKERS'),
    secureBrokers: assignment(stdout, 'KAFKA_SECURE_BROKERS'),
    caFile: assignment(stdout, 'KAFKA_CA_FILE'),
    scramUsername,
    scramPassword,
    scriptEnv,
  };
}

async function startMoto(stops: Stop[]): Promise<string> {
  const env = { ...process.env, MOTO_PORT: PORTS.moto };
  stops.push(async () => {
    await run('bash', ['scripts/moto.sh', 'stop'], { cwd: root, env });
  });
  const { stdout } = await run('bash', ['scripts/moto.sh', 'start'], { cwd: root, env, timeout: 600_000 });
  return assignment(stdout, 'COGNITO_ENDPOINT');
}

function assignment(stdout: string, name: string): string {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith(`${name}=`));
  if (line === undefined) throw new Error(`the start script printed no ${name}=`);
  return line.slice(name.length + 1);
}
