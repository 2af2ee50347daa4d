import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../../src/provisioning/outcome.ts';
import { DirectoryError, SystemicError } from '../../../src/provisioning/errors.ts';
import type { PoolConfiguration } from '../../../src/provisioning/directory.port.ts';
import { differingAttributes, provisionUser, type PoolPolicy } from '../../../src/provisioning/provision-user.ts';
import type { ProvisionRequest } from '../../../src/provisioning/request.ts';
import { Secret } from '../../../src/provisioning/secret.ts';
import { createDirectoryCalls } from '../../../src/resilience/directory-calls.ts';
import { aRequest, POOL, TRACEPARENT } from '../../support/builders.ts';
import { aPoolAttribute, aPoolConfiguration, FakeDirectory, simulatedCognitoError } from '../../support/fakes/fake-directory.ts';
import { InlineCalls } from '../../support/fakes/inline-calls.ts';
import { RecordingLimiter } from '../../support/fakes/recording-limiter.ts';
import { RecordingMetrics } from '../../support/fakes/recording-metrics.ts';

const OTHER_POOL = 'eu-west-1_Other2';

function setup(pools: PoolPolicy = { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL, OTHER_POOL]) }) {
  const directory = new FakeDirectory();
  const calls = new InlineCalls();
  const provision = (request: ProvisionRequest) => provisionUser(request, { directory, calls, pools, now: () => 0 });
  return { directory, calls, provision };
}

/** A request whose user gets an invitation, by email (the builder's default is SUPPRESS). */
const invited = (overrides: Parameters<typeof aRequest>[0] = {}) => aRequest({ messageAction: undefined, desiredDeliveryMediums: ['EMAIL'], ...overrides });

function expectKind<K extends Outcome['kind']>(outcome: Outcome, kind: K): Extract<Outcome, { kind: K }> {
  expect(outcome.kind).toBe(kind);
  return outcome as Extract<Outcome, { kind: K }>;
}

