import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import {
  Agent,
  createServer,
  request as httpRequest,
  STATUS_CODES,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback } from './loopback.ts';
import { TokenBucket } from './token-bucket.ts';

/**
 * A fault-injecting HTTP proxy for Cognito's JSON protocol (awsJson1_1). Point the SDK's
 * `endpoint` at it; it forwards to an emulator and produces what the emulator cannot:
 * throttling, 5xx, lost responses, hangs, resets and latency.
 *
 * Precedence for each call: outage, then rules in injection order, then the quota.
 * Faults that answer on their own (error, http-status, hang, reset) never reach upstream.
 * `delay` only postpones the call, which then goes through the quota and latency like any other.
 * `lost-response` always reaches upstream (that is its point), bypassing the quota.
 */

export interface CognitoCall {
  operation: string;
  body: Record<string, unknown>;
}

export type Fault =
  /** A Cognito JSON error; status defaults to 500 for InternalErrorException, else 400. */
  | { kind: 'error'; type: string; message?: string; status?: number }
  /** A raw non-JSON answer, e.g. a 503 from a load balancer in front of Cognito. */
  | { kind: 'http-status'; status: number; body?: string }
  /** Forward after this extra delay (on top of any configured latency). */
  | { kind: 'delay'; ms: number }
  /** Never answer, so the client times out; released (socket destroyed) on close(). */
  | { kind: 'hang' }
  /** Destroy the socket with a TCP RST, without answering. */
  | { kind: 'reset' }
  /**
   * Forward upstream (the side effect happens) but lose the answer: the client gets an error
   * (`type`, default InternalErrorException) or, with `answer: 'reset'`, a reset connection.
   */
  | { kind: 'lost-response'; type?: string; answer?: 'error' | 'reset' };

export interface FaultRule {
  /** e.g. 'AdminCreateUser'; omitted = every operation. */
  operation?: string;
  /** Extra predicate, e.g. on Username. */
  match?: (call: CognitoCall) => boolean;
  /** Applies to this many matching calls, then retires; omitted = until removed. */
  times?: number;
  fault: Fault;
}

export interface Quota {
  /** Operations sharing one bucket, like a Cognito quota category (e.g. UserCreation). */
  operations: string[];
  ratePerSecond: number;
  burst: number;
}

export interface Latency {
  meanMs: number;
  jitterMs: number;
}

export interface ProxyOptions {
  upstream: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** A call over quota gets TooManyRequestsException (400) and does not reach upstream. */
  quota?: Quota;
  /** Added to every forwarded call, uniformly in mean±jitter, never negative. */
  latency?: Latency;
}

export type Outcome = 'forwarded' | 'faulted' | 'throttled';

/** Deliberately without the request body: it may carry TemporaryPassword. */
export interface RecordedCall {
  operation: string;
  username?: string;
  /** forwarded: the client got upstream's answer (or a 502 if upstream was unreachable). */
  outcome: Outcome;
  /** The injected fault that applied, if any (also set for a delayed call that was then forwarded). */
  fault?: Fault['kind'];
  /** Status sent to the client; absent for hang and reset. Set before the answer leaves the proxy. */
  status?: number;
  /** Date.now() when the request was fully received. */
  at: number;
}

export interface CognitoFaultProxy {
  /** 'http://127.0.0.1:<port>' */
  readonly endpoint: string;
  /** Returns a function that removes the rule (idempotent; harmless after the rule retired). */
  inject(rule: FaultRule): () => void;
  /** Every matching call gets this fault until the returned function is called. */
  outage(fault: Fault, operations?: string[]): () => void;
  /** Replaces the quota with a fresh, full bucket; undefined lifts it. */
  setQuota(quota: Quota | undefined): void;
  setLatency(latency: Latency | undefined): void;
  /** Removes all rules and outages. Keeps quota, latency and recorded calls: those are configuration and history, not scenario. */
  clear(): void;
  /** Every call received, in order. */
  readonly calls: readonly RecordedCall[];
  count(operation?: string, outcome?: Outcome): number;
  resetCalls(): void;
  /** Ends hanging and delayed requests, then closes the server and the upstream agent. */
  close(): Promise<void>;
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number | undefined;
}

interface ActiveOutage {
  fault: Fault;
  operations: ReadonlySet<string> | undefined;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

// RFC 9110 §7.6.1: meaningful for one connection only, so a proxy must not pass them on.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export async function startCognitoFaultProxy(options: ProxyOptions): Promise<CognitoFaultProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:') throw new Error(`upstream must be http://, got ${options.upstream}`);
  const basePath = upstream.pathname.replace(/\/$/, '');

