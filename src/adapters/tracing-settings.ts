// The standard OTEL_* variables this service honours, read the way the OpenTelemetry
// specification defines them (Environment Variable Specification). The OTLP exporter and the
// resource detectors read their own (OTEL_EXPORTER_OTLP_*, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES).

export type SamplerSetting =
  | { readonly kind: 'always_on' | 'always_off' }
  | { readonly kind: 'traceidratio'; readonly ratio: number }
  | { readonly kind: 'parentbased'; readonly root: SamplerSetting };

/**
 * OTLP over HTTP, in either encoding. JSON is the default although the specification's is
 * protobuf: the SDK's protobuf writer encodes strings in JavaScript, and cost the service more
 * CPU per span than JSON.stringify does (README: Traces).
 */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingSettings {
  readonly protocol: OtlpProtocol;
  readonly sampler: SamplerSetting;
  /** OTEL_BSP_*: the batch span processor; spans past a full queue are dropped, never waited for. */
  readonly batch: {
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
    readonly scheduledDelayMillis: number;
    readonly exportTimeoutMillis: number;
  };
}

/** Why tracing stays off, or its settings when on. */
export type TracingChoice = { readonly on: false; readonly why: string } | { readonly on: true; readonly settings: TracingSettings; readonly warnings: readonly string[] };

/**
 * Tracing is on only with a collector to send to (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and the SDK not disabled; otherwise the service keeps the
 * OpenTelemetry API's no-op tracer and does no tracing work at all.
 */
export function chooseTracing(env: NodeJS.ProcessEnv): TracingChoice {
  if (truthy(env['OTEL_SDK_DISABLED'])) return { on: false, why: 'OTEL_SDK_DISABLED is true' };
  const exporters = list(env['OTEL_TRACES_EXPORTER']);
  if (exporters.includes('none')) return { on: false, why: 'OTEL_TRACES_EXPORTER is none' };
  if (!set(env['OTEL_EXPORTER_OTLP_ENDPOINT']) && !set(env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'])) {
    return { on: false, why: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' };
  }
  const warnings: string[] = [];
  if (exporters.some((name) => name !== 'otlp')) warnings.push(`OTEL_TRACES_EXPORTER=${env['OTEL_TRACES_EXPORTER']}: only otlp is supported, it is used`);
  const protocol = protocolFrom(set(env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']) ? env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] : env['OTEL_EXPORTER_OTLP_PROTOCOL'], warnings);
  const sampler = samplerFrom(env['OTEL_TRACES_SAMPLER'], env['OTEL_TRACES_SAMPLER_ARG'], warnings);
  const batch = {
    maxQueueSize: positive(env, 'OTEL_BSP_MAX_QUEUE_SIZE', 2048, warnings),
    maxExportBatchSize: positive(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE', 512, warnings),
    scheduledDelayMillis: positive(env, 'OTEL_BSP_SCHEDULE_DELAY', 5000, warnings),
    exportTimeoutMillis: positive(env, 'OTEL_BSP_EXPORT_TIMEOUT', 30_000, warnings),
  };
  // The specification: the batch size must not exceed the queue.
  return { on: true, settings: { protocol, sampler, batch: { ...batch, maxExportBatchSize: Math.min(batch.maxExportBatchSize, batch.maxQueueSize) } }, warnings };
}

function protocolFrom(name: string | undefined, warnings: string[]): OtlpProtocol {
  const value = name?.trim().toLowerCase() ?? '';
  if (value === '' || value === 'http/json') return 'http/json';
  if (value === 'http/protobuf') return 'http/protobuf';
  // grpc included: the service speaks OTLP over HTTP only (a collector's port 4318).
  warnings.push(`OTLP protocol ${name}: only http/json and http/protobuf are supported, http/json is used`);
  return 'http/json';
}

const DEFAULT_SAMPLER: SamplerSetting = { kind: 'parentbased', root: { kind: 'always_on' } };

function samplerFrom(name: string | undefined, arg: string | undefined, warnings: string[]): SamplerSetting {
  const ratio = () => {
    const value = arg === undefined || arg.trim() === '' ? 1 : Number(arg);
    if (Number.isFinite(value) && value >= 0 && value <= 1) return value;
    warnings.push(`OTEL_TRACES_SAMPLER_ARG=${arg}: not a ratio between 0 and 1, 1 is used`);
    return 1;
  };
  switch (name?.trim().toLowerCase() ?? '') {
    case '':
    case 'parentbased_always_on':
      return DEFAULT_SAMPLER;
    case 'always_on':
      return { kind: 'always_on' };
    case 'always_off':
      return { kind: 'always_off' };
    case 'traceidratio':
      return { kind: 'traceidratio', ratio: ratio() };
    case 'parentbased_always_off':
      return { kind: 'parentbased', root: { kind: 'always_off' } };
    case 'parentbased_traceidratio':
      return { kind: 'parentbased', root: { kind: 'traceidratio', ratio: ratio() } };
    default:
      warnings.push(`OTEL_TRACES_SAMPLER=${name}: unknown, parentbased_always_on is used`);
      return DEFAULT_SAMPLER;
  }
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number, warnings: string[]): number {
  const text = env[name];
  if (!set(text)) return fallback;
  const value = Number(text);
  if (Number.isInteger(value) && value > 0) return value;
  warnings.push(`${name}=${text}: not a positive integer, ${fallback} is used`);
  return fallback;
}

function set(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

function truthy(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === 'true';
}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim().toLowerCase()).filter((item) => item !== '');
}
