// An OTLP/HTTP trace receiver in the test process: POST /v1/traces in either encoding the service's
// exporter speaks (JSON, its default, or protobuf), kept as flat spans for the tests to assert on.
import { createServer, type IncomingMessage } from 'node:http';
import { listenOnLoopback } from './loopback.ts';
import { decodeExportRequest, type ExportRequest, type OtlpAttribute, type OtlpSpan } from './otlp-protobuf.ts';

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
  /** The content types the exports came in (application/x-protobuf, application/json). */
  readonly contentTypes: ReadonlySet<string>;
  close(): Promise<void>;
}

/** `keep: false` only counts the spans: the bench's long runs at 100 % sampling. */
export async function startOtlpReceiver(options: { keep?: boolean } = {}): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let count = 0;
  const contentTypes = new Set<string>();
  const server = createServer((request, response) => {
    void readBody(request, contentTypes).then((body) => {
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
    contentTypes,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** The export request by its content type; undefined (answered 400) when it does not decode. */
async function readBody(request: IncomingMessage, contentTypes: Set<string>): Promise<ExportRequest | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const contentType = request.headers['content-type']?.split(';')[0]?.trim() ?? '';
  try {
    if (contentType === 'application/x-protobuf') return recorded(decodeExportRequest(body));
    if (contentType === 'application/json') return recorded(JSON.parse(body.toString('utf8')) as ExportRequest);
    return undefined;
  } catch {
    return undefined;
  }

  function recorded(decoded: ExportRequest): ExportRequest {
    contentTypes.add(contentType);
    return decoded;
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
