// Kafka messages as the service sees them, independent of any client library.

export type HeaderValue = Buffer | string | undefined | (Buffer | string)[];
export type Headers = Readonly<Record<string, HeaderValue>>;

export interface InboundMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Headers;
  /** Milliseconds since the epoch, as a string (Kafka's CreateTime or LogAppendTime). */
  readonly timestamp: string;
}

export interface OutboundMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | string | null;
  readonly headers: Readonly<Record<string, Buffer | string | (Buffer | string)[]>>;
}

export interface MessageOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** The first value of a header, as text. */
export function headerText(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString('utf8');
}

/** The headers a message may be produced with: those that have a value and that `keep` accepts. */
export function definedHeaders(headers: Headers, keep: (name: string) => boolean = () => true): OutboundMessage['headers'] {
  const defined: Record<string, Buffer | string | (Buffer | string)[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && keep(name)) defined[name] = value;
  }
  return defined;
}

export function messageSize(message: Pick<InboundMessage, 'key' | 'value' | 'headers'>): number {
  let size = (message.key?.length ?? 0) + (message.value?.length ?? 0);
  for (const [name, value] of Object.entries(message.headers)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      size += name.length + (item === undefined ? 0 : Buffer.byteLength(item));
    }
  }
  return size;
}
