import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AliasExistsException,
  CognitoIdentityProviderClient,
  InternalErrorException,
  InvalidPasswordException,
  TooManyRequestsException,
  UserLambdaValidationException,
} from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startCognitoFaultProxy, type CognitoFaultProxy } from './cognito-fault-proxy.ts';

const POOL = 'us-east-1_test';
const SECRET = 'Temp-Secret-Pa55!';

interface Received {
  operation: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** Stands in for moto: records what reached it and answers like Cognito would on success. */
async function startFakeUpstream(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const operation = String(req.headers['x-amz-target']).split('.').pop() ?? '';
      received.push({ operation, headers: req.headers, body });
      const user = { Username: body['Username'], Enabled: true, UserStatus: 'FORCE_CHANGE_PASSWORD', Attributes: [] };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(operation === 'AdminCreateUser' ? { User: user } : user));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sdkClient(endpoint: string, requestTimeout?: number): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    // Without throwOnRequestTimeout this @smithy/node-http-handler only logs a warning when requestTimeout passes.
    ...(requestTimeout === undefined
      ? {}
      : { requestHandler: new NodeHttpHandler({ requestTimeout, throwOnRequestTimeout: true }) }),
  });
}

const createUser = (username: string) =>
  new AdminCreateUserCommand({
    UserPoolId: POOL,
    Username: username,
    TemporaryPassword: SECRET,
    UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
    MessageAction: 'SUPPRESS',
  });

/** The rejection of `promise`, so tests can assert on the SDK's view of it. */
async function failure(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number }; code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

let upstream: Awaited<ReturnType<typeof startFakeUpstream>>;
let proxy: CognitoFaultProxy;
let client: CognitoIdentityProviderClient;

beforeEach(async () => {
  upstream = await startFakeUpstream();
  proxy = await startCognitoFaultProxy({ upstream: upstream.url });
  client = sdkClient(proxy.endpoint);
});

afterEach(async () => {
  client.destroy();
  await proxy.close();
  await upstream.close();
});

