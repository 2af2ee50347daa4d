// The fault suite's own stack (scripts/stack.ts), on ports of its own so it never meets the
// integration tests (19092/15000) or the bench (28092/28093/28379): a Kafka broker with a
// SASL_SSL listener (the service connects with SCRAM-SHA-512, so a SASL secret exists to leak),
// moto, and a Redis for the shared quota. Never an outside broker: the broker-restart scenario
// restarts this broker itself.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { RedisServer, startKafka, startMoto } from '../../scripts/stack.ts';
import { FIGURES_FILE } from './figures.ts';

export interface FaultsBroker {
  /** The plaintext listener, for the tests' own clients. */
  readonly brokers: string;
  /** The SASL_SSL listener, for the service. */
  readonly secureBrokers: string;
  readonly caFile: string;
  readonly scramUsername: string;
  readonly scramPassword: string;
  /** What scripts/kafka.sh needs to find this broker again (restart): the stack's KafkaBroker.scriptEnv. */
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
    const broker = await startFaultsKafka(stops);
    const moto = await startMoto({ port: Number(PORTS.moto) });
    stops.push(() => moto.stop());
    const redis = await RedisServer.start({ port: Number(PORTS.redis) });
    stops.push(() => redis.stop());
    project.provide('kafkaBrokers', broker.brokers);
    project.provide('cognitoEndpoint', moto.endpoint);
    project.provide('faultsBroker', broker);
    project.provide('faultsRedisUrl', redis.url);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

async function startFaultsKafka(stops: Stop[]): Promise<FaultsBroker> {
  // Random per run: a match in the secret scans can only come from this run.
  const scramUsername = `faults-${randomUUID().slice(0, 8)}`;
  const scramPassword = `Sasl-${randomUUID()}`;
  // replace: a broker left by an interrupted run would be reused with another run's SCRAM user.
  const kafka = await startKafka({
    port: Number(PORTS.kafka),
    controllerPort: Number(PORTS.kafkaController),
    secure: { port: Number(PORTS.kafkaSecure), username: scramUsername, password: scramPassword },
    replace: true,
  });
  stops.push(() => kafka.stop());
  if (kafka.secure === undefined) throw new Error('the broker has no SASL_SSL listener');
  return {
    brokers: kafka.brokers,
    secureBrokers: kafka.secure.brokers,
    caFile: kafka.secure.caFile,
    scramUsername,
    scramPassword,
    scriptEnv: kafka.scriptEnv,
  };
}
