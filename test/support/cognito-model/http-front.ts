// The model served over HTTP on loopback: point the SDK's `endpoint` at it, or put the fault proxy
// in front of it (`upstream: server.endpoint`).
import { createServer } from 'node:http';
import { listenOnLoopback } from '../loopback.ts';
import type { CognitoErrorType } from './errors.ts';
import { operationOf, parseBody, readBody, sendError, sendJson, toCognitoError } from './json-protocol.ts';
import { CognitoModel, type CallResult } from './model.ts';

/** Deliberately without the request body: it may carry a temporary password. */
export interface ModelCall {
  readonly operation: string;
  readonly userPoolId: string | undefined;
  readonly result: CallResult | CognitoErrorType;
  /** Date.now() when the request was fully received. */
  readonly at: number;
}

export interface CognitoModelServer {
  /** 'http://127.0.0.1:<port>' */
  readonly endpoint: string;
  /** Define pools and script their faults here. */
  readonly model: CognitoModel;
  readonly calls: readonly ModelCall[];
  close(): Promise<void>;
}

export async function startCognitoModelServer(options: { model?: CognitoModel; port?: number } = {}): Promise<CognitoModelServer> {
  const model = options.model ?? new CognitoModel();
  const calls: ModelCall[] = [];
  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    void readBody(req).then((raw) => {
      const at = Date.now();
      const operation = operationOf(req.headers['x-amz-target']);
      let userPoolId: string | undefined;
      try {
        const body = parseBody(raw);
        userPoolId = typeof body['UserPoolId'] === 'string' ? body['UserPoolId'] : undefined;
        const { result, answer } = model.call(operation, body, at);
        calls.push({ operation, userPoolId, result, at });
        sendJson(res, 200, answer);
      } catch (error) {
        const known = toCognitoError(error);
        calls.push({ operation, userPoolId, result: known.type, at });
        sendError(res, known);
      }
    }, () => res.destroy());
  });
  // Outlive the SDK's idle keep-alive sockets, so a reused socket is never closed under it.
  server.keepAliveTimeout = 65_000;
  const port = await listenOnLoopback(server, options.port);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    model,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
