// An OTLP/HTTP trace receiver in the test process: what the service's exporter sends by default
// (JSON, ids in hex, POST /v1/traces), kept as flat spans for the tests to assert on.
import { createServer, type IncomingMessage } from 'node:http';
import { listenOnLoopback } from './loopback.ts';

type AttributeValue = string | number | boolean;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly name: string;
  /** OTLP's numbering: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  readonly kind: number;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
  readonly events: readonly { readonly name: string; readonly attributes: Readonly<Record<string, AttributeValue>> }[];
  readonly links: readonly { readonly traceId: string; readonly spanId: string }[];
  /** 0 unset, 1 ok, 2 error. */
  readonly status: number;
  readonly serviceName: string | undefined;
}

export const SPAN_KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 } as const;

export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT (the exporter appends /v1/traces). */
  readonly endpoint: string;
  /** Every span received, unless started with `keep: false`. */
  readonly spans: ReceivedSpan[];
  /** Spans received, kept or not. */
  readonly count: number;
  close(): Promise<void>;
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: OtlpAttribute[];
  events?: { name: string; attributes?: OtlpAttribute[] }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number };
}

interface ExportRequest {
  resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

/** `keep: false` only counts the spans: the bench's long runs at 100 % sampling. */
export async function startOtlpReceiver(options: { keep?: boolean } = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let count = 0;
  const server = createServer((request, response) => {
    void readJson(request).then((body) => {
      if (request.url !== '/v1/traces' || body === undefined) {
        response.writeHead(request.url === '/v1/traces' ? 400 : 404).end();
        return;
      }
      for (const resourceSpans of body.resourceSpans ?? []) {
        const serviceName = attributes(resourceSpans.resource?.attributes)['service.name'];
        for (const scope of resourceSpans.scopeSpans ?? []) {
          count += scope.spans?.length ?? 0;
          if (options.keep === false) continue;
          for (const span of scope.spans ?? []) spans.push(flatten(span, typeof serviceName === 'string' ? serviceName : undefined));
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    spans,
    get count() {
      return count;
    },
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function readJson(request: IncomingMessage): Promise<ExportRequest | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as ExportRequest;
  } catch {
    return undefined;
  }
}

function flatten(span: OtlpSpan, serviceName: string | undefined): ReceivedSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId === undefined || span.parentSpanId === '' ? undefined : span.parentSpanId,
    name: span.name,
    kind: span.kind,
    attributes: attributes(span.attributes),
    events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributes(event.attributes) })),
    links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
    status: span.status?.code ?? 0,
    serviceName,
  };
}

function attributes(list: OtlpAttribute[] | undefined): Record<string, AttributeValue> {
  const flat: Record<string, AttributeValue> = {};
  for (const { key, value } of list ?? []) {
    const scalar = value.stringValue ?? value.boolValue ?? value.doubleValue ?? (value.intValue === undefined ? undefined : Number(value.intValue));
    if (scalar !== undefined) flat[key] = scalar;
  }
  return flat;
}