  const agent = new Agent({ keepAlive: true });
  const closing = new AbortController();
  // Every delayed or hanging call listens on this signal; hundreds at once are normal in a benchmark.
  setMaxListeners(0, closing.signal);

  let rules: ActiveRule[] = [];
  let outages: ActiveOutage[] = [];
  let quota: { operations: ReadonlySet<string>; bucket: TokenBucket } | undefined;
  let latency: Latency | undefined;
  let calls: RecordedCall[] = [];

  const setQuota = (next: Quota | undefined): void => {
    quota = next && {
      operations: new Set(next.operations),
      bucket: new TokenBucket({ ratePerSecond: next.ratePerSecond, burst: next.burst }),
    };
  };
  const setLatency = (next: Latency | undefined): void => {
    if (next && (!(next.meanMs >= 0) || !(next.jitterMs >= 0))) {
      throw new RangeError(`latency must be non-negative, got ${JSON.stringify(next)}`);
    }
    latency = next;
  };
  setQuota(options.quota);
  setLatency(options.latency);

  function selectFault(call: CognitoCall): Fault | undefined {
    for (const outage of outages) {
      if (!outage.operations || outage.operations.has(call.operation)) return outage.fault;
    }
    for (const active of rules) {
      const { rule } = active;
      if (rule.operation !== undefined && rule.operation !== call.operation) continue;
      if (rule.match && !rule.match(call)) continue;
      if (active.remaining !== undefined && --active.remaining === 0) {
        rules = rules.filter((r) => r !== active);
      }
      return rule.fault;
    }
    return undefined;
  }

  function forward(req: IncomingMessage, body: Buffer): Promise<IncomingMessage> {
    const send = (): Promise<{ res: IncomingMessage } | { err: Error; upReq: ClientRequest }> =>
      new Promise((resolve) => {
        const upReq = httpRequest({
          host: upstream.hostname,
          port: upstream.port || 80,
          method: req.method,
          path: basePath + (req.url ?? '/'),
          headers: { ...stripHopByHop(req.headers), host: upstream.host, 'content-length': body.length },
          agent,
        });
        upReq.once('response', (res) => resolve({ res }));
        upReq.once('error', (err) => resolve({ err, upReq }));
        upReq.end(body);
      });
    return send().then(async (first) => {
      if ('res' in first) return first.res;
      // A kept-alive socket the upstream closed while idle fails before the request was read,
      // so one retry cannot duplicate a side effect (the pattern the Node docs recommend).
      if (first.upReq.reusedSocket && (first.err as NodeJS.ErrnoException).code === 'ECONNRESET') {
        const second = await send();
        if ('res' in second) return second.res;
        throw second.err;
      }
      throw first.err;
    });
  }

  async function forwardAndAnswer(req: IncomingMessage, res: ServerResponse, body: Buffer, record: RecordedCall) {
    let upRes: IncomingMessage;
    try {
      upRes = await forward(req, body);
    } catch (err) {
      // What a load balancer in front of Cognito sends when it cannot reach it: not JSON.
      record.status = 502;
      sendRaw(res, 502, htmlPage(502, (err as Error).message));
      return;
    }
    const status = upRes.statusCode ?? 502;
    record.status = status;
    res.writeHead(status, stripHopByHop(upRes.headers));
    await pipeline(upRes, res);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const operation = operationOf(req.headers['x-amz-target']);
    const call: CognitoCall = { operation, body: parseBody(body) };
    const record: RecordedCall = { operation, outcome: 'forwarded', at: Date.now() };
    const username = call.body['Username'];
    if (typeof username === 'string') record.username = username;
    calls.push(record);

    const fault = selectFault(call);
    if (fault) record.fault = fault.kind;
    switch (fault?.kind) {
      case 'error': {
        record.outcome = 'faulted';
        record.status = fault.status ?? defaultStatus(fault.type);
        sendCognitoError(res, record.status, fault.type, fault.message ?? `Injected ${fault.type}`);
        return;
      }
      case 'http-status': {
        record.outcome = 'faulted';
        record.status = fault.status;
        sendRaw(res, fault.status, fault.body ?? htmlPage(fault.status));
        return;
      }
      case 'hang': {
        record.outcome = 'faulted';
        await untilClosedOr(res, closing.signal);
        res.destroy();
        return;
      }
      case 'reset': {
        record.outcome = 'faulted';
        req.socket.resetAndDestroy();
        return;
      }
      case 'lost-response': {
        record.outcome = 'faulted';
        await pause(sampleLatency(latency), closing.signal);
        try {
          const upRes = await forward(req, body);
          upRes.resume();
          await new Promise((resolve) => upRes.once('close', resolve));
        } catch {
          // The response is being lost anyway; what upstream did is for the test to inspect.
        }
        if (fault.answer === 'reset') {
          req.socket.resetAndDestroy();
          return;
        }
        const type = fault.type ?? 'InternalErrorException';
        record.status = defaultStatus(type);
        sendCognitoError(res, record.status, type, `Injected lost response: ${type}`);
        return;
      }
      case 'delay':
        await pause(fault.ms, closing.signal);
        break;
      case undefined:
        break;
    }

    if (quota?.operations.has(operation) && !quota.bucket.take()) {
      record.outcome = 'throttled';
      record.status = 400;
      sendCognitoError(res, 400, 'TooManyRequestsException', 'Rate exceeded');
      return;
    }
    await pause(sampleLatency(latency), closing.signal);
    await forwardAndAnswer(req, res, body, record);
  }

