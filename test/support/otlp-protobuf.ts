// Decodes an OTLP/HTTP protobuf trace export (ExportTraceServiceRequest, opentelemetry-proto's
// trace.proto and common.proto) into the shape of its JSON encoding, ids in hex, so that the
// receiver reads both encodings the same way. Only the fields the tests assert on are decoded;
// the rest are skipped by their wire type, as protobuf readers do with fields they do not know.

export interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}

export interface OtlpSpan {
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

export interface ExportRequest {
  resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[];
}

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

interface Field {
  readonly number: number;
  readonly wire: number;
  /** The varint's value, or the bytes of a length-delimited or fixed field. */
  readonly varint: bigint;
  readonly bytes: Buffer;
}

/** Throws on a truncated or malformed message: the receiver answers 400. */
export function decodeExportRequest(body: Buffer): ExportRequest {
  const resourceSpans: NonNullable<ExportRequest['resourceSpans']> = [];
  for (const field of fields(body)) {
    if (field.number === 1 && field.wire === WIRE.bytes) resourceSpans.push(decodeResourceSpans(field.bytes));
  }
  return { resourceSpans };
}

function decodeResourceSpans(bytes: Buffer): NonNullable<ExportRequest['resourceSpans']>[number] {
  let attributes: OtlpAttribute[] = [];
  const scopeSpans: { spans: OtlpSpan[] }[] = [];
  for (const field of fields(bytes)) {
    if (field.number === 1 && field.wire === WIRE.bytes) attributes = repeated(field.bytes, 1, decodeKeyValue);
    if (field.number === 2 && field.wire === WIRE.bytes) scopeSpans.push({ spans: repeated(field.bytes, 2, decodeSpan) });
  }
  return { resource: { attributes }, scopeSpans };
}

function decodeSpan(bytes: Buffer): OtlpSpan {
  const span: OtlpSpan = { traceId: '', spanId: '', name: '', kind: 0, attributes: [], events: [], links: [] };
  for (const field of fields(bytes)) {
    switch (field.number) {
      case 1: span.traceId = field.bytes.toString('hex'); break;
      case 2: span.spanId = field.bytes.toString('hex'); break;
      case 4: span.parentSpanId = field.bytes.toString('hex'); break;
      case 5: span.name = field.bytes.toString('utf8'); break;
      case 6: span.kind = Number(field.varint); break;
      case 9: span.attributes?.push(decodeKeyValue(field.bytes)); break;
      case 11: span.events?.push(decodeEvent(field.bytes)); break;
      case 13: span.links?.push(decodeLink(field.bytes)); break;
      case 15: span.status = decodeStatus(field.bytes); break;
    }
  }
  return span;
}

function decodeEvent(bytes: Buffer): { name: string; attributes: OtlpAttribute[] } {
  const event = { name: '', attributes: [] as OtlpAttribute[] };
  for (const field of fields(bytes)) {
    if (field.number === 2) event.name = field.bytes.toString('utf8');
    if (field.number === 3) event.attributes.push(decodeKeyValue(field.bytes));
  }
  return event;
}

function decodeLink(bytes: Buffer): { traceId: string; spanId: string } {
  const link = { traceId: '', spanId: '' };
  for (const field of fields(bytes)) {
    if (field.number === 1) link.traceId = field.bytes.toString('hex');
    if (field.number === 2) link.spanId = field.bytes.toString('hex');
  }
  return link;
}

function decodeStatus(bytes: Buffer): { code: number } {
  let code = 0;
  for (const field of fields(bytes)) if (field.number === 3) code = Number(field.varint);
  return { code };
}

function decodeKeyValue(bytes: Buffer): OtlpAttribute {
  const attribute: OtlpAttribute = { key: '', value: {} };
  for (const field of fields(bytes)) {
    if (field.number === 1) attribute.key = field.bytes.toString('utf8');
    if (field.number === 2) attribute.value = decodeAnyValue(field.bytes);
  }
  return attribute;
}

// AnyValue's oneof: 1 string, 2 bool, 3 int64, 4 double; arrays, maps and bytes are not used here.
function decodeAnyValue(bytes: Buffer): OtlpAttribute['value'] {
  const value: OtlpAttribute['value'] = {};
  for (const field of fields(bytes)) {
    if (field.number === 1) value.stringValue = field.bytes.toString('utf8');
    if (field.number === 2) value.boolValue = field.varint !== 0n;
    if (field.number === 3) value.intValue = BigInt.asIntN(64, field.varint).toString();
    if (field.number === 4) value.doubleValue = field.bytes.readDoubleLE(0);
  }
  return value;
}

/** The messages of the repeated field `number` inside one containing message's bytes. */
function repeated<T>(bytes: Buffer, number: number, decode: (bytes: Buffer) => T): T[] {
  return [...fields(bytes)].filter((field) => field.number === number && field.wire === WIRE.bytes).map((field) => decode(field.bytes));
}

function* fields(buffer: Buffer): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= buffer.length || shift > 63n) throw new Error('protobuf: truncated or overlong varint');
      const byte = buffer[at++] ?? 0;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  const take = (length: number): Buffer => {
    if (at + length > buffer.length) throw new Error('protobuf: field runs past the end of its message');
    const bytes = buffer.subarray(at, at + length);
    at += length;
    return bytes;
  };
  while (at < buffer.length) {
    const key = varint();
    const number = Number(key >> 3n);
    const wire = Number(key & 7n);
    switch (wire) {
      case WIRE.varint: yield { number, wire, varint: varint(), bytes: Buffer.alloc(0) }; break;
      case WIRE.fixed64: yield { number, wire, varint: 0n, bytes: take(8) }; break;
      case WIRE.bytes: yield { number, wire, varint: 0n, bytes: take(Number(varint())) }; break;
      case WIRE.fixed32: yield { number, wire, varint: 0n, bytes: take(4) }; break;
      default: throw new Error(`protobuf: wire type ${wire} is not one OTLP uses`);
    }
  }
}
