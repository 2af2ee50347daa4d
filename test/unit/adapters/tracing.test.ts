import { context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startTracing } from '../../../src/adapters/tracing.ts';
import { metricValue } from '../../support/metrics-text.ts';
import { startOtlpReceiver } from '../../support/otlp-receiver.ts';

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

afterEach(() => vi.unstubAllEnvs());
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

  it('counts the spans it drops: those past a full queue, and those of a failed export', async () => {
    const registry = new Registry();
    const exporter = new FailingExporter();
    const tracing = startTracing({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_BSP_MAX_QUEUE_SIZE: '2' }, registry, log: recordingLog(), exporter });
    // Ended in one go: the queue holds two, and a full batch starts its export at once.
    for (let index = 0; index < 10; index++) tracing.tracer.startSpan(`span ${index}`).end();
    await tracing.shutdown(5_000);
    const text = await registry.metrics();
    const queueFull = metricValue(text, 'user_provisioner_trace_spans_dropped_total', { reason: 'queue_full' });
    expect(queueFull).toBeGreaterThan(0);
    // Every span ended is either handed to the exporter (which fails it) or counted dropped.
    expect(exporter.exported + queueFull).toBe(10);
    expect(metricValue(text, 'user_provisioner_trace_spans_dropped_total', { reason: 'export_failed' })).toBe(exporter.exported);
  });

  it.each([
    ['http/protobuf', 'application/x-protobuf'],
    ['http/json', 'application/json'],
  ])('exports over OTLP/HTTP as %s to a receiver on loopback', async (protocol, contentType) => {
    const receiver = await startOtlpReceiver();
    try {
      // The exporter reads its endpoint and protocol from the process's environment, as the SDK does.
      vi.stubEnv('OTEL_EXPORTER_OTLP_ENDPOINT', receiver.endpoint);
      vi.stubEnv('OTEL_EXPORTER_OTLP_PROTOCOL', protocol);
      const tracing = startTracing({ env: process.env, registry: new Registry(), log: recordingLog() });
      const span = tracing.tracer.startSpan('CognitoIdentityProvider.AdminCreateUser', { attributes: { 'rpc.method': 'AdminCreateUser', 'user_provisioner.attempt': 2, 'user_provisioner.limiter.wait_ms': 0.25, retried: true } });
      span.addEvent('validation failed', { 'user_provisioner.violation.rule': 'pattern' });
      span.end();
      await tracing.shutdown(5_000);
      expect([...receiver.contentTypes]).toEqual([contentType]);
      expect(receiver.spans).toEqual([expect.objectContaining({
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        parentSpanId: undefined,
        name: 'CognitoIdentityProvider.AdminCreateUser',
        attributes: { 'rpc.method': 'AdminCreateUser', 'user_provisioner.attempt': 2, 'user_provisioner.limiter.wait_ms': 0.25, retried: true },
        events: [{ name: 'validation failed', attributes: { 'user_provisioner.violation.rule': 'pattern' } }],
      })]);
    } finally {
      await receiver.close();
    }
  });
});
