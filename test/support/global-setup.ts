// Gives the integration tests one Kafka broker and one Cognito emulator, in this order of
// preference: KAFKA_BROKERS / COGNITO_ENDPOINT from the environment; containers, where a Docker
// engine answers; otherwise the project's own scripts start a real broker (from Maven Central)
// and moto (from PyPI) on 127.0.0.1, and stop them afterwards.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    cognitoEndpoint: string;
  }
}

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
// Ports of their own, so a local stack started by hand on the defaults is left alone.
const TEST_KAFKA_PORT = '19092';
const TEST_MOTO_PORT = '15000';

type Stop = () => Promise<void>;

export default async function setup(project: TestProject): Promise<Stop> {
  const stops: Stop[] = [];
  const kafkaBrokers = process.env['KAFKA_BROKERS'] ?? (await startKafka(stops));
  const cognitoEndpoint = process.env['COGNITO_ENDPOINT'] ?? (await startMoto(stops));
  project.provide('kafkaBrokers', kafkaBrokers);
  project.provide('cognitoEndpoint', cognitoEndpoint);
  return async () => {
    for (const stop of stops.reverse()) await stop();
  };
}

async function dockerAvailable(): Promise<boolean> {
  try {
    await run('docker', ['info'], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

async function startKafka(stops: Stop[]): Promise<string> {
  if (await dockerAvailable()) {
    const { KafkaContainer } = await import('@testcontainers/kafka');
    // Confluent Platform 7.9 ships Apache Kafka 3.9.
    const container = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
    stops.push(async () => {
      await container.stop();
    });
    return `${container.getHost()}:${container.getMappedPort(9093)}`;
  }
  const env = { ...process.env, KAFKA_PORT: TEST_KAFKA_PORT };
  const { stdout } = await run('bash', ['scripts/kafka.sh', 'start'], { cwd: root, env, timeout: 600_000 });
  stops.push(async () => {
    await run('bash', ['scripts/kafka.sh', 'stop'], { cwd: root, env });
  });
  return lastAssignment(stdout, 'KAFKA_BROKERS');
}

async function startMoto(stops: Stop[]): Promise<string> {
  if (await dockerAvailable()) {
    const { GenericContainer, Wait } = await import('testcontainers');
    const container = await new GenericContainer('motoserver/moto:5.2.5')
      .withExposedPorts(5000)
      .withWaitStrategy(Wait.forHttp('/moto-api/', 5000))
      .start();
    stops.push(async () => {
      await container.stop();
    });
    return `http://${container.getHost()}:${container.getMappedPort(5000)}`;
  }
  const env = { ...process.env, MOTO_PORT: TEST_MOTO_PORT };
  const { stdout } = await run('bash', ['scripts/moto.sh', 'start'], { cwd: root, env, timeout: 600_000 });
  stops.push(async () => {
    await run('bash', ['scripts/moto.sh', 'stop'], { cwd: root, env });
  });
  return lastAssignment(stdout, 'COGNITO_ENDPOINT');
}

function lastAssignment(stdout: string, name: string): string {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith(`${name}=`));
  if (line === undefined) throw new Error(`the start script printed no ${name}=`);
  return line.slice(name.length + 1);
}
