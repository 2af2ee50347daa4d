import { describe, expect, it } from 'vitest';
import { personalData } from '../../../src/adapters/logger.ts';
import { DEAD_LETTER_HEADERS } from '../../../src/events/dead-letter.ts';
import { createRequestDecoder } from '../../../src/events/decode-request.ts';
import type { InboundMessage, OutboundMessage } from '../../../src/events/message.ts';
import { compileValidators } from '../../../src/events/schemas.ts';
import { handleMessage, type MessageHandlerDeps, type OutcomeLog, type OutputTopic } from '../../../src/pipeline/handle-message.ts';
import { SystemicError } from '../../../src/provisioning/errors.ts';
import { provisionUser } from '../../../src/provisioning/provision-user.ts';
import type { ProvisionRequest } from '../../../src/provisioning/request.ts';
import { aRequestedEvent, allStrings, anInboundMessage, POOL, structuredMessage } from '../../support/builders.ts';
import { FakeDirectory, simulatedCognitoError } from '../../support/fakes/fake-directory.ts';
import { InlineCalls } from '../../support/fakes/inline-calls.ts';
import { RecordingMetrics } from '../../support/fakes/recording-metrics.ts';

const decode = createRequestDecoder({ validators: compileValidators(), maxMessageBytes: 65_536 });
const PASSWORD = 'Tmp-PWmarker-5e1d!';
const USERNAME = 'jane.doe.77';
const HASHED_USERNAME = personalData(false)(USERNAME);

interface LogEntry {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

function setup(options: {
  publish?: (topic: OutputTopic, message: OutboundMessage) => Promise<void>;
  logPersonalData?: boolean;
  provision?: MessageHandlerDeps['provision'];
  signal?: AbortSignal;
} = {}) {
  const directory = new FakeDirectory();
  const metrics = new RecordingMetrics();
  const published: { topic: OutputTopic; message: OutboundMessage }[] = [];
  const logs: LogEntry[] = [];
  const log: OutcomeLog = {
    info: (fields, message) => logs.push({ level: 'info', fields, message }),
    warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
    error: (fields, message) => logs.push({ level: 'error', fields, message }),
  };
  const provisioned: ProvisionRequest[] = [];
  const handlerDeps: MessageHandlerDeps = {
    decode,
    provision: options.provision ?? ((request) => {
      provisioned.push(request);
      return provisionUser(request, { directory, calls: new InlineCalls(), pools: { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) } });
    }),
    publish: options.publish ?? ((topic, message) => {
      published.push({ topic, message });
      return Promise.resolve();
    }),
    metrics,
    log,
    personal: personalData(options.logPersonalData ?? false),
    now: () => 1_700_000_001_500,
  };
  return { directory, metrics, published, logs, provisioned, handle: (message: InboundMessage) => handleMessage(message, handlerDeps, options.signal) };
}

function requestMessage(data: Record<string, unknown> = {}, attributes: Record<string, unknown> = {}): InboundMessage {
  return structuredMessage(aRequestedEvent({ username: USERNAME, temporaryPassword: PASSWORD, messageAction: 'SUPPRESS', ...data }, attributes));
}

/** The one published message, parsed. */
function onlyPublished(published: readonly { message: OutboundMessage }[]): { type: string; data: Record<string, unknown> } {
  expect(published).toHaveLength(1);
  return JSON.parse(String(published[0]?.message.value)) as { type: string; data: Record<string, unknown> };
}

