import type { ContenderName } from './contenders.ts';

export interface Scenario {
  readonly name: string;
  readonly events: number;
  readonly partitions: number;
  /** Processes of each contender, in one consumer group. */
  readonly replicas: number;
  /** The simulator's AdminCreateUser quota; undefined: none. */
  readonly quotaRps: number | undefined;
  readonly latency: { readonly meanMs: number; readonly jitterMs: number } | undefined;
  /** Runs a redis-server and gives the service REDIS_URL. */
  readonly redis: boolean;
  readonly contenders: readonly ContenderName[];
  /** The goal for the service, shown beside its figures (never an exit code). */
  readonly goal?: { readonly minUtilization: number; readonly maxThrottleRatio: number };
}

const LATENCY = { meanMs: 100, jitterMs: 20 };

/**
 * The scenarios. The baseline runs where it finishes in minutes: at one call in flight
 * per partition it manages about ten users a second, so the 50,000-event backlog would take well
 * over an hour. In `raw` it is replaced by the pass-through.
 */
export const FULL: readonly Scenario[] = [
  {
    name: 'one-partition',
    events: 3_000,
    partitions: 1,
    replicas: 1,
    quotaRps: 50,
    latency: LATENCY,
    redis: false,
    contenders: ['service', 'baseline'],
    goal: { minUtilization: 0.98, maxThrottleRatio: 0.005 },
  },
  {
    name: 'replicas',
    events: 3_000,
    partitions: 6,
    replicas: 3,
    quotaRps: 50,
    latency: LATENCY,
    redis: true,
    contenders: ['service', 'baseline'],
    goal: { minUtilization: 0.95, maxThrottleRatio: 0.01 },
  },
  { name: 'raw', events: 20_000, partitions: 1, replicas: 1, quotaRps: undefined, latency: undefined, redis: false, contenders: ['service', 'passthrough'] },
  { name: 'backlog', events: 50_000, partitions: 6, replicas: 1, quotaRps: 200, latency: LATENCY, redis: false, contenders: ['service'] },
];

/** A couple of minutes at most, for CI: proves the bench still runs end to end. */
export const SMOKE: readonly Scenario[] = [
  {
    name: 'one-partition',
    events: 200,
    partitions: 1,
    replicas: 1,
    quotaRps: 50,
    latency: { meanMs: 20, jitterMs: 5 },
    redis: false,
    contenders: ['service'],
    goal: { minUtilization: 0.98, maxThrottleRatio: 0.005 },
  },
  { name: 'raw', events: 1_000, partitions: 1, replicas: 1, quotaRps: undefined, latency: undefined, redis: false, contenders: ['service', 'passthrough'] },
];

/** COGNITO_RATE_LIMIT where the simulator has no quota: the configuration's maximum, so the limiter never binds. */
export const UNLIMITED_RATE = 10_000;
