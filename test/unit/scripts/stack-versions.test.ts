import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedVersions } from '../../../scripts/stack.ts';

// scripts/versions.env is the one pin of each version of the local stack. The places that cannot
// read it (docker-compose.yml's images must be literal; see test/unit/deploy/compose.test.ts) are
// copies this suite holds to it; everything else must take the version from it.
const root = new URL('../../../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const pins = pinnedVersions();

/** The repository's text files, without dependencies, caches and build output. */
function sourceFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', '.cache', '.git', 'dist', 'coverage', 'results'].includes(entry.name) ? [] : sourceFiles(path);
    return /\.(ts|js|mjs|cjs|json|ya?ml|xml|txt|sh|env|md)$|^Dockerfile$|^run$/.test(entry.name) && entry.name !== 'package-lock.json' ? [relative(root, path)] : [];
  });
}

describe('scripts/versions.env', () => {
  it('pins Kafka and moto as plain versions', () => {
    expect(pins.kafka).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pins.moto).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('pins a Kafka 4 release, the one the second integration run of CI sets', () => {
    expect(pins.kafka4).toMatch(/^4\.\d+\.\d+$/);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['test:integration:kafka4']).toMatch(new RegExp(`^KAFKA_VERSION=${pins.kafka4.replaceAll('.', '\\.')} vitest run --project integration `));
    // CI's second run is the containers path on that release.
    expect(read('.ci/run')).toMatch(/kafka4=\$\(sed -n 's\/\^KAFKA4_VERSION=\/\/p' scripts\/versions\.env\)/);
    expect(read('.ci/run')).toContain('KAFKA_VERSION=$kafka4 npm run test:integration:containers');
  });

  it('is where scripts/kafka.sh, the pom and the moto requirements take their versions from', () => {
    expect(read('scripts/kafka/pom.xml')).not.toMatch(/<kafka\.version>/);
    expect(read('scripts/kafka/pom.xml')).toContain('<version>${kafka.version}</version>');
    expect(read('scripts/kafka/jars.sh')).toContain('-Dkafka.version="$KAFKA_VERSION"');
    expect(read('scripts/moto-requirements.txt')).toMatch(/^moto\[server\]==\$\{MOTO_VERSION\}$/m);
  });

  it('pins Jaeger 2 and the Go module version of that release, and every image of Jaeger named in the repository agrees', () => {
    const env = read('scripts/versions.env');
    const jaeger = /^JAEGER_VERSION=(2\.\d+\.\d+)$/m.exec(env)?.[1];
    expect(env).toMatch(/^JAEGER_MODULE_VERSION=1\.\d+\.\d+$/m);
    expect(read('docker-compose.yml')).toContain(`\${JAEGER_IMAGE:-jaegertracing/jaeger:${String(jaeger)}}`);
    for (const file of sourceFiles()) {
      for (const [image] of read(file).matchAll(/\bjaegertracing\/jaeger:[\w.-]+/g)) expect(`${file}: ${image}`).toBe(`${file}: jaegertracing/jaeger:${String(jaeger)}`);
    }
  });

  it('agrees with every image of Kafka and moto named in the repository', () => {
    const images = sourceFiles().flatMap((file) =>
      [...read(file).matchAll(/(:-)?\b(apache\/kafka|confluentinc\/cp-kafka|motoserver\/moto):([\w.-]+)/g)].map(([, isDefault, image, tag]) => ({ file, image, tag, isDefault: isDefault !== undefined })),
    );
    expect(images.map(({ file }) => file)).toContain('docker-compose.yml');
    for (const { file, image, tag, isDefault } of images) {
      // A compose default (the image after `:-`) is the pin; a mention may name the Kafka 4 one.
      const kafka = isDefault ? [pins.kafka] : [pins.kafka, pins.kafka4];
      const expected = image === 'motoserver/moto' ? [pins.moto] : image === 'apache/kafka' ? kafka : ['none: Confluent numbers its releases apart'];
      expect(expected.map((version) => `${file}: ${image}:${version}`)).toContain(`${file}: ${image}:${tag}`);
    }
  });
});
