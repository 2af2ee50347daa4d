// The image as it ships: built from the Dockerfile (on stand-in bases where no registry answers),
// then run through testcontainers the way Kubernetes runs it (read-only, uid 65532, no
// capabilities) against the suite's Kafka and moto: events in, outcomes out, HEALTHCHECK healthy,
// SIGTERM exits 0. Needs a Docker engine: `npm run test:container` (CI starts one).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Cleanup } from '../support/cleanup.ts';
import { CognitoTestClient, TEST_CREDENTIALS, TEST_REGION } from '../support/cognito-test-client.ts';
import { requestEvent, structured } from '../support/events.ts';
import { KafkaTestClient, type Topics } from '../support/kafka-test-client.ts';
import { answerFor, createdFor } from '../support/outcomes.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
// Its own tag, which the suite removes: another run on the same engine builds its own.
const IMAGE = `user-provisioner:container-test-${process.pid}`;
// On the host's network: movable, so that two runs on one machine do not meet.
const METRICS_PORT = Number(process.env['CONTAINER_METRICS_PORT'] ?? 19464);
// The service's image and its contents, as deploy/README.md promises them.
const MAX_IMAGE_MB = 250;
const DEV_ONLY_PACKAGES = ['typescript', 'vitest', 'eslint', 'testcontainers', 'dependency-cruiser', 'node', 'npm'];
const SBOM = 'sbom/user-provisioner.cdx.json';

/** The packages `npm ci --omit=dev` installs, and those it leaves out, as name@version (package-lock.json's flags). */
function lockedPackages(): { production: Set<string>; devOnly: Set<string> } {
  const lock = JSON.parse(readFileSync(`${root}package-lock.json`, 'utf8')) as { packages: Record<string, { name?: string; version: string; dev?: boolean }> };
  const production = new Set<string>();
  const devOnly = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '') continue;
    const id = `${entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)}@${entry.version}`;
    (entry.dev === true ? devOnly : production).add(id);
  }
  // One name@version may be locked twice, once for each (tslib@1.14.1): then it ships.
  for (const id of production) devOnly.delete(id);
  return { production, devOnly };
}

/** A container whose root filesystem is read-only, as in the Kubernetes manifests (testcontainers has no option for it). */
class ReadOnlyContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.hostConfig.ReadonlyRootfs = true;
  }
}

