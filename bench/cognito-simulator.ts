import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback } from '../test/support/loopback.ts';
import { TokenBucket } from '../test/support/token-bucket.ts';

/**
 * An in-process Cognito for benchmarks: AdminCreateUser and AdminGetUser over Cognito's JSON 1.1
 * protocol, users kept in memory, a server-side token-bucket quota and a latency distribution.
 *
 * It is the referee: it records every call with the time it arrived, and the figures of a run
 * (goodput, throttles) come from these records, never from what the contender says about itself.
 *
 * Model choices, each one a guess where AWS documents nothing:
 * - The quota is Cognito's UserCreation category (AdminCreateUser, shared with SignUp): a bucket
 *   that starts full, refills continuously at the rate and holds at most `burst` tokens. AWS does
 *   not document the burst; the default is a tenth of the rate (at least 1), a small one.
 * - A call is metered when it arrives. Over quota it is answered at once with
 *   TooManyRequestsException and changes nothing.
 * - An admitted call takes effect when it arrives (so its record's time is the creation time and
 *   a duplicate arriving meanwhile meets UsernameExistsException) and is answered after a latency
 *   drawn uniformly from mean ± jitter.
 */

export interface SimulatorOptions {
  /** Pools that exist; any other pool answers ResourceNotFoundException. */
  readonly userPools: readonly string[];
  /** AdminCreateUser calls per second; undefined: no quota. */
  readonly quota?: { readonly ratePerSecond: number; readonly burst?: number } | undefined;
  readonly latency?: { readonly meanMs: number; readonly jitterMs: number } | undefined;
  /** Default 0 (ephemeral). */
  readonly port?: number;
}

/** What became of one call. `created` and `throttled` are the ones the figures are made of. */
export type CallResult = 'created' | 'resent' | 'found' | 'throttled' | CognitoErrorType;

/** Deliberately without the request body: it may carry a temporary password. */
export interface CallRecord {
  readonly operation: string;
  readonly username: string | undefined;
  readonly result: CallResult;
  /** Epoch milliseconds (fractional) when the call arrived: Date.now()'s clock, finer. */
  readonly at: number;
}

export interface CognitoSimulator {
  /** 'http://127.0.0.1:<port>' */
  readonly endpoint: string;
  readonly burst: number | undefined;
  readonly calls: readonly CallRecord[];
  /** Users in all pools. */
  userCount(): number;
  close(): Promise<void>;
}

type CognitoErrorType =
  | 'TooManyRequestsException'
  | 'UsernameExistsException'
  | 'UserNotFoundException'
  | 'ResourceNotFoundException'
  | 'InvalidParameterException'
  | 'UnknownOperationException'
  | 'SerializationException';

class CognitoError extends Error {
  readonly type: CognitoErrorType;
  constructor(type: CognitoErrorType, message: string) {
    super(message);
    this.type = type;
  }
}

