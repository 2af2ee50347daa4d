import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { OutcomeLabel, PipelineMetrics } from '../pipeline/metrics.port.ts';
import type { DirectoryOperation } from '../provisioning/directory.port.ts';
import { errorCodeLabel } from '../provisioning/errors.ts';

const PREFIX = 'user_provisioner_';

/**
 * The service's metrics on an injected registry. Labels hold only bounded values: topic,
 * mode, outcome kind, reason code, operation, exception name. Never a username, an email or
 * a request id.
 */
export function createPrometheusMetrics(registry: Registry): PipelineMetrics {
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
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
  const calls = new Counter({
    name: `${PREFIX}cognito_calls_total`,
    help: 'Cognito calls, by operation and result (success or the exception name).',
    labelNames: ['operation', 'result'],
    registers,
  });
  const callDuration = new Histogram({
    name: `${PREFIX}cognito_call_duration_seconds`,
    help: 'Latency of Cognito calls, rate-limiter wait excluded.',
    labelNames: ['operation'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
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
    help: '1 while consumption is paused, by reason.',
    labelNames: ['reason'],
    registers,
  });
  paused.set({ reason: 'systemic' }, 0);
  const endToEnd = new Histogram({
    name: `${PREFIX}end_to_end_latency_seconds`,
    help: "From the input message's Kafka timestamp to the outcome's acknowledgement.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });

  return {
    received: (topic, mode) => received.inc({ topic, mode }),
    outcome: (outcome: OutcomeLabel, reason) => outcomes.inc({ outcome, reason }),
    called(operation: DirectoryOperation, result: string, seconds: number) {
      const label = result === 'success' ? result : errorCodeLabel(result);
      calls.inc({ operation, result: label });
      callDuration.observe({ operation }, seconds);
      if (result === 'TooManyRequestsException') throttled.inc({ operation });
    },
    retried: (operation, errorCode) => retries.inc({ operation, error: errorCodeLabel(errorCode) }),
    inFlight: (delta) => inFlight.inc(delta),
    paused: (reason, isPaused) => paused.set({ reason }, isPaused ? 1 : 0),
    endToEnd: (seconds) => endToEnd.observe(seconds),
  };
}
