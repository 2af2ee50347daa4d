// How every service of the fault suite runs: over SASL_SSL with SCRAM (so a SASL secret exists
// that must never show), with the quota shared through the suite's Redis, and with the retry,
// in-flight and pause settings written out here because the scenarios derive bounds from them.
import { inject } from 'vitest';

/** The service's defaults (README, Configuration), set explicitly: the outage bound is computed from them. */
export const RETRY = { maxAttempts: 12, maxDurationMs: 120_000, minDelayMs: 200, maxDelayMs: 20_000 } as const;
export const MAX_IN_FLIGHT = 50;
/** The systemic pause's canary schedule, tuning.systemicCanary in src/tuning.ts (not configurable): first after 1 s, doubling, at most 30 s apart. */
export const CANARY = { firstDelayMs: 1_000, maxDelayMs: 30_000 } as const;

export function serviceEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const broker = inject('faultsBroker');
  return {
    KAFKA_BROKERS: broker.secureBrokers,
    KAFKA_SSL: 'true',
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: broker.scramUsername,
    KAFKA_SASL_PASSWORD: broker.scramPassword,
    NODE_EXTRA_CA_CERTS: broker.caFile,
    REDIS_URL: inject('faultsRedisUrl'),
    // More than info, so the secret scans look through more than production would print.
    LOG_LEVEL: 'debug',
    COGNITO_RATE_LIMIT: '200',
    MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
    RETRY_MAX_ATTEMPTS: String(RETRY.maxAttempts),
    RETRY_MAX_DURATION_MS: String(RETRY.maxDurationMs),
    RETRY_MIN_DELAY_MS: String(RETRY.minDelayMs),
    RETRY_MAX_DELAY_MS: String(RETRY.maxDelayMs),
    ...extra,
  };
}

/**
 * Added to a measured window before a bound is computed from it: a Node timer can fire a few
 * milliseconds before its delay has passed in real time (libuv measures from its cached loop
 * time), so a window just past a threshold must not be read as strictly inside it.
 */
export const TIMER_SLACK_MS = 1_000;

/**
 * The most attempts one request can make inside any window of `windowMs`: p-retry waits at least
 * min(minDelay·2^k, maxDelay) before retry k+1 (its random factor is 1..2, never below 1), and
 * the waits only grow, so the densest window is the one that starts with the first attempt.
 */
export function maxAttemptsWithin(windowMs: number, retry: typeof RETRY = RETRY): number {
  let attempts = 1;
  let elapsed = 0;
  for (let k = 0; attempts < retry.maxAttempts; k++) {
    elapsed += Math.min(retry.minDelayMs * 2 ** k, retry.maxDelayMs);
    if (elapsed > windowMs) break;
    attempts++;
  }
  return attempts;
}

/** The most canaries the systemic pause runs inside `windowMs` after it trips (first after firstDelay, doubling, capped). */
export function maxCanariesWithin(windowMs: number): number {
  let canaries = 0;
  let elapsed = 0;
  for (let delay: number = CANARY.firstDelayMs; ; delay = Math.min(delay * 2, CANARY.maxDelayMs)) {
    elapsed += delay;
    if (elapsed > windowMs) return canaries;
    canaries++;
  }
}
