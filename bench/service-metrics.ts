import { metricValue } from '../test/support/metrics-text.ts';
import type { ContenderProcess } from './contenders.ts';

// Diagnostics only: what the service says about itself while it runs. The figures of a row come
// from the simulator and the broker; these explain them (a limiter that slowed down, a full
// in-flight bound, calls slower than the simulator's latency).

export interface MetricsSample {
  /** Seconds since the contender was ready. */
  readonly t: number;
  readonly replica: string;
  readonly limiterRate: number;
  readonly limiterQueued: number;
  readonly limiterRunning: number;
  readonly inFlight: number;
  readonly throttledTotal: number;
  readonly createCalls: number;
  /** Mean AdminCreateUser duration so far as the service timed it, in ms. */
  readonly createCallMeanMs: number | null;
  /** The longest event-loop delay since the previous scrape (prom-client resets it on each), in ms. */
  readonly eventLoopLagMaxMs: number;
}

export interface MetricsSummary {
  readonly limiter_rate_min_rps: number | null;
  readonly limiter_queued_max: number | null;
  readonly in_flight_max: number | null;
  readonly service_seen_throttles: number | null;
  readonly service_create_call_mean_ms: number | null;
  readonly event_loop_lag_max_ms: number | null;
}

const CREATION = { category: 'user-creation' };
const CREATE = { operation: 'AdminCreateUser' };

export class ServiceMetricsScraper {
  readonly samples: MetricsSample[] = [];
  readonly #timer: NodeJS.Timeout;
  readonly #startedAt = Date.now();

  constructor(processes: readonly ContenderProcess[], intervalMs = 1_000) {
    const scrape = async () => {
      for (const process of processes) {
        const text = await process.metrics();
        if (text !== undefined) this.samples.push(toSample(text, process.label, (Date.now() - this.#startedAt) / 1000));
      }
    };
    this.#timer = setInterval(() => void scrape(), intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  summary(): MetricsSummary {
    const { samples } = this;
    if (samples.length === 0) {
      return {
        limiter_rate_min_rps: null,
        limiter_queued_max: null,
        in_flight_max: null,
        service_seen_throttles: null,
        service_create_call_mean_ms: null,
        event_loop_lag_max_ms: null,
      };
    }
    const last = new Map(samples.map((sample) => [sample.replica, sample]));
    const means = [...last.values()].map((sample) => sample.createCallMeanMs).filter((mean) => mean !== null);
    return {
      limiter_rate_min_rps: Math.min(...samples.map((s) => s.limiterRate)),
      limiter_queued_max: Math.max(...samples.map((s) => s.limiterQueued)),
      in_flight_max: Math.max(...samples.map((s) => s.inFlight)),
      service_seen_throttles: [...last.values()].reduce((sum, s) => sum + s.throttledTotal, 0),
      service_create_call_mean_ms: means.length === 0 ? null : Math.max(...means),
      event_loop_lag_max_ms: Math.max(...samples.map((s) => s.eventLoopLagMaxMs)),
    };
  }
}

function toSample(text: string, replica: string, t: number): MetricsSample {
  const count = metricValue(text, 'user_provisioner_cognito_call_duration_seconds_count', CREATE);
  const sum = metricValue(text, 'user_provisioner_cognito_call_duration_seconds_sum', CREATE);
  return {
    t,
    replica,
    limiterRate: metricValue(text, 'user_provisioner_limiter_rate_per_second', CREATION),
    limiterQueued: metricValue(text, 'user_provisioner_limiter_queued', CREATION),
    limiterRunning: metricValue(text, 'user_provisioner_limiter_running', CREATION),
    inFlight: metricValue(text, 'user_provisioner_events_in_flight'),
    throttledTotal: metricValue(text, 'user_provisioner_cognito_throttled_total', CREATE),
    createCalls: metricValue(text, 'user_provisioner_cognito_calls_total', CREATE),
    createCallMeanMs: count > 0 ? (sum / count) * 1000 : null,
    eventLoopLagMaxMs: metricValue(text, 'nodejs_eventloop_lag_max_seconds') * 1000,
  };
}
