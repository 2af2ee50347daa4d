import { createHash } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import type { PersonalDataMask } from '../events/personal-data.port.ts';

export type { Logger };

// Secrets are redacted by path wherever they could appear; personal data (usernames, emails) is
// hashed unless the operator opts in, so log lines still correlate without exposing it.
const REDACT_PATHS = [
  'temporaryPassword', '*.temporaryPassword', '*.*.temporaryPassword', 'TemporaryPassword', '*.TemporaryPassword',
  'password', '*.password', '*.*.password', 'sasl.password', '*.sasl.password', 'KAFKA_SASL_PASSWORD',
  'secretAccessKey', '*.secretAccessKey', 'sessionToken', '*.sessionToken',
];

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: 'user-provisioner',
      level: options.level,
      base: { service: 'user-provisioner' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // A line written while a message is handled joins its trace (none while tracing is off).
      mixin: traceFields,
    },
    options.destination,
  );
}

function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/** Shows personal data only when the operator opted in; otherwise a stable, short hash. */
export function personalData(optIn: boolean): PersonalDataMask {
  return (value) => {
    if (value === undefined || optIn) return value;
    return `sha256:${createHash('sha256').update(value).digest('hex').slice(0, 16)}`;
  };
}
