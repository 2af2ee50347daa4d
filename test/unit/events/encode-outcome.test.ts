import { describe, expect, it } from 'vitest';
import { CREATED_TYPE, encodeOutcome, FAILED_TYPE, outcomeId, SERVICE_SOURCE, type OutcomeContext, type OutcomeEvent } from '../../../src/events/encode-outcome.ts';
import { compileValidators } from '../../../src/events/schemas.ts';
import type { DirectoryUser } from '../../../src/provisioning/directory.port.ts';
import type { Outcome } from '../../../src/provisioning/outcome.ts';
import { POOL, TRACEPARENT } from '../../support/builders.ts';

const validators = compileValidators();
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const user: DirectoryUser = {
  username: 'jdoe',
  sub: '7d8e9f00-1111-4222-8333-444455556666',
  userStatus: 'FORCE_CHANGE_PASSWORD',
  enabled: true,
  attributes: { email: 'jdoe@example.com', sub: '7d8e9f00-1111-4222-8333-444455556666' },
  createdAt: '2025-01-02T03:04:05.000Z',
  lastModifiedAt: '2025-01-02T03:04:06.000Z',
};

function context(overrides: Partial<OutcomeContext> = {}): OutcomeContext {
  return {
    requestId: 'req-1',
    username: 'jdoe',
    traceparent: TRACEPARENT,
    key: Buffer.from('key-1'),
    origin: { topic: 'user-requested', partition: 3, offset: '42' },
    ...overrides,
  };
}

function parsedValue(encoded: OutcomeEvent): unknown {
  const { value } = encoded.message;
  if (value === null) throw new Error('no value');
  return JSON.parse(value.toString()) as unknown;
}

function expectValid(encoded: OutcomeEvent): void {
  const validate = encoded.topic === 'created' ? validators.created : validators.failed;
  const value = parsedValue(encoded);
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
}

const failures: Outcome[] = [
  { kind: 'invalid', userPoolId: POOL, violations: [{ field: 'data.attributes.email', rule: 'email-required', message: 'is required because EMAIL is a desired delivery medium' }, { field: 'data.extra', rule: 'unknown-field', message: 'is not a known field' }] },
  { kind: 'invalid', userPoolId: undefined, violations: [{ field: 'data.userPoolId', rule: 'required', message: 'is required' }] },
  { kind: 'pool_not_allowed', userPoolId: 'us-east-1_Elsewhere' },
  { kind: 'rejected', userPoolId: POOL, errorCode: 'InvalidPasswordException', message: 'Password does not conform to policy', attempts: 1 },
  { kind: 'conflict', userPoolId: POOL, differingAttributes: ['email', 'locale'], attempts: 2 },
  { kind: 'retries_exhausted', userPoolId: POOL, errorCode: 'TooManyRequestsException', message: 'Rate exceeded', attempts: 12 },
  { kind: 'limit_exceeded', userPoolId: POOL, errorCode: 'LimitExceededException', message: 'Exceeded daily email limit for the operation or the account.', attempts: 2 },
];

