// Cognito's wire protocol, awsJson1_1: the operation in X-Amz-Target, a JSON object in and out,
// errors as HTTP 400 with `__type` and `message` (the shape the fault proxy and the SDK expect).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CognitoError } from './errors.ts';

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService.';

export function operationOf(target: string | string[] | undefined): string {
  const value = Array.isArray(target) ? target[0] : target;
  if (value === undefined) return '';
  return value.startsWith(TARGET_PREFIX) ? value.slice(TARGET_PREFIX.length) : value;
}

export function parseBody(raw: Buffer): Record<string, unknown> {
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

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

/** Any error becomes a Cognito answer; one that is not a CognitoError is a bug of the model: a 500. */
export function toCognitoError(error: unknown): CognitoError {
  if (error instanceof CognitoError) return error;
  return new CognitoError('InternalErrorException', `cognito-model: ${error instanceof Error ? error.message : String(error)}`);
}

export function sendError(res: ServerResponse, error: CognitoError): void {
  // InternalErrorException is Cognito's 500; every other error it answers is a 400.
  const status = error.type === 'InternalErrorException' ? 500 : 400;
  const body = JSON.stringify({ __type: error.type, message: error.message });
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
    'x-amzn-errortype': error.type,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}