  const server = createServer((req, res) => {
    // A client that timed out and hung up makes writes fail; that is expected here, not a crash.
    res.on('error', () => {});
    handle(req, res).catch((err: unknown) => {
      if (closing.signal.aborted || res.headersSent || req.socket.destroyed) {
        res.destroy();
        return;
      }
      // A bug in the proxy or a throwing `match` predicate: make it visible, and unlike any Cognito answer.
      sendRaw(res, 500, `cognito-fault-proxy internal error: ${err instanceof Error ? err.stack : String(err)}`);
    });
  });
  // Outlive the SDK's idle keep-alive sockets: the server closing one just as the client reuses it
  // would surface as a spurious ECONNRESET in a test that runs with maxAttempts: 1.
  server.keepAliveTimeout = 65_000;

  const port = await listenOnLoopback(server, options.port);

  let closed: Promise<void> | undefined;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    inject(rule) {
      if (rule.times !== undefined && !(Number.isInteger(rule.times) && rule.times >= 1)) {
        throw new RangeError(`times must be an integer >= 1, got ${rule.times}`);
      }
      const active: ActiveRule = { rule, remaining: rule.times };
      rules.push(active);
      return () => {
        rules = rules.filter((r) => r !== active);
      };
    },
    outage(fault, operations) {
      const active: ActiveOutage = { fault, operations: operations && new Set(operations) };
      outages.push(active);
      return () => {
        outages = outages.filter((o) => o !== active);
      };
    },
    setQuota,
    setLatency,
    clear() {
      rules = [];
      outages = [];
    },
    get calls() {
      return calls;
    },
    count(operation, outcome) {
      return calls.filter(
        (c) => (operation === undefined || c.operation === operation) && (outcome === undefined || c.outcome === outcome),
      ).length;
    },
    resetCalls() {
      // A new array, so a snapshot a test already holds stays intact.
      calls = [];
    },
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
        agent.destroy();
      });
      return closed;
    },
  };
}

function operationOf(target: string | string[] | undefined): string {
  const value = Array.isArray(target) ? target[0] : target;
  if (value === undefined) return '';
  return value.startsWith(TARGET_PREFIX) ? value.slice(TARGET_PREFIX.length) : value;
}

function parseBody(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    // Not ours to judge: the upstream answers malformed requests the way Cognito would.
    return {};
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function stripHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = (headers.connection ?? '')
    .split(',')
    .map((token) => token.trim().toLowerCase());
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    out[name] = value;
  }
  // Node re-frames the body itself; a stale length would corrupt the forwarded message.
  delete out['content-length'];
  if (headers['content-length'] !== undefined && headers['transfer-encoding'] === undefined) {
    out['content-length'] = headers['content-length'];
  }
  return out;
}

function defaultStatus(type: string): number {
  return type === 'InternalErrorException' ? 500 : 400;
}

function sendCognitoError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': type,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

function sendRaw(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    'content-type': body.startsWith('<') ? 'text/html' : 'text/plain',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

function htmlPage(status: number, detail?: string): string {
  const title = `${status} ${STATUS_CODES[status] ?? ''}`.trim();
  return `<html><head><title>${title}</title></head><body><h1>${title}</h1>${detail ? `<p>${detail}</p>` : ''}</body></html>`;
}

function sampleLatency(latency: Latency | undefined): number {
  if (!latency) return 0;
  return Math.max(0, latency.meanMs + (Math.random() * 2 - 1) * latency.jitterMs);
}

/** Rejects with an AbortError once the proxy closes, which ends the request. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, undefined, { signal });
}

/** Resolves when the proxy closes or the client gives up, so a hung call holds nothing afterwards. */
function untilClosedOr(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      signal.removeEventListener('abort', done);
      res.off('close', done);
      resolve();
    };
    signal.addEventListener('abort', done);
    res.once('close', done);
  });
}
