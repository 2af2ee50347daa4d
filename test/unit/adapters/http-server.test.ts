import { ROOT_CONTEXT, TraceFlags, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../../src/adapters/http-server.ts';
import { createPrometheusMetrics } from '../../../src/adapters/prometheus-metrics.ts';
import { ServiceHealth } from '../../../src/pipeline/health.ts';
import { RecordingLimiter } from '../../support/fakes/recording-limiter.ts';

const SPAN = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.SAMPLED };
const OPEN_METRICS = 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5';

describe('GET /metrics', () => {
  const registry = new Registry();
  const metrics = createPrometheusMetrics(registry, { limiter: new RecordingLimiter(), backpressure: () => false, lag: () => Promise.resolve([]) });
  let server: Awaited<ReturnType<typeof startHttpServer>>;
  const manager = new AsyncLocalStorageContextManager();

  beforeAll(async () => {
    context.setGlobalContextManager(manager.enable());
    server = await startHttpServer({ port: 0, registry, health: new ServiceHealth() });
    // One observation inside a sampled trace, one outside any.
    context.with(trace.setSpanContext(ROOT_CONTEXT, SPAN), () => metrics.endToEnd(0.2));
    metrics.endToEnd(0.7);
    metrics.outcome('created', 'none');
  });
  afterAll(async () => {
    await server.close();
    manager.disable();
    context.disable();
  });

  const scrape = async (accept?: string) => {
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`, accept === undefined ? {} : { headers: { accept } });
    return { type: response.headers.get('content-type'), body: await response.text() };
  };

  it('answers OpenMetrics with the trace id as the exemplar of the bucket it fell in', async () => {
    const { type, body } = await scrape(OPEN_METRICS);
    expect(type).toContain('application/openmetrics-text');
    expect(body).toMatch(/^user_provisioner_end_to_end_latency_seconds_bucket\{le="0\.25"\} 1 # \{trace_id="4bf92f3577b34da6a3ce929d0e0e4736",span_id="00f067aa0ba902b7"\} 0\.2 \d/m);
    // The observation outside a trace has no exemplar.
    expect(body).toMatch(/^user_provisioner_end_to_end_latency_seconds_bucket\{le="1"\} 2$/m);
    expect(body).toContain('# TYPE user_provisioner_outcomes counter');
    expect(body).toContain('user_provisioner_outcomes_total{outcome="created",reason="none"} 1');
    expect(body.endsWith('# EOF\n')).toBe(true);
  });

  it('keeps the Prometheus text format, counter names included, for scrapes that do not ask for OpenMetrics', async () => {
    await scrape(OPEN_METRICS);
    const { type, body } = await scrape();
    expect(type).toContain('text/plain');
    expect(body).toContain('# TYPE user_provisioner_outcomes_total counter');
    expect(body).toContain('user_provisioner_outcomes_total{outcome="created",reason="none"} 1');
    expect(body).not.toContain('trace_id');
  });
});
