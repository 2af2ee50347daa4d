import { describe, expect, it } from 'vitest';
import { PoolConfigurations, provenanceProblem, type PoolConfigurationStatus } from '../../../src/provisioning/pool-configurations.ts';
import { POOL } from '../../support/builders.ts';
import { aPoolAttribute, aPoolConfiguration, FakeDirectory, simulatedCognitoError } from '../../support/fakes/fake-directory.ts';
import { InlineCalls } from '../../support/fakes/inline-calls.ts';

const OTHER_POOL = 'eu-west-1_Other2';
const SETTINGS = { refreshIntervalMs: 300_000, minimumIntervalMs: 30_000 };

function setup(directory = new FakeDirectory({ configurations: [aPoolConfiguration(POOL, { caseSensitive: false })] })) {
  let now = 0;
  const changes: PoolConfigurationStatus[] = [];
  const calls = new InlineCalls();
  const configurations = new PoolConfigurations({
    directory,
    calls,
    userPoolIds: [POOL, OTHER_POOL],
    settings: SETTINGS,
    changed: (status) => changes.push(status),
    now: () => now,
  });
  return { directory, calls, configurations, changes, advance: (ms: number) => (now += ms) };
}

/** Lets background reads finish. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('PoolConfigurations', () => {
  it('reads every allowed pool at load, through the directory calls, and serves them from memory', async () => {
    const { directory, calls, configurations, changes } = setup();
    await configurations.load();
    expect(directory.describeRequests.sort()).toEqual([OTHER_POOL, POOL].sort());
    expect(calls.operations).toEqual(['DescribeUserPool', 'DescribeUserPool']);
    expect(configurations.current(POOL)?.caseSensitive).toBe(false);
    expect(configurations.current('us-east-1_NotAllowed')).toBeUndefined();
    expect(directory.describeRequests).toHaveLength(2);
    expect(changes).toEqual([
      { userPoolId: POOL, available: true, because: undefined },
      { userPoolId: OTHER_POOL, available: true, because: undefined },
    ]);
  });

  it('reads a pool again only once the refresh interval passed, one read at a time', async () => {
    const { directory, configurations, advance } = setup();
    await configurations.load();
    advance(SETTINGS.refreshIntervalMs - 1);
    configurations.current(POOL);
    expect(directory.describeRequests).toHaveLength(2);
    advance(1);
    configurations.current(POOL);
    configurations.current(POOL);
    await settled();
    expect(directory.describeRequests.filter((id) => id === POOL)).toHaveLength(2);
  });

  it('reads a suspected pool again, but no sooner than the minimum interval', async () => {
    const { directory, configurations, advance } = setup();
    await configurations.load();
    configurations.suspect(POOL);
    await settled();
    expect(directory.describeRequests.filter((id) => id === POOL)).toHaveLength(1);
    advance(SETTINGS.minimumIntervalMs);
    directory.configure(aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('custom:badge')] }));
    configurations.suspect(POOL);
    await settled();
    expect(configurations.current(POOL)?.attributes.has('custom:badge')).toBe(true);
  });

  it('without cognito-idp:DescribeUserPool serves no configuration and reports it once, however often it reads', async () => {
    const directory = new FakeDirectory().failNext('DescribeUserPool', ...Array.from({ length: 4 }, () => simulatedCognitoError('AccessDeniedException', 403)));
    const { configurations, changes, advance } = setup(directory);
    await configurations.load();
    expect(configurations.current(POOL)).toBeUndefined();
    advance(SETTINGS.refreshIntervalMs);
    configurations.current(POOL);
    configurations.current(OTHER_POOL);
    await settled();
    expect(changes).toEqual([
      { userPoolId: POOL, available: false, because: 'AccessDeniedException' },
      { userPoolId: OTHER_POOL, available: false, because: 'AccessDeniedException' },
    ]);
    expect(configurations.statuses.every((status) => !status.available)).toBe(true);
  });

  it('keeps the configuration read before when a later read fails, and says the pool is unavailable', async () => {
    const { directory, configurations, changes, advance } = setup();
    await configurations.load();
    directory.failNext('DescribeUserPool', simulatedCognitoError('TooManyRequestsException', 429));
    advance(SETTINGS.refreshIntervalMs);
    configurations.current(POOL);
    await settled();
    expect(configurations.current(POOL)?.caseSensitive).toBe(false);
    expect(changes.at(-1)).toEqual({ userPoolId: POOL, available: false, because: 'TooManyRequestsException' });
  });
});

describe('provenanceProblem', () => {
  it('accepts a String custom attribute of the schema, mutable or not', () => {
    const pool = aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('custom:provisioning_id', { mutable: false })] });
    expect(provenanceProblem('custom:provisioning_id', pool)).toBeUndefined();
  });

  it('names an attribute the schema lacks, one of another type, and a developer-only one named without dev:', () => {
    expect(provenanceProblem('custom:provisioning_id', aPoolConfiguration(POOL))).toMatch(/is not an attribute of pool/);
    const numeric = aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('custom:provisioning_id', { dataType: 'Number' })] });
    expect(provenanceProblem('custom:provisioning_id', numeric)).toMatch(/Number attribute/);
    const developerOnly = aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('dev:custom:provisioning_id', { developerOnly: true })] });
    expect(provenanceProblem('custom:provisioning_id', developerOnly)).toMatch(/name it dev:custom:provisioning_id/);
    expect(provenanceProblem('dev:custom:provisioning_id', developerOnly)).toBeUndefined();
  });
});

describe('PoolConfigurations.provenanceProblem', () => {
  it('names the first pool read that cannot carry the attribute, and trusts a pool not read yet', async () => {
    const carries = aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('custom:provisioning_id')] });
    const { configurations } = setup(new FakeDirectory({ configurations: [carries, aPoolConfiguration(OTHER_POOL)] }));
    expect(configurations.provenanceProblem('custom:provisioning_id')).toBeUndefined();
    await configurations.load();
    expect(configurations.provenanceProblem('custom:provisioning_id')).toEqual({
      userPoolId: OTHER_POOL,
      problem: `custom:provisioning_id is not an attribute of pool ${OTHER_POOL}`,
    });
  });

  it('is satisfied when every pool read carries it', async () => {
    const pools = [POOL, OTHER_POOL].map((id) => aPoolConfiguration(id, { extraAttributes: [aPoolAttribute('custom:provisioning_id')] }));
    const { configurations } = setup(new FakeDirectory({ configurations: pools }));
    await configurations.load();
    expect(configurations.provenanceProblem('custom:provisioning_id')).toBeUndefined();
  });
});
