import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchKafka, OutcomeWatcher } from './bench-kafka.ts';
import type { CallRecord } from './cognito-simulator.ts';
import { startContender, type ContenderName, type ContenderProcess } from './contenders.ts';
import type { BenchEvent } from './events.ts';
import { figures, type Figures } from './figures.ts';
import { startRedis } from './infrastructure.ts';
import { cpuMs, RssSampler } from './process-stats.ts';
import { UNLIMITED_RATE, type Scenario } from './scenarios.ts';
import { ServiceMetricsScraper, type MetricsSample, type MetricsSummary } from './service-metrics.ts';
import { startSimulatorThread, type SimulatorThread } from './simulator-thread.ts';

export const USER_POOL_ID = 'us-east-1_BenchPool1';

export type RowStatus = 'ok' | 'timeout' | 'error';

/** One row of the results: the fields first, then what explains them. */
export interface BenchRow extends Partial<MetricsSummary> {
  readonly scenario: string;
  readonly contender: ContenderName;
  readonly events: number;
  readonly partitions: number;
  readonly replicas: number;
  readonly quota_rps: number | null;
  /** Mean simulated call latency; the jitter is `latency_jitter_ms` (uniform). */
  readonly latency_ms: number | null;
  readonly goodput_rps: number | null;
  readonly utilization: number | null;
  readonly throttled_calls: number | null;
  readonly throttle_ratio: number | null;
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
  readonly cpu_ms_per_event: number | null;
  /** Peak resident memory of any one contender process. */
  readonly rss_mb: number | null;
  readonly status: RowStatus;
  readonly error?: string;
  readonly latency_jitter_ms: number | null;
  readonly quota_burst: number | null;
  /** Input events that got an outcome (distinct keys). */
  readonly completed: number;
  readonly created_users: number;
  readonly create_calls: number;
  readonly failed_outcomes: number;
  /** Outcomes published more than once for the same key (redeliveries, e.g. around rebalances). */
  readonly duplicate_outcomes: number;
  readonly events_per_s: number | null;
  /** raw only: this contender's events_per_s over the pass-through's. */
  ratio_to_passthrough?: number | null;
  /** From ready to the last outcome (or the timeout). */
  readonly wall_s: number | null;
  readonly rss_mb_by_quarter: (number | null)[];
  readonly call_results: Readonly<Record<string, number>>;
  /** The machine's 1-minute load average when the contender was ready and when it finished: the machine is shared. */
  readonly load_1m: readonly [number | null, number | null];
  readonly service_version?: string;
  readonly service_env?: Readonly<Record<string, string>>;
}

export interface RunContext {
  readonly kafka: BenchKafka;
  readonly brokers: string;
  readonly redisPort: number;
  readonly timeoutMs: number;
  /** Extra environment for the service, for experiments. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  /** The commit the service ran from. */
  readonly serviceVersion: string;
}

export interface ContenderRun {
  readonly row: BenchRow;
  readonly timeline: readonly MetricsSample[];
  /** The simulator's records, for a closer look. */
  readonly calls: readonly CallRecord[];
}

/**
 * One contender on one scenario: a fresh simulator and fresh topics, the whole backlog produced
 * first, then the contender started and watched until every event has an outcome.
 */
