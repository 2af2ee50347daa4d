import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from './manifests.ts';

// scripts/check-deploy.sh checks docker-compose.yml against the Compose Specification, and
// scripts/docker/compose-check.sh runs it (npm run test:compose, with Docker). This suite checks
// what the schema cannot: pinned images, files that exist, services that agree with each other,
// and example events that are the examples.

interface ComposeService {
  image?: string;
  build?: unknown;
  profiles?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  read_only?: boolean;
  stop_grace_period?: string;
}
const read = (path: string) => readFileSync(`${repoRoot}${path}`, 'utf8');
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const service = (name: string): ComposeService => {
  const found = services[name];
  if (found === undefined) throw new Error(`no service ${name}`);
  return found;
};
const packageVersion = (JSON.parse(read('package.json')) as { version: string }).version;
/** `${VARIABLE:-default}`: the variable that overrides a service's image, and the public image. */
const imageOf = (name: string) => {
  const [, variable, image] = /^\$\{(\w+):-([^}]+)\}$/.exec(service(name).image ?? '') ?? [];
  return { variable, image };
};

describe('docker-compose.yml', () => {
  it('pins every image by version, each behind a variable that overrides it', () => {
    for (const [name, { image }] of Object.entries(services)) {
      expect(image, `${name} has no image`).toBeDefined();
      expect(imageOf(name).variable, `${name}: ${String(image)}`).toMatch(/^[A-Z]+(_[A-Z]+)*_IMAGE$/);
      expect(imageOf(name).image, `${name}: ${String(image)}`).toMatch(/^[\w./-]+:v?\d+\.\d+(\.\d+)?$/);
    }
    for (const [name, { build }] of Object.entries(services)) {
      if (build !== undefined) expect(imageOf(name), name).toEqual({ variable: 'USER_PROVISIONER_IMAGE', image: `user-provisioner:${packageVersion}` });
    }
  });

  it('builds the service on the Dockerfile\'s bases unless BUILD_IMAGE and RUNTIME_IMAGE are set, labelled with REVISION and SOURCE when set', () => {
    expect(service('user-provisioner').build).toEqual({ context: '.', args: ['BUILD_IMAGE', 'RUNTIME_IMAGE', 'REVISION', 'SOURCE'] });
  });

  it('keeps Grafana, which has no local stand-in, behind a profile', () => {
    expect(service('grafana').profiles).toEqual(['grafana']);
  });

  it('runs Kafka 3.9 in KRaft mode and moto with predictable pool ids', () => {
    expect(imageOf('kafka').image).toMatch(/^apache\/kafka:3\.9\./);
    expect(service('kafka').environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(service('moto').environment?.['MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY']).toBe('HASH');
  });

  it('starts the service after the topics, the pool and the trace backend exist, against them', () => {
    const provisioner = service('user-provisioner');
    expect(provisioner.depends_on).toEqual({
      'kafka-init': { condition: 'service_completed_successfully' },
      'cognito-init': { condition: 'service_completed_successfully' },
      redis: { condition: 'service_healthy' },
      jaeger: { condition: 'service_healthy' },
    });
    expect(provisioner.environment?.['OTEL_EXPORTER_OTLP_ENDPOINT']).toBe('${OTEL_EXPORTER_OTLP_ENDPOINT:-http://jaeger:4318}');
    expect(provisioner.environment?.['KAFKA_BROKERS']).toBe('kafka:9092');
    expect(provisioner.environment?.['COGNITO_ENDPOINT']).toBe('http://moto:5000');
    expect(provisioner.environment?.['REDIS_URL']).toBe('redis://redis:6379');
    expect(provisioner.environment?.['USER_POOL_ID']).toBe(service('cognito-init').environment?.['USER_POOL_ID']);
    expect(provisioner.read_only).toBe(true);
    expect(Number.parseInt(provisioner.stop_grace_period ?? '0', 10)).toBeGreaterThan(30);
  });

  it('mounts files that exist, where their consumers look for them', () => {
    const mounts = Object.values(services).flatMap((s) => s.volumes ?? []).filter((volume) => volume.startsWith('./'));
    for (const mount of mounts) expect(existsSync(`${repoRoot}${mount.split(':')[0] ?? ''}`), mount).toBe(true);

    const prometheus = parse(read('deploy/prometheus/prometheus.yml')) as { rule_files: string[]; scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const prometheusMounts = service('prometheus').volumes ?? [];
    for (const rules of prometheus.rule_files) expect(prometheusMounts).toContain(`./deploy/prometheus/${rules}:/etc/prometheus/${rules}:ro`);
    expect(prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets))).toContain('user-provisioner:9464');

    const provider = parse(read('deploy/grafana/provisioning/dashboards/user-provisioner.yml')) as { providers: { options: { path: string } }[] };
    expect(service('grafana').volumes).toContain(`./deploy/grafana/dashboards:${provider.providers[0]?.options.path ?? ''}:ro`);
  });

  it('sends exactly the example events (kafka-console-producer lines: headers, key, value)', () => {
    const example = (name: string) => JSON.parse(read(`schemas/examples/${name}.json`)) as Record<string, unknown>;
    const lines = read('deploy/compose/example-events.txt').trimEnd().split('\n').map((line) => {
      const [headers = '', key, ...value] = line.split('\t');
      const pairs = headers.split(',').map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)]);
      return { headers: Object.fromEntries(pairs) as Record<string, string>, key, value: value.join('\t') };
    });
    const binary = example('user.requested.v1.binary');
    const deadLetter = example('user-requested.dlq') as { headers: Record<string, string>; payload: string };
    const structured = { 'content-type': 'application/cloudevents+json' };
    expect(lines.map((line) => ({ ...line, value: line.key === 'garbage' ? line.value : JSON.parse(line.value) as unknown }))).toEqual([
      { headers: structured, key: 'jdoe', value: example('user.requested.v1.structured') },
      { headers: binary['headers'], key: 'jdoe', value: binary['payload'] },
      { headers: structured, key: 'asmith', value: example('user.requested.v1.invalid') },
      { headers: { origin: deadLetter.headers['origin'] }, key: 'garbage', value: deadLetter.payload },
    ]);
  });
});