describe('provisionUser', () => {
  it('creates the user and answers created with what the directory returned', async () => {
    const { directory, calls, provision } = setup();
    const outcome = expectKind(await provision(aRequest()), 'created');
    expect(outcome.userPoolId).toBe(POOL);
    expect(outcome.attempts).toBe(1);
    expect(outcome.user).toEqual(directory.user(POOL, 'jdoe'));
    expect(outcome.user.userStatus).toBe('FORCE_CHANGE_PASSWORD');
    expect(outcome.user.sub).not.toBe('');
    expect(calls.operations).toEqual(['AdminCreateUser']);
  });

  describe('pools', () => {
    it('uses the default pool when the request names none', async () => {
      const { directory, provision } = setup({ defaultUserPoolId: OTHER_POOL, allowedUserPoolIds: new Set([OTHER_POOL]) });
      const outcome = expectKind(await provision(aRequest({ userPoolId: undefined })), 'created');
      expect(outcome.userPoolId).toBe(OTHER_POOL);
      expect(directory.createRequests.map((user) => user.userPoolId)).toEqual([OTHER_POOL]);
    });

    it('uses the pool the request names over the default', async () => {
      const { directory, provision } = setup();
      await provision(aRequest({ userPoolId: OTHER_POOL }));
      expect(directory.createRequests.map((user) => user.userPoolId)).toEqual([OTHER_POOL]);
    });

    it('answers invalid (data.userPoolId required) when neither the request nor the config names a pool', async () => {
      const { directory, provision } = setup({ defaultUserPoolId: undefined, allowedUserPoolIds: new Set([POOL]) });
      const outcome = expectKind(await provision(aRequest({ userPoolId: undefined })), 'invalid');
      expect(outcome.userPoolId).toBeUndefined();
      expect(outcome.violations.map(({ field, rule }) => ({ field, rule }))).toEqual([{ field: 'data.userPoolId', rule: 'required' }]);
      expect(directory.createRequests).toEqual([]);
    });

    it('answers pool-not-allowed for a pool outside the allowlist without calling the directory', async () => {
      const { directory, calls, provision } = setup();
      const outcome = await provision(aRequest({ userPoolId: 'us-east-1_Elsewhere' }));
      expect(outcome).toEqual({ kind: 'pool_not_allowed', userPoolId: 'us-east-1_Elsewhere' });
      expect(calls.operations).toEqual([]);
      expect(directory.createRequests).toEqual([]);
      expect(directory.getRequests).toEqual([]);
    });
  });

  it('answers invalid without calling the directory when the request breaks a rule', async () => {
    const { directory, calls, provision } = setup();
    const outcome = expectKind(await provision(aRequest({ attributes: { email_verified: 'true' } })), 'invalid');
    expect(outcome.userPoolId).toBe(POOL);
    expect(outcome.violations.map((v) => v.rule)).toEqual(['email-required']);
    expect(calls.operations).toEqual([]);
    expect(directory.createRequests).toEqual([]);
  });

  describe('when the username exists', () => {
    it('answers already_existed when the stored attributes match the request (a redelivery)', async () => {
      const { directory, calls, provision } = setup();
      const existing = directory.seed(POOL, 'jdoe', { email: 'jdoe@example.com', given_name: 'Jane' });
      const outcome = expectKind(await provision(aRequest()), 'already_existed');
      expect(outcome.user).toEqual(existing);
      expect(outcome.attempts).toBe(2);
      expect(calls.operations).toEqual(['AdminCreateUser', 'AdminGetUser']);
      expect(directory.userCount).toBe(1);
    });

    it('compares *_verified values case-insensitively (Cognito stores "true")', async () => {
      const { directory, provision } = setup();
      directory.seed(POOL, 'jdoe', { email: 'jdoe@example.com', email_verified: 'true' });
      const outcome = await provision(aRequest({ attributes: { email: 'jdoe@example.com', email_verified: 'TRUE' } }));
      expect(outcome.kind).toBe('already_existed');
    });

    it('compares other values exactly', async () => {
      const { directory, provision } = setup();
      directory.seed(POOL, 'jdoe', { email: 'jdoe@example.com', given_name: 'jane' });
      const outcome = expectKind(await provision(aRequest()), 'conflict');
      expect(outcome.differingAttributes).toEqual(['given_name']);
    });

    it('answers conflict naming the differing attributes, never their values', async () => {
      const { directory, provision } = setup();
      directory.seed(POOL, 'jdoe', { email: 'someone-else@example.com', given_name: 'Jane', 'custom:team': 'blue' });
      const request = aRequest({ attributes: { email: 'jdoe@example.com', given_name: 'Jane', locale: 'fr' } });
      const outcome = expectKind(await provision(request), 'conflict');
      expect(outcome).toEqual({ kind: 'conflict', userPoolId: POOL, differingAttributes: ['email', 'locale'], attempts: 2 });
      expect(JSON.stringify(outcome)).not.toContain('example.com');
    });

    it('creates the user again, once, when it vanished between UsernameExists and AdminGetUser', async () => {
      const { directory, calls, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('UsernameExistsException'));
      const outcome = expectKind(await provision(aRequest()), 'created');
      expect(outcome.attempts).toBe(3);
      expect(calls.operations).toEqual(['AdminCreateUser', 'AdminGetUser', 'AdminCreateUser']);
    });

    it('gives up with rejected when the user keeps existing but cannot be read back', async () => {
      const { directory, calls, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('UsernameExistsException'), simulatedCognitoError('UsernameExistsException'));
      const outcome = expectKind(await provision(aRequest()), 'rejected');
      expect(outcome.errorCode).toBe('UsernameExistsException');
      expect(calls.operations).toEqual(['AdminCreateUser', 'AdminGetUser', 'AdminCreateUser', 'AdminGetUser']);
    });
  });

  describe('RESEND', () => {
    it('re-invites an existing user and answers already_existed', async () => {
      const { directory, provision } = setup();
      const existing = directory.seed(POOL, 'jdoe', { email: 'jdoe@example.com' });
      const outcome = expectKind(await provision(aRequest({ messageAction: 'RESEND', attributes: {} })), 'already_existed');
      expect(outcome.user).toEqual(existing);
      expect(directory.createRequests.map((user) => user.messageAction)).toEqual(['RESEND']);
    });

    it('answers rejected with UserNotFoundException when the user does not exist', async () => {
      const { directory, provision } = setup();
      const outcome = expectKind(await provision(aRequest({ messageAction: 'RESEND', attributes: {} })), 'rejected');
      expect(outcome.errorCode).toBe('UserNotFoundException');
      expect(outcome.attempts).toBe(1);
      expect(directory.userCount).toBe(0);
    });
  });

  describe('directory failures', () => {
    it.each([
      'InvalidParameterException',
      'InvalidPasswordException',
      'UserLambdaValidationException',
      'AliasExistsException',
    ])('answers rejected with the code for the permanent %s', async (code) => {
      const { directory, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError(code, 400, 'refused'));
      const outcome = await provision(aRequest());
      expect(outcome).toEqual({ kind: 'rejected', userPoolId: POOL, errorCode: code, message: 'refused', attempts: 1 });
    });

    it('answers retries-exhausted when a transient failure outlasts the calls (inline: one attempt)', async () => {
      const { directory, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('TooManyRequestsException', 429, 'Rate exceeded'));
      const outcome = await provision(aRequest());
      expect(outcome).toEqual({ kind: 'retries_exhausted', userPoolId: POOL, errorCode: 'TooManyRequestsException', message: 'Rate exceeded', attempts: 1 });
    });

    it('answers retries-exhausted after the retry budget of the real DirectoryCalls is spent', async () => {
      const directory = new FakeDirectory();
      const calls = createDirectoryCalls({
        limiter: new RecordingLimiter(),
        retry: { maxAttempts: 3, maxDurationMs: 60_000, minDelayMs: 1, maxDelayMs: 2 },
        observer: new RecordingMetrics(),
      });
      const failures = Array.from({ length: 5 }, () => simulatedCognitoError('InternalErrorException', 500));
      directory.failNext('AdminCreateUser', ...failures);
      const outcome = expectKind(
        await provisionUser(aRequest(), { directory, calls, pools: { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) } }),
        'retries_exhausted',
      );
      expect(outcome.errorCode).toBe('InternalErrorException');
      expect(outcome.attempts).toBe(3);
      expect(directory.createRequests).toHaveLength(3);
    });

    it.each(['NotAuthorizedException', 'ResourceNotFoundException', 'CredentialsProviderError'])(
      'throws a SystemicError carrying the pool id for %s',
      async (code) => {
        const { directory, provision } = setup();
        directory.failNext('AdminCreateUser', simulatedCognitoError(code));
        const error: unknown = await provision(aRequest({ userPoolId: OTHER_POOL })).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(SystemicError);
        expect((error as SystemicError).userPoolId).toBe(OTHER_POOL);
        expect((error as SystemicError).code).toBe(code);
      },
    );

    it('throws a SystemicError when the read-back after UsernameExists fails systemically', async () => {
      const { directory, provision } = setup();
      directory.seed(POOL, 'jdoe', { email: 'jdoe@example.com', given_name: 'Jane' });
      directory.failNext('AdminGetUser', simulatedCognitoError('AccessDeniedException', 403));
      await expect(provision(aRequest())).rejects.toBeInstanceOf(SystemicError);
    });

    it('lets anything that is not a DirectoryError (a bug) through unchanged', async () => {
      const { directory, provision } = setup();
      const bug = new TypeError('cannot read properties of undefined');
      directory.failNext('AdminCreateUser', bug);
      await expect(provision(aRequest())).rejects.toBe(bug);
    });
  });

  describe('an invitation Cognito could not deliver', () => {
    it('answers created with invitationDelivered false: Cognito created the user before CodeDeliveryFailureException', async () => {
      const { directory, calls, provision } = setup();
      directory.failInvitationNext(simulatedCognitoError('CodeDeliveryFailureException', 400, 'Unable to deliver the invitation'));
      const outcome = expectKind(await provision(invited()), 'created');
      expect(outcome).toEqual({ kind: 'created', userPoolId: POOL, user: directory.user(POOL, 'jdoe'), attempts: 2, invitationDelivered: false });
      expect(calls.operations).toEqual(['AdminCreateUser', 'AdminGetUser']);
      expect(directory.getRequests).toEqual([{ userPoolId: POOL, username: 'jdoe' }]);
      expect(directory.userCount).toBe(1);
    });

    it('answers already_existed, never rejected, when the same request comes again', async () => {
      const { directory, provision } = setup();
      directory.failInvitationNext(simulatedCognitoError('CodeDeliveryFailureException'));
      const first = expectKind(await provision(invited()), 'created');
      const again = expectKind(await provision(invited()), 'already_existed');
      expect(again.user).toEqual(first.user);
      // AdminGetUser cannot tell whether an invitation reached the user: the redelivery does not claim either.
      expect(again).not.toHaveProperty('invitationDelivered');
    });

    it('answers already_existed with invitationDelivered false when a RESEND cannot be delivered', async () => {
      const { directory, provision } = setup();
      const existing = directory.seed(POOL, 'jdoe', { email: 'jdoe@example.com' });
      directory.failInvitationNext(simulatedCognitoError('CodeDeliveryFailureException'));
      const outcome = await provision(aRequest({ messageAction: 'RESEND', attributes: {} }));
      expect(outcome).toEqual({ kind: 'already_existed', userPoolId: POOL, user: existing, attempts: 2, invitationDelivered: false });
    });

    it('answers rejected as before when CodeDeliveryFailureException left no user behind (not documented)', async () => {
      const { directory, calls, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('CodeDeliveryFailureException', 400, 'refused'));
      const outcome = await provision(invited());
      expect(outcome).toEqual({ kind: 'rejected', userPoolId: POOL, errorCode: 'CodeDeliveryFailureException', message: 'refused', attempts: 2 });
      expect(calls.operations).toEqual(['AdminCreateUser', 'AdminGetUser']);
      expect(directory.userCount).toBe(0);
    });

    it('throws a SystemicError when the read-back fails systemically', async () => {
      const { directory, provision } = setup();
      directory.failInvitationNext(simulatedCognitoError('CodeDeliveryFailureException'));
      directory.failNext('AdminGetUser', simulatedCognitoError('AccessDeniedException', 403));
      const error: unknown = await provision(invited()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SystemicError);
      expect((error as SystemicError).code).toBe('AccessDeniedException');
    });

    it('sends no invitation with SUPPRESS, so none can fail', async () => {
      const { directory, provision } = setup();
      directory.failInvitationNext(simulatedCognitoError('CodeDeliveryFailureException'));
      const outcome = expectKind(await provision(aRequest({ messageAction: 'SUPPRESS' })), 'created');
      expect(outcome).not.toHaveProperty('invitationDelivered');
    });
  });

  describe('LimitExceededException (with the default email sender, the daily email cap)', () => {
    function withRealCalls() {
      const directory = new FakeDirectory();
      const metrics = new RecordingMetrics();
      const calls = createDirectoryCalls({
        limiter: new RecordingLimiter(),
        retry: { maxAttempts: 12, maxDurationMs: 120_000, minDelayMs: 1, maxDelayMs: 2 },
        observer: metrics,
      });
      const provision = (request: ProvisionRequest) => provisionUser(request, { directory, calls, pools: { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) } });
      return { directory, metrics, provision };
    }

    it('fails at once as limit_exceeded: one AdminCreateUser, no retry, one read-back that finds no user', async () => {
      const { directory, metrics, provision } = withRealCalls();
      directory.failNext('AdminCreateUser', ...Array.from({ length: 12 }, () => simulatedCognitoError('LimitExceededException', 400, 'Exceeded daily email limit for the operation or the account.')));
      const outcome = await provision(invited());
      expect(outcome).toEqual({ kind: 'limit_exceeded', userPoolId: POOL, errorCode: 'LimitExceededException', message: 'Exceeded daily email limit for the operation or the account.', attempts: 2 });
      expect(directory.createRequests).toHaveLength(1);
      expect(directory.getRequests).toHaveLength(1);
      expect(metrics.retries).toEqual([]);
    });

    it('answers created with invitationDelivered false if Cognito stored the user all the same', async () => {
      const { directory, provision } = withRealCalls();
      directory.failInvitationNext(simulatedCognitoError('LimitExceededException'));
      const outcome = expectKind(await provision(invited()), 'created');
      expect(outcome.invitationDelivered).toBe(false);
      expect(directory.createRequests).toHaveLength(1);
    });

    it('scrubs the temporary password from the message', async () => {
      const { directory, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('LimitExceededException', 400, 'limit hit for Pa55-Limit-Word!'));
      const outcome = expectKind(await provision(invited({ temporaryPassword: new Secret('Pa55-Limit-Word!') })), 'limit_exceeded');
      expect(outcome.message).toBe('limit hit for [redacted]');
    });
  });

  describe('Lambda triggers', () => {
    function withRealCalls(maxAttempts: number) {
      const directory = new FakeDirectory();
      const calls = createDirectoryCalls({
        limiter: new RecordingLimiter(),
        retry: { maxAttempts, maxDurationMs: 60_000, minDelayMs: 1, maxDelayMs: 2 },
        observer: new RecordingMetrics(),
      });
      const provision = (request: ProvisionRequest) => provisionUser(request, { directory, calls, pools: { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) } });
      return { directory, provision };
    }

    it('retries UnexpectedLambdaException (a trigger that timed out or was throttled) into success', async () => {
      const { directory, provision } = withRealCalls(3);
      directory.failNext('AdminCreateUser', simulatedCognitoError('UnexpectedLambdaException'), simulatedCognitoError('UnexpectedLambdaException'));
      const outcome = expectKind(await provision(aRequest()), 'created');
      expect(outcome.attempts).toBe(3);
    });

    it('ends a lasting UnexpectedLambdaException as retries_exhausted within the retry bounds', async () => {
      const { directory, provision } = withRealCalls(3);
      directory.failNext('AdminCreateUser', ...Array.from({ length: 5 }, () => simulatedCognitoError('UnexpectedLambdaException')));
      const outcome = expectKind(await provision(aRequest()), 'retries_exhausted');
      expect(outcome).toMatchObject({ errorCode: 'UnexpectedLambdaException', attempts: 3 });
      expect(directory.createRequests).toHaveLength(3);
    });

    it('throws a SystemicError for InvalidLambdaResponseException (a trigger deployed wrong fails every request)', async () => {
      const { directory, provision } = withRealCalls(3);
      directory.failNext('AdminCreateUser', simulatedCognitoError('InvalidLambdaResponseException'));
      const error: unknown = await provision(aRequest()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SystemicError);
      expect(error).toMatchObject({ code: 'InvalidLambdaResponseException', userPoolId: POOL });
      expect(directory.createRequests).toHaveLength(1);
    });

    it("answers UserLambdaValidationException as rejected carrying the trigger's message, the temporary password scrubbed", async () => {
      const { directory, provision } = setup();
      const password = 'Trigger-Echo-9z!';
      directory.failNext('AdminCreateUser', simulatedCognitoError('UserLambdaValidationException', 400, `PreSignUp failed with error not on the HR roster (tried ${password}).`));
      const outcome = await provision(aRequest({ temporaryPassword: new Secret(password) }));
      expect(outcome).toEqual({
        kind: 'rejected',
        userPoolId: POOL,
        errorCode: 'UserLambdaValidationException',
        message: 'PreSignUp failed with error not on the HR roster (tried [redacted]).',
        attempts: 1,
      });
    });
  });

  describe('what reaches the directory', () => {
    it('passes every AdminCreateUser parameter through unchanged', async () => {
      const { directory, provision } = setup();
      const temporaryPassword = new Secret('Temp-Pa55word!');
      const request = aRequest({
        username: 'jdoe',
        attributes: { email: 'jdoe@example.com', email_verified: 'true', phone_number: '+15555550100', 'custom:employee_id': 'E1234' },
        validationData: { hr_system: 'workday' },
        clientMetadata: { department: 'finance' },
        temporaryPassword,
        forceAliasCreation: true,
        messageAction: 'SUPPRESS',
        desiredDeliveryMediums: ['EMAIL', 'SMS'],
      });
      await provision(request);
      expect(directory.createRequests).toHaveLength(1);
      const [received] = directory.createRequests;
      expect(received).toEqual({
        userPoolId: POOL,
        username: 'jdoe',
        attributes: { email: 'jdoe@example.com', email_verified: 'true', phone_number: '+15555550100', 'custom:employee_id': 'E1234' },
        validationData: { hr_system: 'workday' },
        clientMetadata: { department: 'finance' },
        temporaryPassword,
        forceAliasCreation: true,
        messageAction: 'SUPPRESS',
        desiredDeliveryMediums: ['EMAIL', 'SMS'],
      });
      expect(received?.temporaryPassword?.reveal()).toBe('Temp-Pa55word!');
    });

    it('passes absent optional parameters as undefined, not as defaults', async () => {
      const { directory, provision } = setup();
      await provision(aRequest({ messageAction: undefined, attributes: { phone_number: '+15555550100' } }));
      const [received] = directory.createRequests;
      expect(received?.temporaryPassword).toBeUndefined();
      expect(received?.forceAliasCreation).toBeUndefined();
      expect(received?.messageAction).toBeUndefined();
      expect(received?.desiredDeliveryMediums).toBeUndefined();
    });

    it('adds the traceparent to clientMetadata', async () => {
      const { directory, provision } = setup();
      await provision(aRequest({ traceparent: TRACEPARENT, clientMetadata: { department: 'finance' } }));
      expect(directory.createRequests[0]?.clientMetadata).toEqual({ department: 'finance', traceparent: TRACEPARENT });
    });

    it('keeps a traceparent key the request set itself', async () => {
      const { directory, provision } = setup();
      await provision(aRequest({ traceparent: TRACEPARENT, clientMetadata: { traceparent: 'mine' } }));
      expect(directory.createRequests[0]?.clientMetadata).toEqual({ traceparent: 'mine' });
    });

    it('adds nothing when the request has no traceparent', async () => {
      const { directory, provision } = setup();
      await provision(aRequest({ traceparent: undefined, clientMetadata: {} }));
      expect(directory.createRequests[0]?.clientMetadata).toEqual({});
    });

    describe('with the calls traced', () => {
      const CALL_TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01';
      const traced = (request: ProvisionRequest) => {
        const directory = new FakeDirectory();
        const pools = { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) };
        return { directory, done: provisionUser(request, { directory, calls: new InlineCalls(), pools, callTraceparent: () => CALL_TRACEPARENT }) };
      };

      it("gives the triggers the Cognito call's own context, not the input's", async () => {
        const { directory, done } = traced(aRequest({ traceparent: TRACEPARENT, clientMetadata: { department: 'finance' } }));
        await done;
        expect(directory.createRequests[0]?.clientMetadata).toEqual({ department: 'finance', traceparent: CALL_TRACEPARENT });
      });

      it('gives it also when the input had no context', async () => {
        const { directory, done } = traced(aRequest({ traceparent: undefined }));
        await done;
        expect(directory.createRequests[0]?.clientMetadata).toEqual({ traceparent: CALL_TRACEPARENT });
      });

      it('still keeps a traceparent key the request set itself', async () => {
        const { directory, done } = traced(aRequest({ traceparent: TRACEPARENT, clientMetadata: { traceparent: 'mine' } }));
        await done;
        expect(directory.createRequests[0]?.clientMetadata).toEqual({ traceparent: 'mine' });
      });
    });
  });

  describe('the temporary password', () => {
    const password = 'Sup3r-Secret-Temp!';

    it('is scrubbed from a rejection message that echoes it', async () => {
      const { directory, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('InvalidPasswordException', 400, `Password ${password} does not conform to policy`));
      const outcome = expectKind(await provision(aRequest({ temporaryPassword: new Secret(password) })), 'rejected');
      expect(outcome.message).not.toContain(password);
      expect(outcome.message).toBe('Password [redacted] does not conform to policy');
    });

    it('is scrubbed from a retries-exhausted message that echoes it', async () => {
      const { directory, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('InternalErrorException', 500, `failed on ${password}`));
      const outcome = expectKind(await provision(aRequest({ temporaryPassword: new Secret(password) })), 'retries_exhausted');
      expect(outcome.message).not.toContain(password);
    });

    it('is scrubbed from a SystemicError message that echoes it', async () => {
      const { directory, provision } = setup();
      directory.failNext('AdminCreateUser', simulatedCognitoError('NotAuthorizedException', 400, `denied for ${password}`));
      const error: unknown = await provision(aRequest({ temporaryPassword: new Secret(password) })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SystemicError);
      expect((error as SystemicError).message).not.toContain(password);
      expect((error as SystemicError).message).toContain('NotAuthorizedException');
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(password);
      const cause = (error as SystemicError).cause;
      expect(cause instanceof DirectoryError ? cause.message : '').not.toContain(password);
    });
  });
});

