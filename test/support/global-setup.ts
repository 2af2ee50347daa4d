// Gives the integration tests one Kafka broker and one Cognito emulator, and logs which:
//   TEST_PEERS=jars (the default): KAFKA_BROKERS / COGNITO_ENDPOINT from the environment when set,
//     otherwise the local stack (scripts/stack.ts: a real broker from Maven Central and moto from
//     PyPI on 127.0.0.1, ports 19092 / 15000);
//   TEST_PEERS=containers: both as containers (container-peers.ts; needs a Docker engine), on free
//     ports of 127.0.0.1.
// Stopped afterwards. KAFKA_VERSION runs the suite against another Kafka than the pinned one;
// TEST_KAFKA_PORT / TEST_MOTO_PORT put the peers started here on those ports.
import type { TestProject } from 'vitest/node';
import { startKafka, startMoto, stackVersions } from '../../scripts/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    cognitoEndpoint: string;
  }
}

// Ports of their own, so a local stack started by hand on the defaults is left alone.
const JAR_KAFKA_PORT = 19092;
const JAR_MOTO_PORT = 15000;

type Stop = () => Promise<void>;

export default async function setup(project: TestProject): Promise<Stop> {
  const stops: Stop[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    const peers = testPeers();
    const kafkaPort = portFrom('TEST_KAFKA_PORT');
    const motoPort = portFrom('TEST_MOTO_PORT');
    const versions = stackVersions();
    let kafkaBrokers = process.env['KAFKA_BROKERS'];
    let cognitoEndpoint = process.env['COGNITO_ENDPOINT'];
    if (peers === 'containers') {
      if (kafkaBrokers !== undefined || cognitoEndpoint !== undefined) throw new Error('TEST_PEERS=containers starts both peers: unset KAFKA_BROKERS and COGNITO_ENDPOINT');
      // Loaded only here: the default path needs neither testcontainers nor a Docker engine.
      const { describePeers, startContainerPeers } = await import('./container-peers.ts');
      const containers = await startContainerPeers(versions, { ...(kafkaPort !== undefined ? { kafka: kafkaPort } : {}), ...(motoPort !== undefined ? { moto: motoPort } : {}) });
      stops.push(() => containers.stop());
      ({ kafkaBrokers, cognitoEndpoint } = containers);
      console.log(describePeers(containers.images));
    } else {
      const described: string[] = [];
      if (kafkaBrokers === undefined) {
        const kafka = await startKafka({ port: kafkaPort ?? JAR_KAFKA_PORT });
        stops.push(() => kafka.stop());
        kafkaBrokers = kafka.brokers;
        described.push(`jars (scripts/stack.ts) Kafka ${versions.kafka} at ${kafkaBrokers}`);
      } else described.push(`KAFKA_BROKERS=${kafkaBrokers}`);
      if (cognitoEndpoint === undefined) {
        const moto = await startMoto({ port: motoPort ?? JAR_MOTO_PORT });
        stops.push(() => moto.stop());
        cognitoEndpoint = moto.endpoint;
        described.push(`moto ${versions.moto} at ${cognitoEndpoint}`);
      } else described.push(`COGNITO_ENDPOINT=${cognitoEndpoint}`);
      console.log(`integration peers: ${described.join(', ')}`);
    }
    project.provide('kafkaBrokers', kafkaBrokers);
    project.provide('cognitoEndpoint', cognitoEndpoint);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

function testPeers(): 'jars' | 'containers' {
  const value = process.env['TEST_PEERS'] ?? 'jars';
  if (value !== 'jars' && value !== 'containers') throw new Error(`TEST_PEERS must be jars or containers, got '${value}'`);
  return value;
}

function portFrom(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${name} must be a port number, got '${value}'`);
  return port;
}