describe('handleMessage', () => {
  it('created: exactly one publish, on the created topic, keyed like the input', async () => {
    const { handle, published, metrics, logs } = setup();
    const message = requestMessage();
    await handle(message);
    expect(published.map((p) => p.topic)).toEqual(['created']);
    expect(published[0]?.message.key).toBe(message.key);
    expect(onlyPublished(published)).toMatchObject({ type: 'user.created.v1', data: { alreadyExisted: false, username: USERNAME } });
    expect(metrics.receivedEvents).toEqual([{ topic: 'user-requested', mode: 'structured' }]);
    expect(metrics.outcomes).toEqual([{ outcome: 'created', reason: 'none' }]);
    expect(metrics.invitationsUndelivered).toBe(0);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      level: 'info',
      message: 'outcome',
      fields: { outcome: 'created', requestId: 'req-1', userPoolId: POOL, attempts: 1, username: HASHED_USERNAME, topic: 'user-requested', partition: 3, offset: '42' },
    });
  });

  it('already-existed: one publish on the created topic, labelled already_existed', async () => {
    const { handle, directory, published, metrics } = setup();
    directory.seed(POOL, USERNAME, { email: 'jdoe@example.com' });
    await handle(requestMessage());
    expect(published.map((p) => p.topic)).toEqual(['created']);
    expect(onlyPublished(published).data).toMatchObject({ alreadyExisted: true });
    expect(metrics.outcomes).toEqual([{ outcome: 'already_existed', reason: 'none' }]);
  });

  it('an undelivered invitation: created with invitationDelivered false, counted, and logged as a warning', async () => {
    const { handle, directory, published, metrics, logs } = setup();
    directory.failInvitationNext(simulatedCognitoError('CodeDeliveryFailureException'));
    await handle(requestMessage({ messageAction: undefined, desiredDeliveryMediums: ['EMAIL'] }));
    expect(published.map((p) => p.topic)).toEqual(['created']);
    expect(onlyPublished(published).data).toMatchObject({ alreadyExisted: false, invitationDelivered: false });
    expect(metrics.outcomes).toEqual([{ outcome: 'created', reason: 'none' }]);
    expect(metrics.invitationsUndelivered).toBe(1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'warn', message: 'outcome', fields: { outcome: 'created', invitationDelivered: false, attempts: 2 } });
  });

  it.each([
    ['invalid-event', requestMessage({ extra: 1 }), undefined],
    ['pool-not-allowed', requestMessage({ userPoolId: 'us-east-1_Elsewhere' }), undefined],
    ['rejected', requestMessage(), 'InvalidPasswordException'],
    ['retries-exhausted', requestMessage(), 'TooManyRequestsException'],
    ['limit-exceeded', requestMessage(), 'LimitExceededException'],
  ] as const)('%s: one publish on the failed topic, labelled failed with the reason', async (reason, message, failure) => {
    const { handle, directory, published, metrics, logs } = setup();
    if (failure !== undefined) directory.failNext('AdminCreateUser', simulatedCognitoError(failure));
    await handle(message);
    expect(published.map((p) => p.topic)).toEqual(['failed']);
    expect(onlyPublished(published)).toMatchObject({ type: 'user.provisioning-failed.v1', data: { reason } });
    expect(metrics.outcomes).toEqual([{ outcome: 'failed', reason }]);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'warn', fields: { outcome: 'failed', reason, username: HASHED_USERNAME, requestId: 'req-1' } });
  });

  it('does not provision an invalid event', async () => {
    const { handle, provisioned, directory } = setup();
    await handle(requestMessage({ messageAction: 'SEND' }));
    expect(provisioned).toEqual([]);
    expect(directory.createRequests).toEqual([]);
  });

  it('dead letter: one publish on the dlq topic, the input unchanged plus the dlq headers', async () => {
    const { handle, published, metrics, logs, provisioned } = setup();
    const message = anInboundMessage({ value: Buffer.from('not json at all'), headers: { origin: 'x' } });
    await handle(message);
    expect(published).toHaveLength(1);
    const [dead] = published;
    expect(dead?.topic).toBe('dlq');
    expect(dead?.message.key).toBe(message.key);
    expect(dead?.message.value).toBe(message.value);
    expect(dead?.message.headers).toMatchObject({ origin: 'x', [DEAD_LETTER_HEADERS.errorClass]: 'not-json', [DEAD_LETTER_HEADERS.offset]: '42' });
    expect(metrics.receivedEvents).toEqual([{ topic: 'user-requested', mode: 'structured' }]);
    expect(metrics.outcomes).toEqual([{ outcome: 'dead_letter', reason: 'not-json' }]);
    expect(logs[0]).toMatchObject({ level: 'warn', fields: { outcome: 'dead_letter', errorClass: 'not-json' } });
    expect(provisioned).toEqual([]);
  });

  it('measures end-to-end latency from the Kafka timestamp', async () => {
    const { handle, metrics } = setup();
    await handle(anInboundMessage({ value: Buffer.from('x'), timestamp: '1700000000000' }));
    expect(metrics.endToEndSeconds).toEqual([1.5]);
  });

  it('skips the latency of a message without a usable timestamp', async () => {
    const { handle, metrics } = setup();
    await handle(anInboundMessage({ value: Buffer.from('x'), timestamp: '-1' }));
    expect(metrics.endToEndSeconds).toEqual([]);
  });

  it('throws a SystemicError without publishing or counting an outcome', async () => {
    const { handle, directory, published, metrics, logs } = setup();
    directory.failNext('AdminCreateUser', simulatedCognitoError('NotAuthorizedException'));
    await expect(handle(requestMessage())).rejects.toBeInstanceOf(SystemicError);
    expect(published).toEqual([]);
    expect(metrics.outcomes).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('throws when the broker does not acknowledge, without counting an outcome', async () => {
    const refused = new Error('not acknowledged');
    const { handle, metrics, logs } = setup({ publish: () => Promise.reject(refused) });
    await expect(handle(requestMessage())).rejects.toBe(refused);
    expect(metrics.outcomes).toEqual([]);
    expect(logs).toEqual([]);
  });

  describe('a failure message that quotes the username (a pre sign-up Lambda naming the user)', () => {
    const quoting = (username: string) => `PreSignUp failed with error ${username} is not on the HR roster (user ${username}).`;
    const failing = () => simulatedCognitoError('UserLambdaValidationException', 400, quoting(USERNAME));

    it('is logged with the username hashed as personalData(false) hashes it', async () => {
      const { handle, directory, published, logs } = setup();
      directory.failNext('AdminCreateUser', failing());
      await handle(requestMessage());
      if (HASHED_USERNAME === undefined) throw new Error('personalData(false) gave no hash');
      expect(logs).toHaveLength(1);
      expect(logs[0]?.fields).toMatchObject({ reason: 'rejected', errorCode: 'UserLambdaValidationException', error: quoting(HASHED_USERNAME) });
      expect(JSON.stringify(logs)).not.toContain(USERNAME);
      // The event is the requester's answer: it names the user anyway, and keeps Cognito's message.
      expect(onlyPublished(published).data).toMatchObject({ reason: 'rejected', username: USERNAME, message: quoting(USERNAME) });
    });

    it('is logged as it is when the username is one or two characters (hashing every "a" would bloat the line)', async () => {
      const { handle, directory, logs } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('UserLambdaValidationException', 400, quoting('a')));
      await handle(requestMessage({ username: 'a' }));
      expect(logs).toHaveLength(1);
      expect(logs[0]?.fields).toMatchObject({ reason: 'rejected', error: quoting('a') });
    });

    it('is logged as it is with personalData(true)', async () => {
      const { handle, directory, logs } = setup({ logPersonalData: true });
      directory.failNext('AdminCreateUser', failing());
      await handle(requestMessage());
      expect(logs).toHaveLength(1);
      expect(logs[0]?.fields).toMatchObject({ reason: 'rejected', username: USERNAME, error: quoting(USERNAME) });
    });
  });

  describe('never logs or publishes the temporary password, and logs the username only hashed', () => {
    const cases: [string, InboundMessage, string | undefined][] = [
      ['created', requestMessage(), undefined],
      ['rejected with a message echoing the password', requestMessage(), 'InvalidPasswordException'],
      ['retries-exhausted with a message echoing the password', requestMessage(), 'InternalErrorException'],
      ['invalid password', requestMessage({ temporaryPassword: `${PASSWORD} ${PASSWORD}` }), undefined],
      ['invalid event', requestMessage({ extra: PASSWORD, messageAction: 'SEND' }), undefined],
      ['dead letter', anInboundMessage({ value: Buffer.from(`{"username":"${USERNAME}","temporaryPassword":"${PASSWORD}"`) }), undefined],
    ];

    it.each(cases)('%s', async (_name, message, failure) => {
      const { handle, directory, published, logs } = setup();
      if (failure !== undefined) directory.failNext('AdminCreateUser', simulatedCognitoError(failure, 400, `bad password ${PASSWORD}`));
      await handle(message);
      expect(logs).toHaveLength(1);
      const logged = JSON.stringify(logs);
      expect(logged).not.toContain(PASSWORD);
      expect(logged).not.toContain(USERNAME);
      expect(allStrings(logs).some((text) => text.includes(PASSWORD))).toBe(false);
      if (published[0]?.topic !== 'dlq') {
        expect(allStrings(published).some((text) => text.includes(PASSWORD))).toBe(false);
      }
    });
  });

  describe('an unexpected error while provisioning (a bug)', () => {
    const bug = () => Promise.reject(new TypeError('Cannot read properties of undefined'));

    it('becomes a dead letter, so the partition moves on, and is logged as an error', async () => {
      const { handle, published, metrics, logs } = setup({ provision: bug });
      const message = requestMessage();
      await handle(message);
      expect(published.map((p) => p.topic)).toEqual(['dlq']);
      expect(published[0]?.message.value).toBe(message.value);
      expect(published[0]?.message.headers[DEAD_LETTER_HEADERS.errorClass]).toBe('processing-error');
      expect(metrics.outcomes).toEqual([{ outcome: 'dead_letter', reason: 'processing-error' }]);
      expect(logs.map((l) => l.level)).toContain('error');
      expect(allStrings(published[0]?.message.headers).join('\n')).not.toContain(PASSWORD);
    });

    it('is handed back, not dead-lettered, when the service is shutting down', async () => {
      const shutdown = new AbortController();
      shutdown.abort(new Error('shutdown'));
      const { handle, published } = setup({ provision: bug, signal: shutdown.signal });
      await expect(handle(requestMessage())).rejects.toThrow(TypeError);
      expect(published).toEqual([]);
    });

    it('a SystemicError is thrown for the pause, not dead-lettered', async () => {
      const systemic = () => Promise.reject(new SystemicError(simulatedCognitoError('NotAuthorizedException'), POOL));
      const { handle, published } = setup({ provision: systemic });
      await expect(handle(requestMessage())).rejects.toBeInstanceOf(SystemicError);
      expect(published).toEqual([]);
    });
  });

  describe('handed back (shutdown, or its partition revoked)', () => {
    it('publishes nothing when the signal aborts while provisioning, though the outcome came back', async () => {
      const revoked = new AbortController();
      const reason = new Error('the partition was revoked');
      let received: AbortSignal | undefined;
      const provision: MessageHandlerDeps['provision'] = (request, signal) => {
        received = signal;
        revoked.abort(reason);
        return Promise.resolve({ kind: 'created', userPoolId: POOL, user: { username: request.username, sub: 's', userStatus: 'FORCE_CHANGE_PASSWORD', enabled: true, attributes: {}, createdAt: new Date(0).toISOString(), lastModifiedAt: undefined }, attempts: 1 });
      };
      const { handle, published, metrics } = setup({ provision, signal: revoked.signal });
      await expect(handle(requestMessage())).rejects.toBe(reason);
      expect(received).toBe(revoked.signal);
      expect(published).toEqual([]);
      expect(metrics.outcomes).toEqual([]);
    });

    it('publishes no dead letter either once the signal aborted', async () => {
      const revoked = new AbortController();
      revoked.abort(new Error('the partition was revoked'));
      const { handle, published } = setup({ signal: revoked.signal });
      await expect(handle(anInboundMessage({ value: Buffer.from('not json') }))).rejects.toThrow('revoked');
      expect(published).toEqual([]);
    });
  });
});