interface StoredUser {
  readonly username: string;
  readonly attributes: readonly { Name: string; Value: string }[];
  /** Epoch seconds, as Cognito's JSON protocol sends dates. */
  readonly createdAt: number;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';
const QUOTED_OPERATIONS = new Set(['AdminCreateUser']);

export async function startCognitoSimulator(options: SimulatorOptions): Promise<CognitoSimulator> {
  const pools = new Map(options.userPools.map((id) => [id, new Map<string, StoredUser>()]));
  const burst = options.quota && (options.quota.burst ?? Math.max(1, Math.floor(options.quota.ratePerSecond / 10)));
  const bucket = options.quota && burst !== undefined ? new TokenBucket({ ratePerSecond: options.quota.ratePerSecond, burst }) : undefined;
  const latency = options.latency;
  const calls: CallRecord[] = [];
  const closing = new AbortController();

  const epochNow = () => performance.timeOrigin + performance.now();
  const record = (operation: string, username: string | undefined, result: CallResult, at: number) =>
    calls.push({ operation, username, result, at });

  function poolOf(body: Record<string, unknown>): Map<string, StoredUser> {
    const id = body['UserPoolId'];
    if (typeof id !== 'string' || id === '') throw new CognitoError('InvalidParameterException', 'UserPoolId is required');
    const pool = pools.get(id);
    if (!pool) throw new CognitoError('ResourceNotFoundException', `User pool ${id} does not exist.`);
    return pool;
  }

  function usernameOf(body: Record<string, unknown>): string {
    const username = body['Username'];
    if (typeof username !== 'string' || username === '') throw new CognitoError('InvalidParameterException', 'Username is required');
    return username;
  }

  /** Applies a call at its arrival; returns the answer to send once the latency has passed. */
  function apply(operation: string, body: Record<string, unknown>, at: number): { result: CallResult; answer: unknown } {
    switch (operation) {
      case 'AdminCreateUser': {
        const pool = poolOf(body);
        const username = usernameOf(body);
        const existing = pool.get(username);
        if (body['MessageAction'] === 'RESEND') {
          if (!existing) throw new CognitoError('UserNotFoundException', 'User does not exist.');
          return { result: 'resent', answer: { User: userType(existing, 'Attributes') } };
        }
        if (existing) throw new CognitoError('UsernameExistsException', 'User account already exists');
        const user: StoredUser = { username, attributes: [{ Name: 'sub', Value: randomUUID() }, ...attributeList(body['UserAttributes'])], createdAt: at / 1000 };
        pool.set(username, user);
        return { result: 'created', answer: { User: userType(user, 'Attributes') } };
      }
      case 'AdminGetUser': {
        const user = poolOf(body).get(usernameOf(body));
        if (!user) throw new CognitoError('UserNotFoundException', 'User does not exist.');
        return { result: 'found', answer: { Username: user.username, ...userType(user, 'UserAttributes') } };
      }
      default:
        throw new CognitoError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Metered as it arrives (its headers), as a front door would.
    const at = epochNow();
    const raw = await readBody(req);
    const operation = operationOf(req.headers['x-amz-target']);
    let body: Record<string, unknown>;
    let username: string | undefined;
    try {
      body = parseBody(raw);
      username = typeof body['Username'] === 'string' ? body['Username'] : undefined;
      if (QUOTED_OPERATIONS.has(operation) && bucket && !bucket.take()) {
        throw new CognitoError('TooManyRequestsException', 'Rate exceeded');
      }
    } catch (error) {
      // Malformed or throttled: answered at once, nothing applied.
      answerError(res, error, (type) => record(operation, username, type === 'TooManyRequestsException' ? 'throttled' : type, at));
      return;
    }
    let outcome: { result: CallResult; answer: unknown } | CognitoError;
    try {
      outcome = apply(operation, body, at);
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error;
      outcome = error;
    }
    record(operation, username, outcome instanceof CognitoError ? outcome.type : outcome.result, at);
    const delayMs = sampleLatency(latency);
    // Even a zero-length timer costs a loop turn; the raw scenario has no latency at all.
    if (delayMs > 0) await sleep(delayMs, undefined, { signal: closing.signal });
    if (outcome instanceof CognitoError) answerError(res, outcome, () => undefined);
    else sendJson(res, 200, outcome.answer);
  }

  const server = createServer((req, res) => {
    // A client that gave up makes writes fail: expected, not a crash.
    res.on('error', () => undefined);
    handle(req, res).catch((error: unknown) => {
      if (closing.signal.aborted || res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, 500, { __type: 'InternalErrorException', message: `cognito-simulator: ${error instanceof Error ? error.message : String(error)}` });
    });
  });
  // Outlive the SDK's idle keep-alive sockets, so a reused socket is never closed under it.
  server.keepAliveTimeout = 65_000;
  const port = await listenOnLoopback(server, options.port);

  return {
    endpoint: `http://127.0.0.1:${port}`,
    burst,
    calls,
    userCount: () => [...pools.values()].reduce((sum, pool) => sum + pool.size, 0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function answerError(res: ServerResponse, error: unknown, recordAs: (type: CognitoErrorType) => void): void {
  const known = error instanceof CognitoError ? error : new CognitoError('SerializationException', String(error));
  recordAs(known.type);
  const body = JSON.stringify({ __type: known.type, message: known.message });
  res.writeHead(400, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': known.type,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

/** Cognito's UserType; AdminGetUser names the attribute list UserAttributes. */
function userType(user: StoredUser, attributesKey: 'Attributes' | 'UserAttributes'): Record<string, unknown> {
  return {
    Username: user.username,
    [attributesKey]: user.attributes,
    UserCreateDate: user.createdAt,
    UserLastModifiedDate: user.createdAt,
    Enabled: true,
    UserStatus: 'FORCE_CHANGE_PASSWORD',
    MFAOptions: [],
  };
}

function attributeList(value: unknown): { Name: string; Value: string }[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (typeof item !== 'object' || item === null) return [];
    const { Name, Value } = item as { Name?: unknown; Value?: unknown };
    return typeof Name === 'string' && Name !== 'sub' ? [{ Name, Value: typeof Value === 'string' ? Value : '' }] : [];
  });
}

function operationOf(target: string | string[] | undefined): string {
  const value = Array.isArray(target) ? target[0] : target;
  if (value === undefined) return '';
  return value.startsWith(TARGET_PREFIX) ? value.slice(TARGET_PREFIX.length) : value;
}

function parseBody(raw: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new CognitoError('SerializationException', 'the request body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CognitoError('SerializationException', 'the request body is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sampleLatency(latency: SimulatorOptions['latency']): number {
  if (!latency) return 0;
  return Math.max(0, latency.meanMs + (Math.random() * 2 - 1) * latency.jitterMs);
}