async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { cwd: root, maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** The OCI labels' build arguments, as scripts/docker/compose-check.sh passes them. */
async function provenance(): Promise<{ REVISION: string; SOURCE: string }> {
  const git = async (...args: string[]) => (await run('git', args, { cwd: root })).stdout.trim();
  return { REVISION: await git('rev-parse', 'HEAD'), SOURCE: await git('remote', 'get-url', 'origin').catch(() => '') };
}

/** The official bases when the engine has them; otherwise stand-ins made by scripts/docker/base-images.sh. */
async function baseImages(): Promise<Record<string, string>> {
  const { stdout } = await run('bash', ['scripts/docker/base-images.sh', '--prefer-official'], { cwd: root, timeout: 900_000 });
  return Object.fromEntries(stdout.trim().split('\n').filter((line) => line.includes('=')).map((line) => line.split('=', 2) as [string, string]));
}

describe('the container image', () => {
  const cleanup = new Cleanup();
  const brokers = inject('kafkaBrokers');
  const cognitoEndpoint = inject('cognitoEndpoint');
  let kafka: KafkaTestClient;
  let topics: Topics;
  let pool: string;
  let service: StartedTestContainer;
  let labels: { REVISION: string; SOURCE: string };

  beforeAll(async () => {
    const bases = await baseImages();
    labels = await provenance();
    const buildArgs = Object.entries({ ...bases, ...labels }).flatMap(([name, value]) => ['--build-arg', `${name}=${value}`]);
    await run('docker', ['build', '-q', '-t', IMAGE, ...buildArgs, '.'], { cwd: root, env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: 900_000 });
    cleanup.add(IMAGE, (image) => docker('image', 'rm', '-f', image).then(() => undefined));

    kafka = cleanup.add(new KafkaTestClient(brokers), (client) => client.close());
    const cognito = cleanup.add(new CognitoTestClient(cognitoEndpoint), (client) => client.close());
    pool = await cognito.createPool();
    topics = await kafka.freshTopics(1);
    await kafka.watch(topics.created, topics.failed, topics.dlq);

    service = await new ReadOnlyContainer(IMAGE)
      // Kafka and moto listen on the host's loopback.
      .withNetworkMode('host')
      .withUser('65532:65532')
      .withDroppedCapabilities('ALL')
      .withSecurityOpt('no-new-privileges')
      .withTmpFs({ '/tmp': 'rw,noexec,nosuid,size=16m' })
      .withEnvironment({
        ...TEST_CREDENTIALS,
        KAFKA_BROKERS: brokers,
        KAFKA_GROUP_ID: `user-provisioner-${topics.requested}`,
        AWS_REGION: TEST_REGION,
        COGNITO_ENDPOINT: cognitoEndpoint,
        USER_POOL_ID: pool,
        TOPIC_REQUESTED: topics.requested,
        TOPIC_CREATED: topics.created,
        TOPIC_FAILED: topics.failed,
        TOPIC_DLQ: topics.dlq,
        METRICS_PORT: String(METRICS_PORT),
        SHUTDOWN_TIMEOUT_MS: '20000',
      })
      // The image's own HEALTHCHECK (Node asking /healthz) must turn healthy.
      .withWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(120_000)
      .start();
    cleanup.add(service, (container) => container.stop({ timeout: 30_000 }).then(() => undefined));
  }, 1_200_000);

  afterAll(() => cleanup.run());

  it('is small, runs as uid 65532 and holds no shell, npm or development dependency', async () => {
    const [inspected] = JSON.parse(await docker('image', 'inspect', IMAGE)) as [{ Size: number; Config: { User: string } }];
    expect(inspected.Config.User).toBe('65532:65532');
    expect(inspected.Size / 1e6).toBeLessThan(MAX_IMAGE_MB);
    const id = (await docker('create', IMAGE)).trim();
    try {
      const { stdout } = await run('bash', ['-c', `docker export ${id} | tar -t`], { maxBuffer: 256 * 1024 * 1024 });
      const files = new Set(stdout.split('\n').map((path) => path.replace(/\/$/, '')));
      expect(files.has('app/dist/main.js')).toBe(true);
      expect(files.has('app/dist/adapters/redis/token-bucket.lua')).toBe(true);
      for (const shell of ['bin/sh', 'bin/bash', 'usr/bin/sh', 'usr/bin/bash', 'bin/dash']) expect(files.has(shell), shell).toBe(false);
      for (const name of DEV_ONLY_PACKAGES) expect(files.has(`app/node_modules/${name}`), name).toBe(false);
      expect([...files].some((path) => path.startsWith('app/src/') || path.startsWith('app/test/'))).toBe(false);
      expect(files.has(SBOM)).toBe(true);
    } finally {
      await docker('rm', id);
    }
  });

  it('carries a CycloneDX SBOM naming every production dependency and no development one', async () => {
    const id = (await docker('create', IMAGE)).trim();
    let text: string;
    try {
      ({ stdout: text } = await run('bash', ['-c', `docker cp ${id}:/${SBOM} - | tar -xO`], { maxBuffer: 64 * 1024 * 1024 }));
    } finally {
      await docker('rm', id);
    }
    const sbom = JSON.parse(text) as { bomFormat: string; metadata: { component: { purl: string } }; components: { name: string; version: string }[] };
    expect(sbom.bomFormat).toBe('CycloneDX');
    const packageJson = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string; dependencies: Record<string, string> };
    expect(sbom.metadata.component.purl).toBe(`pkg:npm/user-provisioner@${packageJson.version}`);
    const components = new Set(sbom.components.map((component) => `${component.name}@${component.version}`));
    const names = new Set(sbom.components.map((component) => component.name));
    for (const name of Object.keys(packageJson.dependencies)) expect(names, name).toContain(name);
    expect(names).toContain('kafkajs');
    const { production, devOnly } = lockedPackages();
    expect([...devOnly].filter((id) => components.has(id))).toEqual([]);
    expect([...production].filter((id) => !components.has(id))).toEqual([]);
    expect(components.size).toBe(production.size);
  });

  it('says where it comes from: OCI labels for the title, version, source and the commit built', async () => {
    const [inspected] = JSON.parse(await docker('image', 'inspect', IMAGE)) as [{ Config: { Labels: Record<string, string> } }];
    const packageJson = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
    expect(labels.REVISION).toMatch(/^[0-9a-f]{40}$/);
    expect(inspected.Config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'user-provisioner',
      'org.opencontainers.image.version': packageJson.version,
      'org.opencontainers.image.revision': labels.REVISION,
      'org.opencontainers.image.source': labels.SOURCE,
    });
  });

  it('is ready, turns requests into outcomes and dead-letters what is no event', async () => {
    const ready = await fetch(`http://127.0.0.1:${METRICS_PORT}/readyz`);
    expect(ready.status).toBe(200);
    const event = requestEvent({ username: `container-${Date.now()}`, attributes: { email: 'c@example.com' } });
    const invalid = requestEvent({ username: '' });
    await kafka.produce(topics.requested, [structured(event), structured(invalid), { key: 'junk', value: 'not json' }]);

    const created = await createdFor(kafka, topics, event.id);
    expect(created.data).toMatchObject({ username: event.data.username, userPoolId: pool, alreadyExisted: false });
    const [failed] = await answerFor(kafka, topics, invalid.id);
    expect(failed?.kind).toBe('failed');
    const [dead] = await kafka.waitForCount(topics.dlq, 1);
    expect(dead?.headers['dlq-error-class']).toBe('not-json');
  });

  it('stops on SIGTERM with exit 0 within the grace period', async () => {
    // Past the 30 s grace period docker sends SIGKILL, and the exit code would be 137.
    await docker('stop', '--time', '30', service.getId());
    const [inspected] = JSON.parse(await docker('inspect', service.getId())) as [{ State: { ExitCode: number; Status: string } }];
    expect(inspected.State).toMatchObject({ Status: 'exited', ExitCode: 0 });
  });
});
