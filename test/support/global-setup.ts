// Gives the integration tests one Kafka broker and one Cognito emulator: KAFKA_BROKERS /
// COGNITO_ENDPOINT from the environment when set, otherwise the local stack (scripts/stack.ts:
// a real broker from Maven Central and moto from PyPI on 127.0.0.1), stopped afterwards.
// KAFKA_VERSION runs the suite against another Kafka than the pinned one.
import type { TestProject } from 'vitest/node';
import { startKafka, startMoto } from '../../scripts/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    cognitoEndpoint: string;
  }
}

// Ports of their own, so a local stack started by hand on the defaults is left alone.
const TEST_KAFKA_PORT = 19092;
const TEST_MOTO_PORT = 15000;

type Stop = () => Promise<void>;

export default async function setup(project: TestProject): Promise<Stop> {
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    let kafkaBrokers = process.env['KAFKA_BROKERS'];
    if (kafkaBrokers === undefined) {
      const kafka = await startKafka({ port: TEST_KAFKA_PORT });
      stops.push(() => kafka.stop());
      kafkaBrokers = kafka.brokers;
    }
    let cognitoEndpoint = process.env['COGNITO_ENDPOINT'];
    if (cognitoEndpoint === undefined) {
      const moto = await startMoto({ port: TEST_MOTO_PORT });
      stops.push(() => moto.stop());
      cognitoEndpoint = moto.endpoint;
    }
    project.provide('kafkaBrokers', kafkaBrokers);
    project.provide('cognitoEndpoint', cognitoEndpoint);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}