describe('forwarding', () => {
  it('passes the request through unchanged and the answer back', async () => {
    const out = await client.send(createUser('jdoe'));

    expect(out.User?.Username).toBe('jdoe');
    expect(upstream.received).toHaveLength(1);
    const [got] = upstream.received;
    expect(got?.operation).toBe('AdminCreateUser');
    expect(got?.body).toMatchObject({ UserPoolId: POOL, Username: 'jdoe', TemporaryPassword: SECRET });
    expect(got?.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(got?.headers['x-amz-target']).toBe('AWSCognitoIdentityProviderService.AdminCreateUser');
    expect(got?.headers['authorization']).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(got?.headers.host).toBe(new URL(upstream.url).host);
    expect(proxy.calls).toEqual([
      { operation: 'AdminCreateUser', username: 'jdoe', outcome: 'forwarded', status: 200, at: expect.any(Number) as unknown },
    ]);
  });

  it('answers 502 with a non-JSON body when upstream is unreachable', async () => {
    const deadUpstream = await startFakeUpstream();
    await deadUpstream.close();
    const orphan = await startCognitoFaultProxy({ upstream: deadUpstream.url });
    const orphanClient = sdkClient(orphan.endpoint);
    try {
      const err = await failure(orphanClient.send(createUser('jdoe')));
      expect(err.$metadata?.httpStatusCode).toBe(502);
      expect(orphan.calls[0]).toMatchObject({ outcome: 'forwarded', status: 502 });
    } finally {
      orphanClient.destroy();
      await orphan.close();
    }
  });
});

describe('error faults', () => {
  it.each([
    ['TooManyRequestsException', TooManyRequestsException, 400],
    ['InvalidPasswordException', InvalidPasswordException, 400],
    ['AliasExistsException', AliasExistsException, 400],
    ['UserLambdaValidationException', UserLambdaValidationException, 400],
    ['InternalErrorException', InternalErrorException, 500],
  ] as const)('surfaces %s as the modeled SDK exception', async (type, exceptionClass, status) => {
    proxy.inject({ operation: 'AdminCreateUser', fault: { kind: 'error', type, message: 'boom' } });

    const err = await failure(client.send(createUser('jdoe')));

    expect(err).toBeInstanceOf(exceptionClass);
    expect(err.name).toBe(type);
    expect(err.message).toBe('boom');
    expect(err.$metadata?.httpStatusCode).toBe(status);
    expect(upstream.received).toHaveLength(0);
    expect(proxy.calls[0]).toMatchObject({ outcome: 'faulted', fault: 'error', status });
  });

  it('honours an explicit status', async () => {
    proxy.inject({ fault: { kind: 'error', type: 'InternalErrorException', status: 503 } });
    const err = await failure(client.send(createUser('jdoe')));
    expect(err.name).toBe('InternalErrorException');
    expect(err.$metadata?.httpStatusCode).toBe(503);
  });
});

describe('transport faults', () => {
  it('http-status answers a raw, non-JSON status', async () => {
    proxy.inject({ fault: { kind: 'http-status', status: 503 } });
    const err = await failure(client.send(createUser('jdoe')));
    expect(err.$metadata?.httpStatusCode).toBe(503);
    expect(upstream.received).toHaveLength(0);
  });

  it('reset surfaces as a network error without a response', async () => {
    proxy.inject({ fault: { kind: 'reset' } });
    const err = await failure(client.send(createUser('jdoe')));
    expect(err.code).toBe('ECONNRESET');
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
    expect(upstream.received).toHaveLength(0);
    expect(proxy.calls[0]).toMatchObject({ outcome: 'faulted', fault: 'reset' });
    expect(proxy.calls[0]?.status).toBeUndefined();
  });

  it('hang surfaces as a client-side timeout', async () => {
    const impatient = sdkClient(proxy.endpoint, 200);
    try {
      proxy.inject({ fault: { kind: 'hang' } });
      const err = await failure(impatient.send(createUser('jdoe')));
      expect(err.name).toBe('TimeoutError');
      expect(upstream.received).toHaveLength(0);
    } finally {
      impatient.destroy();
    }
  });

  it('close() releases a hanging call, so nothing keeps the process alive', async () => {
    proxy.inject({ fault: { kind: 'hang' } });
    const pending = failure(client.send(createUser('jdoe')));
    await vi.waitFor(() => expect(proxy.count('AdminCreateUser')).toBe(1));

    await proxy.close();

    const err = await pending;
    expect(err.$metadata?.httpStatusCode).toBeUndefined();
  });

  it('delay forwards the call after the delay', async () => {
    proxy.inject({ fault: { kind: 'delay', ms: 1 } });
    const out = await client.send(createUser('jdoe'));
    expect(out.User?.Username).toBe('jdoe');
    expect(upstream.received).toHaveLength(1);
    expect(proxy.calls[0]).toMatchObject({ outcome: 'forwarded', fault: 'delay', status: 200 });
  });
});

describe('lost-response', () => {
  it('lets the side effect happen but answers InternalErrorException', async () => {
    proxy.inject({ operation: 'AdminCreateUser', times: 1, fault: { kind: 'lost-response' } });

    const err = await failure(client.send(createUser('jdoe')));

    expect(err.name).toBe('InternalErrorException');
    expect(err.$metadata?.httpStatusCode).toBe(500);
    expect(upstream.received.map((r) => r.body['Username'])).toEqual(['jdoe']);
    expect(proxy.count('AdminCreateUser', 'faulted')).toBe(1);
  });

  it('can answer with a chosen error type or a reset instead', async () => {
    proxy.inject({ times: 1, fault: { kind: 'lost-response', type: 'TooManyRequestsException' } });
    proxy.inject({ times: 1, fault: { kind: 'lost-response', answer: 'reset' } });

    const first = await failure(client.send(createUser('a')));
    const second = await failure(client.send(createUser('b')));

    expect(first.name).toBe('TooManyRequestsException');
    expect(first.$metadata?.httpStatusCode).toBe(400);
    expect(second.code).toBe('ECONNRESET');
    expect(upstream.received).toHaveLength(2);
  });
});

describe('rule selection', () => {
  it('retires a rule after `times` matching calls', async () => {
    const remove = proxy.inject({ operation: 'AdminCreateUser', times: 2, fault: { kind: 'error', type: 'InternalErrorException' } });

    const results = await Promise.allSettled([0, 1, 2].map((i) => client.send(createUser(`u${i}`))));

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(upstream.received).toHaveLength(1);
    remove(); // harmless after the rule retired
  });

  it('applies only to its operation', async () => {
    proxy.inject({ operation: 'AdminCreateUser', fault: { kind: 'error', type: 'AliasExistsException' } });

    const got = await client.send(new AdminGetUserCommand({ UserPoolId: POOL, Username: 'jdoe' }));

    expect(got.Username).toBe('jdoe');
    expect(await failure(client.send(createUser('jdoe')))).toBeInstanceOf(AliasExistsException);
  });

  it('matches on the request body, e.g. Username', async () => {
    proxy.inject({
      match: (call) => call.body['Username'] === 'bad',
      fault: { kind: 'error', type: 'InvalidPasswordException' },
    });

    await expect(client.send(createUser('bad'))).rejects.toBeInstanceOf(InvalidPasswordException);
    await expect(client.send(createUser('good'))).resolves.toBeDefined();
    expect(upstream.received.map((r) => r.body['Username'])).toEqual(['good']);
  });

  it('uses the first matching rule in injection order, until it is removed', async () => {
    const removeFirst = proxy.inject({ fault: { kind: 'error', type: 'AliasExistsException' } });
    proxy.inject({ fault: { kind: 'error', type: 'InvalidPasswordException' } });

    expect((await failure(client.send(createUser('jdoe')))).name).toBe('AliasExistsException');
    removeFirst();
    expect((await failure(client.send(createUser('jdoe')))).name).toBe('InvalidPasswordException');
  });

  it('rejects a non-positive `times`', () => {
    expect(() => proxy.inject({ times: 0, fault: { kind: 'reset' } })).toThrow(RangeError);
  });
});

describe('outage', () => {
  it('faults every matching call until ended, ahead of any rule', async () => {
    proxy.inject({ fault: { kind: 'error', type: 'AliasExistsException' } });
    const end = proxy.outage({ kind: 'http-status', status: 503 }, ['AdminCreateUser']);

    expect((await failure(client.send(createUser('a')))).$metadata?.httpStatusCode).toBe(503);
    expect((await failure(client.send(createUser('b')))).$metadata?.httpStatusCode).toBe(503);
    end();
    expect((await failure(client.send(createUser('c')))).name).toBe('AliasExistsException');
    proxy.clear();
    await expect(client.send(createUser('d'))).resolves.toBeDefined();

    expect(upstream.received.map((r) => r.body['Username'])).toEqual(['d']);
  });

  it('leaves operations outside its list alone', async () => {
    proxy.outage({ kind: 'reset' }, ['AdminCreateUser']);
    await expect(client.send(new AdminGetUserCommand({ UserPoolId: POOL, Username: 'x' }))).resolves.toBeDefined();
  });
});

describe('quota', () => {
  it('throttles calls beyond the burst without reaching upstream', async () => {
    // A rate of 0 never refills, so the outcome cannot depend on how fast the machine is.
    proxy.setQuota({ operations: ['AdminCreateUser'], ratePerSecond: 0, burst: 3 });

    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => client.send(createUser(`u${i}`))));

    const rejected = results.filter((r) => r.status === 'rejected').map((r) => r.reason as Error);
    expect(rejected).toHaveLength(2);
    for (const err of rejected) expect(err).toBeInstanceOf(TooManyRequestsException);
    expect(upstream.received).toHaveLength(3);
    expect(proxy.count('AdminCreateUser', 'throttled')).toBe(2);
    expect(proxy.count('AdminCreateUser', 'forwarded')).toBe(3);
  });

  it('applies only to its operations and can be lifted', async () => {
    proxy.setQuota({ operations: ['AdminCreateUser'], ratePerSecond: 0, burst: 1 });
    await client.send(createUser('a'));
    await expect(client.send(createUser('b'))).rejects.toBeInstanceOf(TooManyRequestsException);
    await expect(client.send(new AdminGetUserCommand({ UserPoolId: POOL, Username: 'a' }))).resolves.toBeDefined();

    proxy.clear(); // keeps the quota
    await expect(client.send(createUser('c'))).rejects.toBeInstanceOf(TooManyRequestsException);
    proxy.setQuota(undefined);
    await expect(client.send(createUser('d'))).resolves.toBeDefined();
  });

  it('is configurable at start', async () => {
    const limited = await startCognitoFaultProxy({
      upstream: upstream.url,
      quota: { operations: ['AdminCreateUser'], ratePerSecond: 0, burst: 1 },
    });
    const limitedClient = sdkClient(limited.endpoint);
    try {
      await limitedClient.send(createUser('a'));
      await expect(limitedClient.send(createUser('b'))).rejects.toBeInstanceOf(TooManyRequestsException);
    } finally {
      limitedClient.destroy();
      await limited.close();
    }
  });
});

