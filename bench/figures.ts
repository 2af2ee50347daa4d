import type { SeenOutcome } from './bench-kafka.ts';
import type { CallRecord } from './cognito-simulator.ts';

// The figures of one run, from the referee's records only: the simulator's calls and the
// broker's append times of the outcomes.

export interface Figures {
  readonly created_users: number;
  readonly create_calls: number;
  /** Users created per second between the first and the last creation. */
  readonly goodput_rps: number | null;
  readonly throttled_calls: number;
  /** Throttled AdminCreateUser calls over all AdminCreateUser calls. */
  readonly throttle_ratio: number | null;
  /** Per event: its first AdminCreateUser call reaching the simulator → its outcome appended by the broker. */
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
  /**
   * Distinct outcomes per second after the first append: those appended later over the time from
   * the first append to the last. A fast contender appends a whole batch at one instant, so the
   * first instant's outcomes mark the start rather than count as done in no time.
   */
  readonly events_per_s: number | null;
  /** Every call by operation and result, e.g. "AdminCreateUser:UsernameExistsException". */
  readonly call_results: Readonly<Record<string, number>>;
}

export function figures(calls: readonly CallRecord[], outcomes: ReadonlyMap<string, SeenOutcome>): Figures {
  const creates = calls.filter((call) => call.operation === 'AdminCreateUser');
  const createdAt = creates.filter((call) => call.result === 'created').map((call) => call.at);
  const throttled = creates.filter((call) => call.result === 'throttled').length;

  const firstCall = new Map<string, number>();
  for (const call of creates) {
    if (call.username !== undefined && !firstCall.has(call.username)) firstCall.set(call.username, call.at);
  }
  const latencies: number[] = [];
  for (const [key, outcome] of outcomes) {
    const first = firstCall.get(key);
    if (first !== undefined) latencies.push(outcome.appendedAt - first);
  }
  latencies.sort((a, b) => a - b);
  const appended = [...outcomes.values()].map((outcome) => outcome.appendedAt);

  return {
    created_users: createdAt.length,
    create_calls: creates.length,
    goodput_rps: perSecond(createdAt.length, createdAt),
    throttled_calls: throttled,
    throttle_ratio: creates.length === 0 ? null : throttled / creates.length,
    p50_ms: percentile(latencies, 0.5),
    p99_ms: percentile(latencies, 0.99),
    events_per_s: throughput(appended),
    call_results: countResults(calls),
  };
}

/** `count` over the span of the timestamps (ms); null when the span is empty. */
function perSecond(count: number, timestamps: readonly number[]): number | null {
  if (timestamps.length < 2) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const at of timestamps) {
    first = Math.min(first, at);
    last = Math.max(last, at);
  }
  return last > first ? count / ((last - first) / 1000) : null;
}

function countResults(calls: readonly CallRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { operation, result } of calls) {
    const key = `${operation}:${result}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function throughput(appended: readonly number[]): number | null {
  if (appended.length < 2) return null;
  const first = appended.reduce((min, at) => Math.min(min, at), Infinity);
  const last = appended.reduce((max, at) => Math.max(max, at), -Infinity);
  const later = appended.filter((at) => at > first).length;
  return last > first ? later / ((last - first) / 1000) : null;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? null;
}