describe('provisionUser against the pool\'s configuration', () => {
  const PROVENANCE = 'custom:provisioning_id';

  function poolSetup(configuration: PoolConfiguration, provenanceAttribute?: string) {
    const directory = new FakeDirectory({ configurations: [configuration] });
    const calls = new InlineCalls();
    const suspected: string[] = [];
    const configurations = { current: (id: string) => (id === configuration.userPoolId ? configuration : undefined), suspect: (id: string) => suspected.push(id) };
    const pools = { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) };
    const provision = (request: ProvisionRequest) => provisionUser(request, { directory, calls, pools, configurations, provenanceAttribute, now: () => 0 });
    return { directory, calls, provision, suspected };
  }

  it('answers invalid before any call when the request breaks the pool\'s rules', async () => {
    const pool = aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('family_name', { required: true })] });
    const { directory, calls, provision } = poolSetup(pool);
    const outcome = expectKind(await provision(aRequest({ attributes: { email: 'a@example.com', 'custom:badge': 'x' } })), 'invalid');
    expect(outcome.violations.map(({ field, rule }) => ({ field, rule }))).toEqual([
      { field: 'data.attributes.custom:badge', rule: 'undefined-custom-attribute' },
      { field: 'data.attributes.family_name', rule: 'required-by-pool' },
    ]);
    expect(calls.operations).toEqual([]);
    expect(directory.createRequests).toEqual([]);
  });

  it('reports a field once: a static breach is not repeated by the pool\'s rules', async () => {
    const { provision } = poolSetup(aPoolConfiguration(POOL));
    const name = `custom:${'a'.repeat(30)}`;
    const outcome = expectKind(await provision(aRequest({ attributes: { [name]: 'x' } })), 'invalid');
    expect(outcome.violations.map((v) => v.rule)).toEqual(['attribute-name-length']);
  });

  it('suspects the pool\'s configuration when AdminCreateUser refuses a parameter', async () => {
    const { directory, provision, suspected } = poolSetup(aPoolConfiguration(POOL));
    directory.failNext('AdminCreateUser', simulatedCognitoError('InvalidParameterException'));
    expectKind(await provision(aRequest()), 'rejected');
    expect(suspected).toEqual([POOL]);
  });

  it('in a case-insensitive pool with email as username: created under the sub, found again by the email in any case', async () => {
    const pool = aPoolConfiguration(POOL, { caseSensitive: false, usernameAttributes: ['email'] });
    const { provision } = poolSetup(pool);
    const created = expectKind(await provision(aRequest({ username: 'Jane.Doe@example.com', attributes: { given_name: 'Jane' } })), 'created');
    expect(created.user.username).toBe(created.user.sub);
    const again = expectKind(await provision(aRequest({ requestId: 'req-2', username: 'jane.doe@EXAMPLE.com', attributes: { email: 'JANE.DOE@example.com', given_name: 'Jane' } })), 'already_existed');
    expect(again.user.sub).toBe(created.user.sub);
  });

  it('compares email and preferred_username exactly in a case-sensitive pool, and folded in a case-insensitive one', async () => {
    const attributes = { email: 'Jane@Example.com', preferred_username: 'Jane' };
    const folded = { email: 'jane@example.com', preferred_username: 'jane' };
    const sensitive = poolSetup(aPoolConfiguration(POOL));
    sensitive.directory.seed(POOL, 'jdoe', attributes);
    expect(expectKind(await sensitive.provision(aRequest({ attributes: folded })), 'conflict').differingAttributes).toEqual(['email', 'preferred_username']);
    const insensitive = poolSetup(aPoolConfiguration(POOL, { caseSensitive: false }));
    insensitive.directory.seed(POOL, 'jdoe', attributes);
    expectKind(await insensitive.provision(aRequest({ attributes: folded })), 'already_existed');
    expect(differingAttributes({ given_name: 'JANE' }, insensitive.directory.user(POOL, 'jdoe') ?? fail(), { caseSensitive: false })).toEqual(['given_name']);
  });

  describe('with a provenance attribute', () => {
    const pool = aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute(PROVENANCE, { mutable: false })] });

    it('writes the request id at creation, and not on RESEND', async () => {
      const { directory, provision } = poolSetup(pool, PROVENANCE);
      expectKind(await provision(aRequest()), 'created');
      expect(directory.user(POOL, 'jdoe')?.attributes[PROVENANCE]).toBe('req-1');
      await provision(aRequest({ requestId: 'req-2', messageAction: 'RESEND' }));
      expect(directory.createRequests[1]?.attributes[PROVENANCE]).toBeUndefined();
    });

    it('answers already-existed for the user this very request created, whatever was edited since', async () => {
      const { directory, provision } = poolSetup(pool, PROVENANCE);
      directory.seed(POOL, 'jdoe', { email: 'changed@example.com', [PROVENANCE]: 'req-1' });
      expectKind(await provision(aRequest()), 'already_existed');
    });

    it('compares the attributes of a user another request created: same data already-existed, other data conflict', async () => {
      const { directory, provision } = poolSetup(pool, PROVENANCE);
      directory.seed(POOL, 'jdoe', { email: 'jdoe@example.com', given_name: 'Jane', [PROVENANCE]: 'req-0' });
      expectKind(await provision(aRequest()), 'already_existed');
      expect(expectKind(await provision(aRequest({ attributes: { email: 'other@example.com' } })), 'conflict').differingAttributes).toEqual(['email']);
    });

    it('answers conflict, naming the provenance attribute, to a request without attributes for a user it did not create', async () => {
      const { directory, provision } = poolSetup(pool, PROVENANCE);
      directory.seed(POOL, 'jdoe', { email: 'jdoe@example.com', [PROVENANCE]: 'req-0' });
      expect(expectKind(await provision(aRequest({ attributes: {} })), 'conflict').differingAttributes).toEqual([PROVENANCE]);
    });

    it('refuses a request that sets the provenance attribute itself', async () => {
      const { calls, provision } = poolSetup(pool, PROVENANCE);
      const outcome = expectKind(await provision(aRequest({ attributes: { [PROVENANCE]: 'req-9' } })), 'invalid');
      expect(outcome.violations.map(({ field, rule }) => ({ field, rule }))).toEqual([{ field: `data.attributes.${PROVENANCE}`, rule: 'reserved-attribute' }]);
      expect(calls.operations).toEqual([]);
    });
  });

  it('without a provenance attribute, a request without attributes matches any existing user (the documented limit)', async () => {
    const { directory, provision } = poolSetup(aPoolConfiguration(POOL));
    directory.seed(POOL, 'jdoe', { email: 'someone@example.com' });
    expectKind(await provision(aRequest({ attributes: {} })), 'already_existed');
  });
});

function fail(): never {
  throw new Error('expected a user');
}
