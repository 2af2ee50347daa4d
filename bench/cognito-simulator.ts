import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { CognitoError, type CognitoErrorType } from '../test/support/cognito-model/errors.ts';
import { operationOf, parseBody, readBody, sendError, sendJson, toCognitoError } from '../test/support/cognito-model/json-protocol.ts';
import { CognitoModel, type CallResult as ModelResult } from '../test/support/cognito-model/model.ts';
import type { PoolDefinition } from '../test/support/cognito-model/pool-config.ts';
import { listenOnLoopback } from '../test/support/loopback.ts';
import { TokenBucket } from '../test/support/token-bucket.ts';

/**
 * An in-process Cognito for benchmarks: the Cognito model (test/support/cognito-model/) behind Cognito's
 * JSON 1.1 protocol, with a server-side token-bucket quota and a latency distribution in front.
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
export type CallResult = ModelResult | 'throttled' | CognitoErrorType;

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

// The bench's pools: the custom attribute bench/events.ts sends, and SES sending so no daily email cap.
const BENCH_POOL: PoolDefinition = {
  SchemaAttributes: [{ Name: 'employee_id', AttributeDataType: 'String', Mutable: true }],
  EmailConfiguration: { EmailSendingAccount: 'DEVELOPER' },
};
const QUOTED_OPERATIONS = new Set(['AdminCreateUser']);

export async function startCognitoSimulator(options: SimulatorOptions): Promise<CognitoSimulator> {
  const model = new CognitoModel();
  for (const id of options.userPools) model.createPool({ ...BENCH_POOL, Id: id });
  const burst = options.quota && (options.quota.burst ?? Math.max(1, Math.floor(options.quota.ratePerSecond / 10)));
  const bucket = options.quota && burst !== undefined ? new TokenBucket({ ratePerSecond: options.quota.ratePerSecond, burst }) : undefined;
  const latency = options.latency;
  const calls: CallRecord[] = [];
  const closing = new AbortController();

  const epochNow = () => performance.timeOrigin + performance.now();
  const record = (operation: string, username: string | undefined, result: CallResult, at: number) =>
    calls.push({ operation, username, result, at });

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
      const known = toCognitoError(error);
      record(operation, username, known.type === 'TooManyRequestsException' ? 'throttled' : known.type, at);
      sendError(res, known);
      return;
    }
    let outcome: { result: CallResult; answer: unknown } | CognitoError;
    try {
      // Applied at its arrival, answered once the latency has passed.
      outcome = model.call(operation, body, at);
    } catch (error) {
      if (!(error instanceof CognitoError)) throw error;
      outcome = error;
    }
    record(operation, username, outcome instanceof CognitoError ? outcome.type : outcome.result, at);
    const delayMs = sampleLatency(latency);
    // Even a zero-length timer costs a loop turn; the raw scenario has no latency at all.
    if (delayMs > 0) await sleep(delayMs, undefined, { signal: closing.signal });
    if (outcome instanceof CognitoError) sendError(res, outcome);
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
    userCount: () => model.userCount(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function sampleLatency(latency: SimulatorOptions['latency']): number {
  if (!latency) return 0;
  return Math.max(0, latency.meanMs + (Math.random() * 2 - 1) * latency.jitterMs);
}
