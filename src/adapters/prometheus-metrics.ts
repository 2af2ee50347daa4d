import { TraceFlags, trace } from '@opentelemetry/api';
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { OutcomeLabel, PipelineMetrics } from '../pipeline/metrics.port.ts';
import { QUOTA_CATEGORIES, type Limiter, type QuotaCategory } from '../resilience/limiter.port.ts';
import type { DirectoryOperation } from '../provisioning/directory.port.ts';
import { errorCodeLabel } from '../provisioning/errors.ts';

const PREFIX = 'user_provisioner_';

/**
 * The service's metrics on an injected registry. Labels hold only bounded values: topic,
 * mode, outcome kind, reason code, operation, exception name. Never a username, an email or
 * a request id.
 */
export interface MetricSources {
  readonly limiter: Limiter;
  /** True while partitions wait for a free in-flight slot. */
  readonly backpressure: () => boolean;
  /** The consumer group's lag per partition of the input topic, read from the broker. */
  readonly lag: () => Promise<readonly { topic: string; partition: number; lag: number }[]>;
  /** Whether each allowed pool's configuration (DescribeUserPool) could be read; pool ids are not personal data. */
  readonly poolConfigurations?: () => readonly { userPoolId: string; available: boolean }[];
}

/** Lag is read from the broker at most this often, however often Prometheus scrapes. */
const LAG_MAX_AGE_MS = 10_000;
const LAG_READ_TIMEOUT_MS = 2_000;

