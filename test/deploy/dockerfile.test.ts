import { globSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './manifests.ts';

// hadolint (scripts/check-deploy.sh) checks the Dockerfile's style; this checks its promises:
// pinned bases, Node 24, production dependencies only, a non-root user, a health check, and a
// build context that holds no secrets.

const dockerfile = readFileSync(`${repoRoot}Dockerfile`, 'utf8').replaceAll('\\\n', ' ');
const instructions = dockerfile.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
const stages = instructions.join('\n').split(/^(?=FROM )/m).filter((stage) => stage.startsWith('FROM'));
const runtime = stages.at(-1) ?? '';

describe('Dockerfile', () => {
  it('builds on pinned Node 24 images and runs on distroless Node 24', () => {
    // The bases are build arguments (stand-ins where no registry answers); their defaults are these.
    const defaults = new Map([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((match) => [match[1], match[2]]));
    const bases = stages.map((stage) => /^FROM (\S+)/.exec(stage)?.[1] ?? '').map((base) => /^\$\{(\w+)\}$/.exec(base)?.[1] ?? base).map((base) => defaults.get(base) ?? base);
    for (const base of bases.slice(0, -1)) expect(base).toMatch(/^node:24\.\d+\.\d+-bookworm-slim$/);
    expect(bases.at(-1)).toMatch(/^gcr\.io\/distroless\/nodejs24-debian12:nonroot(@sha256:[0-9a-f]{64})?$/);
    expect(bases.every((base) => !base.endsWith(':latest'))).toBe(true);
  });

  it('ships production dependencies only, and no sources or tests', () => {
    const installs = stages.filter((stage) => stage.includes('npm ci'));
    const shipped = [...runtime.matchAll(/^COPY --from=(\S+) \S+/gm)].map((match) => match[0]);
    const dependencyStage = /COPY --from=(\S+) \/\S+\/node_modules /.exec(runtime)?.[1];
    const source = installs.find((stage) => stage.includes(` AS ${dependencyStage ?? '?'}`));
    expect(source).toMatch(/npm ci --omit=dev/);
    expect(shipped.join('\n')).not.toMatch(/\/app\/(src|test)\b/);
    expect(runtime).not.toMatch(/^RUN /m);
  });

  it('runs as a numeric non-root user with a health check on /healthz and dist/main.js', () => {
    expect(/^USER (\d+)(:\d+)?$/m.exec(runtime)?.[1]).not.toBe('0');
    expect(runtime).toMatch(/^USER \d+/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(runtime).toMatch(/^ENTRYPOINT \[.*"dist\/main\.js"\]$/m);
  });

  it('ships the Lua scripts beside the compiled code that reads them (tsc emits only JavaScript)', () => {
    const scripts = globSync('src/**/*.lua', { cwd: repoRoot });
    const buildScript = (JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts['build'] ?? '';
    const build = stages.find((stage) => stage.includes('npm run build')) ?? '';
    expect(scripts).not.toHaveLength(0);
    expect(build).toMatch(/^COPY src \.\/src$/m);
    for (const script of scripts) {
      const folder = dirname(script).slice('src/'.length);
      const copies = [`cp src/${folder}/*.lua dist/${folder}/`, `cp ${script} dist/${folder}/`];
      expect(copies.some((copy) => buildScript.includes(copy)), script).toBe(true);
    }
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
  });

  it('ships a CycloneDX SBOM made beside the production dependencies it describes', () => {
    const dependencyStage = /COPY --from=(\S+) \/\S+\/node_modules /.exec(runtime)?.[1] ?? '?';
    const stage = stages.find((candidate) => candidate.includes(` AS ${dependencyStage}`)) ?? '';
    expect(stage).toMatch(/npm sbom --sbom-format cyclonedx .*> \/sbom\/user-provisioner\.cdx\.json/);
    expect(runtime).toMatch(new RegExp(`^COPY --from=${dependencyStage} /sbom/user-provisioner\\.cdx\\.json /sbom/user-provisioner\\.cdx\\.json$`, 'm'));
  });

  it('labels the image with its title, version, source and revision (OCI annotations) from build arguments', () => {
    const label = (name: string) => new RegExp(`org\\.opencontainers\\.image\\.${name}="([^"]*)"`).exec(runtime)?.[1];
    const version = (JSON.parse(readFileSync(`${repoRoot}package.json`, 'utf8')) as { version: string }).version;
    expect(label('title')).toBe('user-provisioner');
    expect(label('version')).toBe('${VERSION}');
    expect(runtime).toMatch(new RegExp(`^ARG VERSION=${version.replaceAll('.', '\\.')}$`, 'm'));
    for (const [name, argument] of [['revision', 'REVISION'], ['source', 'SOURCE']] as const) {
      expect(label(name)).toBe(`\${${argument}}`);
      expect(runtime).toMatch(new RegExp(`^ARG ${argument}\\b`, 'm'));
    }
  });

  it('sends the build only what it needs (.dockerignore is an allow-list)', () => {
    const ignore = readFileSync(`${repoRoot}.dockerignore`, 'utf8').split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    expect(ignore.slice(1).every((line) => line.startsWith('!'))).toBe(true);
    expect(ignore).not.toContain('!.env');
  });
});
