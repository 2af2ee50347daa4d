import { context, createNoopMeter, trace, type Attributes, type Meter, type MeterProvider, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { defaultResource, detectResources, resourceAttributesEnvDetector, resourceFromAttributes, serviceNameEnvDetector } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import { Counter, type Registry } from 'prom-client';
import { chooseTracing, type SamplerSetting } from './tracing-settings.ts';

export interface Tracing {
  readonly enabled: boolean;
  /** The SDK's tracer when on, the API's no-op tracer when off. */
  readonly tracer: Tracer;
  /** Exports the spans still queued, within `timeoutMs`; never throws. */
  shutdown(timeoutMs: number): Promise<void>;
}

export interface TracingLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export const TRACER_NAME = 'user-provisioner';

/** An unreachable collector is logged at most this often; the metric counts every failure. */
const EXPORT_FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * OpenTelemetry traces, configured by the standard OTEL_* variables alone and exported over
 * OTLP/HTTP (JSON, or protobuf by OTEL_EXPORTER_OTLP_PROTOCOL) in batches. Off without an
 * endpoint: then nothing is registered and every span is the API's no-op. An export that fails
 * costs a log line and a count, never a request; a span that finds the queue full, a count.
 */
export function startTracing(deps: { env: NodeJS.ProcessEnv; registry: Registry; log: TracingLog; exporter?: SpanExporter }): Tracing {
  const failures = new Counter({
    name: 'user_provisioner_trace_export_failures_total',
    help: 'Span batches the OTLP exporter could not deliver to the collector (the spans are dropped).',
    registers: [deps.registry],
  });
  const dropped = new Counter({
    name: 'user_provisioner_trace_spans_dropped_total',
    help: 'Spans never exported, by reason: queue_full (the batch queue was full when the span ended) or export_failed (its batch failed).',
    labelNames: ['reason'] as const,
    registers: [deps.registry],
  });
  const choice = chooseTracing(deps.env);
  if (!choice.on) {
    deps.log.info({ reason: choice.why }, 'tracing off');
    return { enabled: false, tracer: trace.getTracer(TRACER_NAME), shutdown: () => Promise.resolve() };
  }
  for (const warning of choice.warnings) deps.log.warn({ warning }, 'tracing: a setting was ignored');

  const otlp = deps.exporter ?? (choice.settings.protocol === 'http/json' ? new JsonExporter() : new ProtobufExporter());
  const exporter = countingFailures(otlp, failures, deps.log);
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': 'user-provisioner' }))
    .merge(detectResources({ detectors: [resourceAttributesEnvDetector, serviceNameEnvDetector] }));
  const provider = new TracerProvider({
    resource,
    sampler: sampler(choice.settings.sampler),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...choice.settings.batch, selfObsMeterProvider: countingDrops(dropped) })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  deps.log.info({ protocol: choice.settings.protocol, sampler: choice.settings.sampler, maxQueueSize: choice.settings.batch.maxQueueSize }, 'tracing on: exporting spans over OTLP/HTTP');

  return {
    enabled: true,
    tracer: provider.getTracer(TRACER_NAME),
    async shutdown(timeoutMs: number): Promise<void> {
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      const done = await Promise.race([provider.shutdown().then(() => 'flushed' as const, () => 'failed' as const), timeout]);
      if (done !== 'flushed') deps.log.warn({ result: done }, 'tracing: the last spans were not all exported');
    },
  };
}

function sampler(setting: SamplerSetting): Sampler {
  switch (setting.kind) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(setting.ratio);
    case 'parentbased':
      return new ParentBasedSampler({ root: sampler(setting.root) });
  }
}

function countingFailures(exporter: SpanExporter, failures: Counter, log: TracingLog): SpanExporter {
  let lastLogged = Number.NEGATIVE_INFINITY;
  let unlogged = 0;
  return {
    export(spans, resultCallback) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) {
          failures.inc();
          unlogged += 1;
          const now = Date.now();
          if (now - lastLogged >= EXPORT_FAILURE_LOG_INTERVAL_MS) {
            log.warn({ failures: unlogged, spans: spans.length, err: result.error }, 'tracing: spans could not be exported to the collector');
            lastLogged = now;
            unlogged = 0;
          }
        }
        resultCallback(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush ? { forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve() } : {}),
  };
}

/** The batch span processor's count of the spans it finished (OpenTelemetry's SDK self-observability metrics). */
const PROCESSED_SPANS = 'otel.sdk.processor.span.processed';

/**
 * Of the SDK's own metrics, the service keeps the spans its batch processor dropped, by reason;
 * every other instrument stays the API's no-op.
 */
function countingDrops(dropped: Counter<'reason'>): MeterProvider {
  const noop = createNoopMeter();
  const meter: Meter = Object.assign(Object.create(noop) as Meter, {
    createCounter: (name: string, options?: Parameters<Meter['createCounter']>[1]) => {
      if (name !== PROCESSED_SPANS) return noop.createCounter(name, options);
      return {
        add(value: number, attributes?: Attributes) {
          const error = attributes?.['error.type'];
          if (error !== undefined) dropped.inc({ reason: error === 'queue_full' ? 'queue_full' : 'export_failed' }, value);
        },
      };
    },
  });
  return { getMeter: () => meter };
}