describe('encodeOutcome', () => {
  describe('created', () => {
    it('encodes a created user as user.created.v1 in structured mode', () => {
      const encoded = encodeOutcome({ kind: 'created', userPoolId: POOL, user, attempts: 1 }, context());
      expect(encoded.topic).toBe('created');
      expect(parsedValue(encoded)).toEqual({
        specversion: '1.0',
        id: outcomeId('req-1', CREATED_TYPE),
        source: SERVICE_SOURCE,
        type: CREATED_TYPE,
        subject: 'jdoe',
        time: user.createdAt,
        datacontenttype: 'application/json',
        traceparent: TRACEPARENT,
        data: {
          requestId: 'req-1',
          userPoolId: POOL,
          username: 'jdoe',
          requestedUsername: 'jdoe',
          sub: user.sub,
          userStatus: 'FORCE_CHANGE_PASSWORD',
          enabled: true,
          attributes: user.attributes,
          createdAt: user.createdAt,
          lastModifiedAt: user.lastModifiedAt,
          alreadyExisted: false,
        },
      });
      expectValid(encoded);
    });

    it('carries Cognito\'s username and the requested one apart when the pool stores the user under its sub', () => {
      const stored = { ...user, username: user.sub };
      const encoded = encodeOutcome({ kind: 'created', userPoolId: POOL, user: stored, attempts: 1 }, context({ username: 'Jane.Doe@example.com' }));
      const event = parsedValue(encoded) as { subject: string; data: { username: string; requestedUsername: string } };
      expect(event.subject).toBe(user.sub);
      expect(event.data.username).toBe(user.sub);
      expect(event.data.requestedUsername).toBe('Jane.Doe@example.com');
      expectValid(encoded);
    });

    it('marks an already-existing user alreadyExisted, with the same id as a created answer', () => {
      const created = encodeOutcome({ kind: 'created', userPoolId: POOL, user, attempts: 1 }, context());
      const replayed = encodeOutcome({ kind: 'already_existed', userPoolId: POOL, user, attempts: 2 }, context());
      expect(replayed.topic).toBe('created');
      expect(replayed.event.data).toMatchObject({ alreadyExisted: true });
      expect(replayed.event.id).toBe(created.event.id);
      expectValid(replayed);
    });

    it.each(['created', 'already_existed'] as const)('%s with an undelivered invitation carries invitationDelivered false', (kind) => {
      const encoded = encodeOutcome({ kind, userPoolId: POOL, user, attempts: 2, invitationDelivered: false }, context());
      expect(encoded.topic).toBe('created');
      expect(encoded.event.data).toMatchObject({ alreadyExisted: kind === 'already_existed', invitationDelivered: false });
      expect(encoded.event.id).toBe(outcomeId('req-1', CREATED_TYPE));
      expectValid(encoded);
    });

    it('leaves invitationDelivered out otherwise', () => {
      const encoded = encodeOutcome({ kind: 'already_existed', userPoolId: POOL, user, attempts: 2 }, context());
      expect(encoded.event.data).not.toHaveProperty('invitationDelivered');
    });

    it('sets time to when the user was created, not to now', () => {
      const encoded = encodeOutcome({ kind: 'already_existed', userPoolId: POOL, user: { ...user, createdAt: '2020-06-01T00:00:00.000Z' }, attempts: 2 }, context());
      expect(encoded.event).toMatchObject({ time: '2020-06-01T00:00:00.000Z' });
    });

    it('leaves lastModifiedAt and traceparent out when unknown', () => {
      const encoded = encodeOutcome({ kind: 'created', userPoolId: POOL, user: { ...user, lastModifiedAt: undefined }, attempts: 1 }, context({ traceparent: undefined }));
      expect(encoded.event.data).not.toHaveProperty('lastModifiedAt');
      expect(encoded.event).not.toHaveProperty('traceparent');
      expect(encoded.message.headers).not.toHaveProperty('traceparent');
      expectValid(encoded);
    });
  });

  describe('failed', () => {
    it.each(failures.map((outcome) => [outcome.kind, outcome] as const))('encodes %s as a valid user.provisioning-failed.v1', (_kind, outcome) => {
      const encoded = encodeOutcome(outcome, context());
      expect(encoded.topic).toBe('failed');
      expect(encoded.event).toMatchObject({ specversion: '1.0', source: SERVICE_SOURCE, type: FAILED_TYPE, subject: 'jdoe', datacontenttype: 'application/json' });
      expect(encoded.event.id).toBe(outcomeId('req-1', FAILED_TYPE));
      expect(encoded.event.data).toMatchObject({ requestId: 'req-1', username: 'jdoe', source: { topic: 'user-requested', partition: 3, offset: '42' } });
      expectValid(encoded);
    });

    it('invalid: reason invalid-event, the first rule as errorCode, every violation with its field', () => {
      const { event } = encodeOutcome(failures[0] as Outcome, context());
      expect(event.data).toMatchObject({
        userPoolId: POOL,
        reason: 'invalid-event',
        errorCode: 'email-required',
        retryable: false,
        attempts: 0,
        violations: [
          { field: 'data.attributes.email', rule: 'email-required', message: 'is required because EMAIL is a desired delivery medium' },
          { field: 'data.extra', rule: 'unknown-field', message: 'is not a known field' },
        ],
      });
      const { message } = event.data as { message: string };
      expect(message).toContain('data.attributes.email');
      expect(message).toContain('data.extra');
    });

    it('invalid without a pool leaves userPoolId out', () => {
      const { event } = encodeOutcome(failures[1] as Outcome, context());
      expect(event.data).not.toHaveProperty('userPoolId');
      expect(event.data).toMatchObject({ reason: 'invalid-event', errorCode: 'required', violations: [{ field: 'data.userPoolId', rule: 'required', message: 'is required' }] });
    });

    it('pool-not-allowed: no call was made, not retryable', () => {
      const { event } = encodeOutcome({ kind: 'pool_not_allowed', userPoolId: 'us-east-1_Elsewhere' }, context());
      expect(event.data).toMatchObject({ userPoolId: 'us-east-1_Elsewhere', reason: 'pool-not-allowed', errorCode: 'pool-not-allowed', retryable: false, attempts: 0 });
      expect(event.data).not.toHaveProperty('violations');
      expect((event.data as { message: string }).message).toContain('us-east-1_Elsewhere');
    });

    it('rejected: the Cognito code and message, not retryable, the attempts', () => {
      const { event } = encodeOutcome({ kind: 'rejected', userPoolId: POOL, errorCode: 'InvalidPasswordException', message: 'Password does not conform to policy', attempts: 1 }, context());
      expect(event.data).toMatchObject({ reason: 'rejected', errorCode: 'InvalidPasswordException', message: 'Password does not conform to policy', retryable: false, attempts: 1 });
    });

    it("rejected by a trigger: UserLambdaValidationException with the trigger's message", () => {
      const message = 'PreSignUp failed with error not on the HR roster.';
      const { event } = encodeOutcome({ kind: 'rejected', userPoolId: POOL, errorCode: 'UserLambdaValidationException', message, attempts: 1 }, context());
      expect(event.data).toMatchObject({ reason: 'rejected', errorCode: 'UserLambdaValidationException', message, retryable: false });
    });

    it('conflict: UsernameExistsException naming the differing attributes', () => {
      const { event } = encodeOutcome({ kind: 'conflict', userPoolId: POOL, differingAttributes: ['email', 'locale'], attempts: 2 }, context());
      expect(event.data).toMatchObject({ reason: 'conflict', errorCode: 'UsernameExistsException', retryable: false, attempts: 2 });
      expect((event.data as { message: string }).message).toContain('email, locale');
    });

    it('retries-exhausted: retryable, with the last error and the attempts', () => {
      const { event } = encodeOutcome({ kind: 'retries_exhausted', userPoolId: POOL, errorCode: 'TooManyRequestsException', message: 'Rate exceeded', attempts: 12 }, context());
      expect(event.data).toMatchObject({ reason: 'retries-exhausted', errorCode: 'TooManyRequestsException', retryable: true, attempts: 12 });
      expect((event.data as { message: string }).message).toContain('Rate exceeded');
    });

    it('limit-exceeded: retryable, with the code, the attempts and what it means', () => {
      const { event } = encodeOutcome(failures[6] as Outcome, context());
      expect(event.data).toMatchObject({ reason: 'limit-exceeded', errorCode: 'LimitExceededException', retryable: true, attempts: 2 });
      const { message } = event.data as { message: string };
      expect(message).toContain('daily email cap');
      expect(message).toContain('Exceeded daily email limit for the operation or the account.');
    });

    it('leaves subject and username out when the request named no username', () => {
      const encoded = encodeOutcome(failures[0] as Outcome, context({ username: undefined }));
      expect(encoded.event).not.toHaveProperty('subject');
      expect(encoded.event.data).not.toHaveProperty('username');
      expectValid(encoded);
    });
  });

  describe('the Kafka message', () => {
    const created: Outcome = { kind: 'created', userPoolId: POOL, user, attempts: 1 };
    it.each([['created', created], ['failed', failures[3] as Outcome]])(
      '%s: keeps the input key, is JSON of the event, declares the content-type and propagates traceparent',
      (_name, outcome) => {
        const key = Buffer.from('the-input-key');
        const encoded = encodeOutcome(outcome, context({ key }));
        expect(encoded.message.key).toBe(key);
        expect(parsedValue(encoded)).toEqual(encoded.event);
        expect(encoded.message.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8', traceparent: TRACEPARENT });
        expect(encoded.event.traceparent).toBe(TRACEPARENT);
      },
    );

    it('keeps a null key null', () => {
      expect(encodeOutcome(failures[2] as Outcome, context({ key: null })).message.key).toBeNull();
    });
  });

  describe('outcomeId', () => {
    it('is a UUID in the version 5 layout', () => {
      for (const requestId of ['req-1', '', 'ü'.repeat(300)]) {
        expect(outcomeId(requestId, CREATED_TYPE)).toMatch(UUID_V5);
        expect(outcomeId(requestId, FAILED_TYPE)).toMatch(UUID_V5);
      }
    });

    it('is the same for the same request and type', () => {
      expect(outcomeId('req-1', CREATED_TYPE)).toBe(outcomeId('req-1', CREATED_TYPE));
      const first = encodeOutcome(failures[3] as Outcome, context());
      const again = encodeOutcome(failures[3] as Outcome, context());
      expect(again.message.value).toEqual(first.message.value);
    });

    it('differs by type and by request', () => {
      expect(outcomeId('req-1', CREATED_TYPE)).not.toBe(outcomeId('req-1', FAILED_TYPE));
      expect(outcomeId('req-1', CREATED_TYPE)).not.toBe(outcomeId('req-2', CREATED_TYPE));
    });
  });
});
