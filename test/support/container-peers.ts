// The integration suite's Kafka and moto as containers (TEST_PEERS=containers), through
// testcontainers: the official images (apache/kafka, motoserver/moto) where the engine has them,
// else the stand-ins that scripts/docker/stand-ins.sh builds from the same versions (local/kafka,
// local/moto: configured by the same KAFKA_* variables), else the official ones pulled. Each
// listens on a host port of 127.0.0.1 that the container also uses inside, so the broker can
// advertise the address the host reaches (apache/kafka has no hook to learn a mapped port).
// Readiness is read from the logs: inside a container testcontainers would probe the host's ports
// through the Docker gateway, which a port published on 127.0.0.1 does not answer.
import type { Readable } from 'node:stream';
import { createServer } from 'node:net';
import { GenericContainer, getContainerRuntimeClient, ImageName, Wait, type StartedTestContainer } from 'testcontainers';
import type { Versions } from '../../scripts/stack.ts';
import { listenOnLoopback } from './loopback.ts';

export interface PeerImages {
  readonly kafka: string;
  readonly moto: string;
}

export interface ContainerPeers {
  readonly images: PeerImages;
  readonly kafkaBrokers: string;
  readonly cognitoEndpoint: string;
  /** Stops and removes both containers. */
  stop(): Promise<void>;
}

/** Host ports picked at run time: below Linux's client ports (32768+) and apart from the other suites' fixed ports. */
export const PEER_PORT_RANGE = { from: 21_000, to: 23_999 } as const;
const MOTO_CONTAINER_PORT = 5000;
const START_TIMEOUT_MS = 180_000;
// Container output kept for a failed start's message.
const LOG_LINES_KEPT = 40;

export function officialImages(versions: Versions): PeerImages {
  return { kafka: `apache/kafka:${versions.kafka}`, moto: `motoserver/moto:${versions.moto}` };
}

/** What scripts/docker/stand-ins.sh builds where no registry answers. */
export function standInImages(versions: Versions): PeerImages {
  return { kafka: `local/kafka:${versions.kafka}`, moto: `local/moto:${versions.moto}` };
}

/** The official image when the engine has it, else the stand-in when it has that, else the official one (to be pulled). */
export function chooseImage(official: string, standIn: string, present: ReadonlySet<string>): string {
  if (present.has(official)) return official;
  return present.has(standIn) ? standIn : official;
}

/**
 * A single-node KRaft broker's KAFKA_* variables, read by apache/kafka and the stand-in alike: the
 * client listener on `port` inside the container as on the host's 127.0.0.1, and the settings
 * scripts/kafka.sh gives the jar-based broker (one replica, no topic created by a typo).
 */
export function kafkaEnvironment(port: number): Record<string, string> {
  // The controller listens inside the container only.
  const controllerPort = port === 9093 ? 9094 : 9093;
  return {
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: `PLAINTEXT://:${port},CONTROLLER://:${controllerPort}`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${controllerPort}`,
    KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_NUM_PARTITIONS: '1',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
  };
}

/** The line CI's log shows, e.g. "integration peers: containers local/kafka:3.9.1, local/moto:5.2.5". */
export function describePeers(images: PeerImages): string {
  return `integration peers: containers ${images.kafka}, ${images.moto}`;
}

/** Kafka and moto started as containers on `ports` (each picked free in PEER_PORT_RANGE when not given). */
export async function startContainerPeers(versions: Versions, ports: { readonly kafka?: number; readonly moto?: number } = {}): Promise<ContainerPeers> {
  const client = await getContainerRuntimeClient().catch((error: unknown) => {
    throw new Error('TEST_PEERS=containers: no Docker engine answers (bash scripts/docker/engine.sh start)', { cause: error });
  });
  const present = new Set<string>();
  const official = officialImages(versions);
  const standIn = standInImages(versions);
  for (const image of [official.kafka, official.moto, standIn.kafka, standIn.moto]) {
    if (await client.image.exists(ImageName.fromString(image))) present.add(image);
  }
  const images = { kafka: chooseImage(official.kafka, standIn.kafka, present), moto: chooseImage(official.moto, standIn.moto, present) };
  const missing = Object.values(images).filter((image) => !present.has(image));
  const hint = missing.length === 0 ? '' : ` (the engine has no ${missing.join(' or ')}, so it pulls; where no registry answers, bash scripts/docker/stand-ins.sh builds ${standIn.kafka} and ${standIn.moto})`;

  const kafkaPort = ports.kafka ?? (await freePortInRange());
  const motoPort = ports.moto ?? (await freePortInRange(new Set([kafkaPort])));
  const moto = new LoopbackContainer(images.moto)
    .withLoopbackPort(motoPort, MOTO_CONTAINER_PORT)
    .withWaitStrategy(Wait.forLogMessage('Running on'));
  const kafka = new LoopbackContainer(images.kafka)
    .withLoopbackPort(kafkaPort, kafkaPort)
    .withEnvironment(kafkaEnvironment(kafkaPort))
    .withWaitStrategy(Wait.forLogMessage('Kafka Server started'));
  const results = await Promise.allSettled([start(moto, hint), start(kafka, hint)]);
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(started.map((container) => container.stop()));
  };
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  return { images, kafkaBrokers: `127.0.0.1:${kafkaPort}`, cognitoEndpoint: `http://127.0.0.1:${motoPort}`, stop };
}

/** A container published on 127.0.0.1 only (testcontainers publishes on every address), removed by the suite itself. */
class LoopbackContainer extends GenericContainer {
  readonly #output: string[] = [];

  constructor(image: string) {
    super(image);
    // testcontainers' reaper (Ryuk) is an image from a registry; the teardown removes the containers.
    this.withAutoCleanup(false)
      .withStartupTimeout(START_TIMEOUT_MS)
      .withLogConsumer((stream: Readable) => {
        stream.on('data', (line: string | Buffer) => {
          this.#output.push(String(line).trimEnd());
          this.#output.splice(0, this.#output.length - LOG_LINES_KEPT);
        });
      });
  }

  withLoopbackPort(hostPort: number, containerPort: number): this {
    this.withExposedPorts({ container: containerPort, host: hostPort });
    // withExposedPorts has just set this binding, without an address.
    const bindings = this.hostConfig.PortBindings as Record<string, unknown>;
    bindings[`${containerPort}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }];
    return this;
  }

  get output(): readonly string[] {
    return this.#output;
  }

  get image(): string {
    return this.imageName.string;
  }
}

/** Starts the container; a failure says which image and ends with its last lines of output. */
async function start(container: LoopbackContainer, hint: string): Promise<StartedTestContainer> {
  try {
    return await container.start();
  } catch (error) {
    const output = container.output.length > 0 ? `; its last output:\n${container.output.join('\n')}` : '';
    throw new Error(`${container.image} did not start${hint}${output}`, { cause: error });
  }
}

/** A port free on 127.0.0.1 now, from a random place in `range` onwards, skipping `taken`. */
export async function freePortInRange(taken: ReadonlySet<number> = new Set(), range: { readonly from: number; readonly to: number } = PEER_PORT_RANGE): Promise<number> {
  const size = range.to - range.from + 1;
  const offset = Math.floor(Math.random() * size);
  for (let step = 0; step < size; step += 1) {
    const port = range.from + ((offset + step) % size);
    if (!taken.has(port) && (await isFree(port))) return port;
  }
  throw new Error(`no free port in ${range.from}-${range.to}`);
}

async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  try {
    await listenOnLoopback(server, port);
    return true;
  } catch {
    return false;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
