import { describe, expect, it } from 'vitest';
import { chooseTracing } from '../../../src/adapters/tracing-settings.ts';

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318' };

describe('chooseTracing', () => {
  it('stays off without a collector endpoint, when the SDK is disabled or the exporter is none', () => {
    expect(chooseTracing({})).toMatchObject({ on: false });
    expect(chooseTracing({ ...ENDPOINT, OTEL_SDK_DISABLED: 'true' })).toMatchObject({ on: false, why: 'OTEL_SDK_DISABLED is true' });
    expect(chooseTracing({ ...ENDPOINT, OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({ on: false });
  });

  it('is on with either endpoint variable, with the specification defaults', () => {
    expect(chooseTracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toEqual({
      on: true,
      warnings: [],
      settings: {
        protocol: 'http/json',
        sampler: { kind: 'parentbased', root: { kind: 'always_on' } },
        batch: { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 5000, exportTimeoutMillis: 30_000 },
      },
    });
  });

  it.each([
    ['always_on', undefined, { kind: 'always_on' }],
    ['always_off', undefined, { kind: 'always_off' }],
    ['traceidratio', '0.25', { kind: 'traceidratio', ratio: 0.25 }],
    ['parentbased_always_off', undefined, { kind: 'parentbased', root: { kind: 'always_off' } }],
    ['parentbased_traceidratio', '0.1', { kind: 'parentbased', root: { kind: 'traceidratio', ratio: 0.1 } }],
  ])('reads OTEL_TRACES_SAMPLER=%s (arg %s)', (name, arg, sampler) => {
    const choice = chooseTracing({ ...ENDPOINT, OTEL_TRACES_SAMPLER: name, ...(arg === undefined ? {} : { OTEL_TRACES_SAMPLER_ARG: arg }) });
    expect(choice).toMatchObject({ on: true, warnings: [], settings: { sampler } });
  });

  it('warns and keeps the default for a value it cannot use', () => {
    const choice = chooseTracing({ ...ENDPOINT, OTEL_TRACES_SAMPLER: 'jaeger_remote', OTEL_TRACES_SAMPLER_ARG: '2', OTEL_BSP_MAX_QUEUE_SIZE: '-1', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(choice).toMatchObject({ on: true, settings: { protocol: 'http/json', sampler: { kind: 'parentbased', root: { kind: 'always_on' } }, batch: { maxQueueSize: 2048 } } });
    expect(choice.on && choice.warnings).toHaveLength(3);
  });

  it.each([
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, 'http/json'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }, 'http/protobuf'],
    // The signal's own variable wins over the general one.
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' }, 'http/protobuf'],
    [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: ' ' }, 'http/protobuf'],
  ])('reads the OTLP protocol from %o', (env, protocol) => {
    expect(chooseTracing({ ...ENDPOINT, ...env })).toMatchObject({ on: true, warnings: [], settings: { protocol } });
  });

  it('bounds the export batch by the queue', () => {
    const choice = chooseTracing({ ...ENDPOINT, OTEL_BSP_MAX_QUEUE_SIZE: '100', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '512' });
    expect(choice).toMatchObject({ settings: { batch: { maxQueueSize: 100, maxExportBatchSize: 100 } } });
  });
});