export function createPrometheusMetrics(registry: Registry, sources: MetricSources): PipelineMetrics {
  // Unprefixed (process_*, nodejs_*), as every Node service exports them, so that standard
  // dashboards and alerts work; only the service's own metrics carry PREFIX.
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges with a counter's "_total" suffix, which promtool rejects;
  // the process metrics that remain (CPU, memory, heap, GC, event-loop lag) cover them.
  for (const misnamed of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(misnamed);
  }
  const registers = [registry];

  const received = new Counter({
    name: `${PREFIX}events_received_total`,
    help: 'Input messages received, by topic and CloudEvents mode (structured, binary, unknown).',
    labelNames: ['topic', 'mode'],
    registers,
  });
  const outcomes = new Counter({
    name: `${PREFIX}outcomes_total`,
    help: 'Outcomes acknowledged by the broker, by kind and failure reason.',
    labelNames: ['outcome', 'reason'],
    registers,
  });
  const invitationsUndelivered = new Counter({
    name: `${PREFIX}invitations_undelivered_total`,
    help: 'Users answered as created (or re-invited) whose invitation Cognito could not deliver (invitationDelivered false); a RESEND delivers it.',
    registers,
  });
  const calls = new Counter({
    name: `${PREFIX}cognito_calls_total`,
    help: 'Cognito calls, by operation and result (success or the exception name).',
    labelNames: ['operation', 'result'],
    registers,
  });
  const callDuration = new Histogram<'operation' | ExemplarLabel>({
    name: `${PREFIX}cognito_call_duration_seconds`,
    help: 'Latency of Cognito calls, rate-limiter wait excluded.',
    labelNames: ['operation'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    enableExemplars: true,
    registers: [],
  });
  // prom-client refuses exemplars on a registry in the Prometheus text format, which still serves
  // scrapes that do not ask for OpenMetrics (the exemplars are left out there): registered by hand.
  registry.registerMetric(callDuration);
  const retries = new Counter({
    name: `${PREFIX}cognito_retries_total`,
    help: 'Cognito calls retried, by operation and the error that caused the retry.',
    labelNames: ['operation', 'error'],
    registers,
  });
  const throttled = new Counter({
    name: `${PREFIX}cognito_throttled_total`,
    help: 'Cognito calls answered with TooManyRequestsException.',
    labelNames: ['operation'],
    registers,
  });
  const inFlight = new Gauge({
    name: `${PREFIX}events_in_flight`,
    help: 'Input messages being processed.',
    registers,
  });
  const paused = new Gauge({
    name: `${PREFIX}consumer_paused`,
    help: '1 while consumption is paused, by reason: systemic (a broken deployment) or backpressure (MAX_IN_FLIGHT reached, partitions wait).',
    labelNames: ['reason'],
    registers,
    collect() {
      this.set({ reason: 'backpressure' }, sources.backpressure() ? 1 : 0);
    },
  });
  paused.set({ reason: 'systemic' }, 0);
  const quarantined = new Gauge({
    name: `${PREFIX}quarantined`,
    help: '1 once the share of failed outcomes passed QUARANTINE_FAILURE_RATIO: consumption stopped until a restart.',
    registers,
  });
  quarantined.set(0);
  const endToEnd = new Histogram({
    name: `${PREFIX}end_to_end_latency_seconds`,
    help: "From the input message's Kafka timestamp to the outcome's acknowledgement.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    enableExemplars: true,
    registers: [],
  });
  registry.registerMetric(endToEnd);

  const limiterGauge = (name: string, help: string, read: (category: QuotaCategory) => number) =>
    new Gauge({
      name: `${PREFIX}limiter_${name}`,
      help,
      labelNames: ['category'],
      registers,
      collect() {
        for (const category of QUOTA_CATEGORIES) this.set({ category }, read(category));
      },
    });
  limiterGauge('queued', 'Cognito calls waiting for a rate-limiter token, by quota category.', (c) => sources.limiter.stats(c).queued);
  limiterGauge('running', 'Cognito calls past the rate limiter and not finished, by quota category.', (c) => sources.limiter.stats(c).running);
  limiterGauge('shared', '1 while the quota is shared with the other replicas through Redis, 0 on this replica\'s own bucket or share.', (c) => (sources.limiter.stats(c).shared ? 1 : 0));
  limiterGauge('rate_per_second', 'Cognito calls per second the rate limiter currently allows, by quota category.', (c) => sources.limiter.stats(c).ratePerSecond);
  const readLag = cachedFor(LAG_MAX_AGE_MS, sources.lag);
  new Gauge({
    name: `${PREFIX}consumer_lag`,
    help: 'Messages of the input topic not yet committed by the consumer group, per partition (read from the broker at most every 10 s).',
    labelNames: ['topic', 'partition'],
    registers,
    async collect() {
      // Unknown while the broker cannot be asked: better no sample than a stale one.
      this.reset();
      // A broker that does not answer must not hold up the whole scrape.
      const timeout = new Promise<[]>((resolve) => setTimeout(() => resolve([]), LAG_READ_TIMEOUT_MS).unref());
      const samples = await Promise.race([readLag().catch(() => []), timeout]);
      for (const { topic, partition, lag } of samples) this.set({ topic, partition: String(partition) }, lag);
    },
  });

  const { poolConfigurations } = sources;
  if (poolConfigurations !== undefined) {
    new Gauge({
      name: `${PREFIX}pool_configuration_available`,
      help: '1 while the pool\'s configuration (DescribeUserPool) is known and its rules are checked before AdminCreateUser; 0 while only the static checks apply.',
      labelNames: ['user_pool_id'],
      registers,
      collect() {
        for (const { userPoolId, available } of poolConfigurations()) this.set({ user_pool_id: userPoolId }, available ? 1 : 0);
      },
    });
  }

  return {
    received: (topic, mode) => received.inc({ topic, mode }),
    outcome: (outcome: OutcomeLabel, reason) => outcomes.inc({ outcome, reason }),
    invitationUndelivered: () => invitationsUndelivered.inc(),
    called(operation: DirectoryOperation, result: string, seconds: number) {
      const label = result === 'success' ? result : errorCodeLabel(result);
      calls.inc({ operation, result: label });
      callDuration.observe({ labels: { operation }, value: seconds, exemplarLabels: exemplar() });
      if (result === 'TooManyRequestsException') throttled.inc({ operation });
    },
    retried: (operation, errorCode) => retries.inc({ operation, error: errorCodeLabel(errorCode) }),
    inFlight: (delta) => inFlight.inc(delta),
    paused: (reason, isPaused) => paused.set({ reason }, isPaused ? 1 : 0),
    quarantined: (isQuarantined) => quarantined.set(isQuarantined ? 1 : 0),
    endToEnd: (seconds) => endToEnd.observe({ value: seconds, exemplarLabels: exemplar() }),
  };
}

/** Exemplar labels (histogram types list them beside the real labels; they are not labels). */
type ExemplarLabel = 'trace_id' | 'span_id';

/** The sampled trace an observation belongs to, shown only in OpenMetrics; none while tracing is off. */
function exemplar(): Partial<Record<ExemplarLabel, string>> {
  const context = trace.getActiveSpan()?.spanContext();
  if (context === undefined || (context.traceFlags & TraceFlags.SAMPLED) === 0) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

function cachedFor<T>(maxAgeMs: number, read: () => Promise<T>): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > maxAgeMs) {
      const value = read();
      cached = { at: now, value };
      // A failed read is not kept: the next scrape asks again.
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
    }
    return cached.value;
  };
}