describe('latency', () => {
  it('holds forwarded calls back, and close() releases them', async () => {
    proxy.setLatency({ meanMs: 600_000, jitterMs: 0 });
    const pending = failure(client.send(createUser('jdoe')));
    await vi.waitFor(() => expect(proxy.count('AdminCreateUser')).toBe(1));

    expect(upstream.received).toHaveLength(0);
    await proxy.close();
    expect((await pending).$metadata?.httpStatusCode).toBeUndefined();
    expect(upstream.received).toHaveLength(0);
  });

  it('rejects negative latency', () => {
    expect(() => proxy.setLatency({ meanMs: -1, jitterMs: 0 })).toThrow(RangeError);
  });
});

describe('recorded calls', () => {
  it('keep operation and Username, never the body and its secrets', async () => {
    proxy.inject({ times: 1, fault: { kind: 'lost-response' } });
    await failure(client.send(createUser('jdoe')));
    await client.send(createUser('jdoe'));

    expect(JSON.stringify(proxy.calls)).not.toContain(SECRET);
    for (const call of proxy.calls) {
      expect(Object.keys(call).sort()).toEqual(expect.arrayContaining(['at', 'operation', 'outcome', 'username']));
      expect(Object.keys(call).every((k) => ['at', 'operation', 'outcome', 'username', 'fault', 'status'].includes(k))).toBe(true);
    }
    expect(proxy.calls.filter((c) => c.username === 'jdoe')).toHaveLength(2);
  });

  it('count filters by operation and outcome; resetCalls starts afresh', async () => {
    proxy.inject({ times: 1, fault: { kind: 'error', type: 'InternalErrorException' } });
    await failure(client.send(createUser('a')));
    await client.send(createUser('b'));
    await client.send(new AdminGetUserCommand({ UserPoolId: POOL, Username: 'b' }));

    expect(proxy.count()).toBe(3);
    expect(proxy.count('AdminCreateUser')).toBe(2);
    expect(proxy.count('AdminCreateUser', 'faulted')).toBe(1);
    expect(proxy.count(undefined, 'forwarded')).toBe(2);

    const before = proxy.calls;
    proxy.resetCalls();
    expect(proxy.count()).toBe(0);
    expect(before).toHaveLength(3);
  });
});