export async function runContender(scenario: Scenario, contender: ContenderName, events: readonly BenchEvent[], context: RunContext): Promise<ContenderRun> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const label = `${scenario.name}/${contender}`;
  let simulator: SimulatorThread | undefined;
  let calls: readonly CallRecord[];
  let watcher: OutcomeWatcher | undefined;
  let sampler: RssSampler | undefined;
  let scraper: ServiceMetricsScraper | undefined;
  let readyAt: number | undefined;
  let doneAt: number | undefined;
  let createdTopic: string | undefined;
  let loadAtReady: number | null = null;
  let loadAtEnd: number | null = null;
  let cpu: number | undefined;
  let status: RowStatus = 'error';
  let error: string | undefined;
  try {
    simulator = await startSimulatorThread({
      userPools: [USER_POOL_ID],
      quota: scenario.quotaRps === undefined ? undefined : { ratePerSecond: scenario.quotaRps },
      latency: scenario.latency,
    });
    cleanups.push(() => simulator?.close());
    const topics = await context.kafka.freshTopics(`${scenario.name}-${contender}`, scenario.partitions);
    cleanups.push(() => context.kafka.deleteTopics(topics));
    createdTopic = topics.created;
    await context.kafka.produce(topics.requested, events);
    watcher = await context.kafka.watch(contender === 'passthrough' ? [topics.created] : [topics.created, topics.failed, topics.dlq]);
    cleanups.push(() => watcher?.stop());

    const redis = scenario.redis && contender === 'service' ? await startRedis(context.redisPort) : undefined;
    if (redis) cleanups.push(() => redis.stop());
    const processes = await startContender(
      contender,
      {
        brokers: context.brokers,
        topics,
        groupId: `bench-${scenario.name}-${contender}-${randomUUID().slice(0, 8)}`,
        cognitoEndpoint: simulator.endpoint,
        userPoolId: USER_POOL_ID,
        rateLimit: scenario.quotaRps ?? UNLIMITED_RATE,
        redisUrl: redis?.url,
        extraEnv: contender === 'service' ? context.serviceEnv : {},
      },
      scenario.replicas,
    );
    cleanups.push(async () => {
      await Promise.all(processes.map((process) => process.stop(15_000)));
    });
    sampler = new RssSampler(processes.map((process) => process.pid));
    await Promise.all(processes.map((process) => process.waitReady(60_000)));
    readyAt = Date.now();
    loadAtReady = round(loadavg()[0] ?? null, 2);
    // CPU from ready on: start-up (loading the code) is not per-event work.
    const cpuAtReady = totalCpu(processes);
    if (contender === 'service') scraper = new ServiceMetricsScraper(processes);

    status = await waitForOutcomes(label, events.length, watcher, simulator, processes, readyAt + context.timeoutMs);
    doneAt = Date.now();
    loadAtEnd = round(loadavg()[0] ?? null, 2);
    const cpuAtEnd = totalCpu(processes);
    cpu = cpuAtReady !== undefined && cpuAtEnd !== undefined ? cpuAtEnd - cpuAtReady : undefined;
    if (status === 'error') error = `a ${contender} process exited:\n${processes.map((p) => p.tail()).join('\n')}`;
  } catch (failure) {
    error = failure instanceof Error ? failure.message : String(failure);
  } finally {
    scraper?.stop();
    sampler?.stop();
    calls = (await simulator?.calls().catch(() => undefined)) ?? [];
    for (const cleanup of cleanups.reverse()) {
      await Promise.resolve(cleanup()).catch((failure: unknown) => process.stderr.write(`bench: cleanup of ${label} failed: ${String(failure)}\n`));
    }
  }

  const measured = figures(calls, watcher?.byKey ?? new Map());
  const completed = watcher?.distinct ?? 0;
  const row: BenchRow = {
    scenario: scenario.name,
    contender,
    events: events.length,
    partitions: scenario.partitions,
    replicas: scenario.replicas,
    quota_rps: scenario.quotaRps ?? null,
    latency_ms: scenario.latency?.meanMs ?? null,
    ...cognitoFigures(contender, measured, scenario.quotaRps),
    cpu_ms_per_event: cpu === undefined || completed === 0 ? null : round(cpu / completed, 3),
    rss_mb: round(sampler?.peakMb() ?? null, 1),
    status,
    ...(error !== undefined ? { error } : {}),
    latency_jitter_ms: scenario.latency?.jitterMs ?? null,
    quota_burst: simulator?.burst ?? null,
    completed,
    failed_outcomes: [...(watcher?.byKey.values() ?? [])].filter((outcome) => outcome.topic !== createdTopic).length,
    duplicate_outcomes: (watcher?.total ?? 0) - completed,
    call_results: measured.call_results,
    load_1m: [loadAtReady, loadAtEnd],
    events_per_s: round(measured.events_per_s, 1),
    wall_s: readyAt !== undefined && doneAt !== undefined ? round((doneAt - readyAt) / 1000, 1) : null,
    rss_mb_by_quarter: readyAt !== undefined && doneAt !== undefined && sampler ? sampler.peakByQuarterMb(readyAt, doneAt).map((mb) => round(mb, 1)) : [],
    ...(scraper ? roundedSummary(scraper.summary()) : {}),
    ...(contender === 'service' ? { service_version: context.serviceVersion } : {}),
    ...(contender === 'service' && Object.keys(context.serviceEnv).length > 0 ? { service_env: context.serviceEnv } : {}),
  };
  return { row, timeline: scraper?.samples ?? [], calls };
}

/** Cognito figures; the pass-through makes no calls, so they are null rather than zero. */
function cognitoFigures(contender: ContenderName, measured: Figures, quotaRps: number | undefined) {
  const calls = contender !== 'passthrough';
  return {
    goodput_rps: calls ? round(measured.goodput_rps, 2) : null,
    utilization: calls && quotaRps !== undefined && measured.goodput_rps !== null ? round(measured.goodput_rps / quotaRps, 3) : null,
    throttled_calls: calls ? measured.throttled_calls : null,
    throttle_ratio: calls ? round(measured.throttle_ratio, 4) : null,
    p50_ms: calls ? round(measured.p50_ms, 1) : null,
    p99_ms: calls ? round(measured.p99_ms, 1) : null,
    created_users: measured.created_users,
    create_calls: measured.create_calls,
  };
}

async function waitForOutcomes(
  label: string,
  expected: number,
  watcher: OutcomeWatcher,
  simulator: SimulatorThread,
  processes: readonly ContenderProcess[],
  deadline: number,
): Promise<RowStatus> {
  let nextReport = Date.now() + 10_000;
  for (;;) {
    if (watcher.distinct >= expected) return 'ok';
    if (processes.some((process) => process.hasExited)) return 'error';
    if (Date.now() > deadline) return 'timeout';
    if (Date.now() >= nextReport) {
      nextReport += 10_000;
      const { users, throttled, errors } = await simulator.progress();
      process.stderr.write(`bench: ${label}: ${watcher.distinct}/${expected} outcomes, ${users} users, ${throttled} throttled, ${errors} other errors\n`);
    }
    await sleep(100);
  }
}

function totalCpu(processes: readonly ContenderProcess[]): number | undefined {
  let total = 0;
  for (const process of processes) {
    const ms = cpuMs(process.pid);
    if (ms === undefined) return undefined;
    total += ms;
  }
  return total;
}

function roundedSummary(summary: MetricsSummary): MetricsSummary {
  return {
    limiter_rate_min_rps: round(summary.limiter_rate_min_rps, 2),
    limiter_queued_max: summary.limiter_queued_max,
    in_flight_max: summary.in_flight_max,
    service_seen_throttles: summary.service_seen_throttles,
    service_create_call_mean_ms: round(summary.service_create_call_mean_ms, 1),
    event_loop_lag_max_ms: round(summary.event_loop_lag_max_ms, 1),
  };
}

export function round(value: number | null, digits: number): number | null {
  if (value === null) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
