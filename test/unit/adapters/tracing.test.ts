import { context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { startTracing } from '../../../src/adapters/tracing.ts';
import { metricValue } from '../../support/metrics-text.ts';

function recordingLog() {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (fields: Record<string, unknown>, message: string) => void lines.push({ level: 'info', message, fields }),
    warn: (fields: Record<string, unknown>, message: string) => void lines.push({ level: 'warn', message, fields }),
  };
}

/** A collector that cannot be reached: every export fails. */
class FailingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode; error?: Error }) => void): void {
    this.exported += spans.length;
    done({ code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED 127.0.0.1:4318') });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

afterAll(() => {
  trace.disable();
  context.disable();
});

describe('startTracing', () => {
  it('stays off without an endpoint: the no-op tracer, nothing registered', async () => {
    const log = recordingLog();
    const tracing = startTracing({ env: {}, registry: new Registry(), log });
    expect(tracing.enabled).toBe(false);
    expect(tracing.tracer.startSpan('x').isRecording()).toBe(false);
    expect(log.lines).toEqual([{ level: 'info', message: 'tracing off', fields: { reason: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' } }]);
    await tracing.shutdown(100);
  });

  it('counts every failed export and logs the first of a minute, never failing the caller', async () => {
    const log = recordingLog();
    const registry = new Registry();
    const exporter = new FailingExporter();
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '1' }, registry, log, exporter });
    expect(tracing.enabled).toBe(true);
    for (let index = 0; index < 3; index++) tracing.tracer.startSpan(`span ${index}`).end();
    await tracing.shutdown(5_000);
    expect(exporter.exported).toBe(3);
    expect(metricValue(await registry.metrics(), 'user_provisioner_trace_export_failures_total')).toBe(3);
    expect(log.lines.filter((line) => line.message === 'tracing: spans could not be exported to the collector')).toHaveLength(1);
  });
});
