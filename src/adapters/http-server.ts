import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry, type Metric, type OpenMetricsContentType } from 'prom-client';
import type { ServiceHealth } from '../pipeline/health.ts';

/** GET /metrics, /healthz and /readyz on METRICS_PORT. */
export async function startHttpServer(deps: { port: number; registry: Registry; health: ServiceHealth }): Promise<{ port: number; close(): Promise<void> }> {
  const { registry, health } = deps;
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      // Prometheus asks for OpenMetrics first: the format that carries exemplars (trace ids).
      const open = (request.headers.accept ?? '').includes('application/openmetrics-text');
      (open ? openMetrics(registry) : registry.metrics()).then(
        (text) => response.writeHead(200, { 'content-type': open ? Registry.OPENMETRICS_CONTENT_TYPE : registry.contentType }).end(text),
        () => response.writeHead(500).end(),
      );
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' ? health.live : health.ready;
      response.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(health.describe()));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/**
 * The registry's metrics in OpenMetrics text. Rendered through a throwaway view: prom-client
 * renames the counters of the registry it renders that way for good (their "_total" dropped),
 * which would spoil every later scrape in the Prometheus text format.
 */
function openMetrics(registry: Registry): Promise<string> {
  const view = new Registry<OpenMetricsContentType>();
  view.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  for (const { name } of registry.getMetricsAsArray()) {
    const metric = registry.getSingleMetric(name);
    if (metric === undefined) continue;
    const get = async () => {
      const data = await metric.get();
      return String(data.type) === 'counter' ? { ...data, name: data.name.replace(/_total$/, '') } : data;
    };
    view.registerMetric({ name, get } as unknown as Metric);
  }
  return view.metrics();
}
