// The service against Cognito as it really is: the stricter model (test/support/cognito-model/)
// with pools configured as real ones are, behind the fault proxy. Each scenario ends in its one
// true answer, and a request the pool's configuration already refuses costs no AdminCreateUser
// call: the model's call log counts them.
import { describe, expect, it } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import { answerFor, createdFor, failedFor } from '../support/outcomes.ts';
import { useTestStack, type TestStack } from '../support/test-stack.ts';

type Request = ReturnType<typeof requestEvent>;

/** Sends the request and waits for its `nth` answer; returns the pool's AdminCreateUser calls it cost. */
async function send(stack: TestStack, event: Request, nth = 1): Promise<number> {
  const before = stack.adminCreateUserCalls(stack.pool).length;
  await stack.kafka.produce(stack.topics.requested, [structured(event)]);
  await answerFor(stack.kafka, stack.topics, event.id, nth);
  return stack.adminCreateUserCalls(stack.pool).length - before;
}

/** The latest answer for a request: a redelivery adds one. */
async function lastCreated(stack: TestStack, event: Request, nth: number) {
  const answer = (await answerFor(stack.kafka, stack.topics, event.id, nth))[nth - 1];
  if (answer?.kind !== 'created') throw new Error(`expected user.created.v1 for ${event.id}, got ${JSON.stringify(answer?.event)}`);
  return answer.event;
}

/** Without messageAction SUPPRESS (the builder's default), so Cognito sends the invitation. */
function invited(event: Request): Request {
  const { messageAction: _suppressed, ...data } = event.data;
  return { ...event, data: data as Request['data'] };
}

describe('a case-insensitive pool with email as username', () => {
  const stack = useTestStack({ model: { pools: [{ definition: { UsernameAttributes: ['email'], UsernameConfiguration: { CaseSensitive: false } } }] } });
  const hire = requestEvent({ username: 'Jane.Doe@Example.com', attributes: { given_name: 'Jane' } });
  let sub: string;

  it('creates the user under its sub and names the requested email as requestedUsername', async () => {
    expect(await send(stack, hire)).toBe(1);
    const created = await createdFor(stack.kafka, stack.topics, hire.id);
    sub = created.data.sub;
    expect(created.data).toMatchObject({ username: sub, requestedUsername: 'Jane.Doe@Example.com', alreadyExisted: false });
    expect(stack.model.model.user(stack.pool, 'jane.doe@example.com')?.username).toBe(sub);
  });

  it('answers the same request redelivered as already existed, the same sub', async () => {
    expect(await send(stack, hire, 2)).toBe(1);
    expect((await lastCreated(stack, hire, 2)).data).toMatchObject({ username: sub, requestedUsername: 'Jane.Doe@Example.com', alreadyExisted: true });
    expect(stack.model.model.userCount(stack.pool)).toBe(1);
  });

  it('answers another request for the email in other case as already existed: the pool folds case', async () => {
    const shouted = requestEvent({ username: 'JANE.DOE@EXAMPLE.COM', attributes: { given_name: 'Jane' } });
    await send(stack, shouted);
    expect((await createdFor(stack.kafka, stack.topics, shouted.id)).data).toMatchObject({ username: sub, alreadyExisted: true });
  });

  it('still answers the request sent again as already existed after the user verified their email', async () => {
    stack.model.model.editUser(stack.pool, 'Jane.Doe@Example.com', { email_verified: 'true' });
    await send(stack, hire, 3);
    expect((await lastCreated(stack, hire, 3)).data).toMatchObject({ username: sub, alreadyExisted: true });
    expect(stack.model.model.userCount(stack.pool)).toBe(1);
  });

  it('refuses a username that is no email before any AdminCreateUser call (username-attribute)', async () => {
    const event = requestEvent({ username: 'jdoe', attributes: { given_name: 'J' } });
    expect(await send(stack, event)).toBe(0);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data).toMatchObject({ reason: 'invalid-event', retryable: false });
    expect(failed.data.violations).toContainEqual(expect.objectContaining({ field: 'data.username', rule: 'username-attribute' }));
  });
});

describe('a case-sensitive pool with an email alias', () => {
  const stack = useTestStack({ model: { pools: [{ definition: { AliasAttributes: ['email'], UsernameConfiguration: { CaseSensitive: true } } }] } });

  it('makes two users of two usernames that differ only in case', async () => {
    const upper = requestEvent({ username: 'Alex', attributes: { email: 'alex.upper@example.com', email_verified: 'true' } });
    const lower = requestEvent({ username: 'alex', attributes: { email: 'alex.lower@example.com' } });
    expect(await send(stack, upper)).toBe(1);
    expect(await send(stack, lower)).toBe(1);
    const [first, second] = [await createdFor(stack.kafka, stack.topics, upper.id), await createdFor(stack.kafka, stack.topics, lower.id)];
    expect(first.data).toMatchObject({ username: 'Alex', alreadyExisted: false });
    expect(second.data).toMatchObject({ username: 'alex', alreadyExisted: false });
    expect(second.data.sub).not.toBe(first.data.sub);
    expect(stack.model.model.userCount(stack.pool)).toBe(2);
  });

  it('rejects a second user with the same verified email without forceAliasCreation (AliasExistsException)', async () => {
    const event = requestEvent({ username: 'alex-again', attributes: { email: 'alex.upper@example.com', email_verified: 'true' } });
    expect(await send(stack, event)).toBe(1);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data).toMatchObject({ reason: 'rejected', errorCode: 'AliasExistsException', retryable: false });
    expect(stack.model.model.userCount(stack.pool)).toBe(2);
  });
});

describe('a schema with a required attribute and custom attributes, with PROVENANCE_ATTRIBUTE', () => {
  const stack = useTestStack({
    model: {
      pools: [{
        definition: { SchemaAttributes: [{ Name: 'given_name', Required: true }, { Name: 'employee_id' }, { Name: 'provisioning_id' }] },
      }],
    },
    service: { env: { PROVENANCE_ATTRIBUTE: 'custom:provisioning_id' } },
  });

  it('refuses a request without the required attribute before any AdminCreateUser call (required-by-pool)', async () => {
    const event = requestEvent({ username: 'no-name', attributes: { 'custom:employee_id': 'E1' } });
    expect(await send(stack, event)).toBe(0);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data.reason).toBe('invalid-event');
    expect(failed.data.violations).toContainEqual(expect.objectContaining({ field: 'data.attributes.given_name', rule: 'required-by-pool' }));
  });

  it('refuses a custom attribute the schema lacks before any AdminCreateUser call (undefined-custom-attribute)', async () => {
    const event = requestEvent({ username: 'badged', attributes: { given_name: 'Bea', 'custom:badge': 'B7' } });
    expect(await send(stack, event)).toBe(0);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data.reason).toBe('invalid-event');
    expect(failed.data.violations).toContainEqual(expect.objectContaining({ field: 'data.attributes.custom:badge', rule: 'undefined-custom-attribute' }));
  });

  it('answers the request redelivered after an admin edited an attribute as already existed; another request for the username is a conflict', async () => {
    const hire = requestEvent({ username: 'pat', attributes: { given_name: 'Pat', 'custom:employee_id': 'E2' } });
    expect(await send(stack, hire)).toBe(1);
    const created = await createdFor(stack.kafka, stack.topics, hire.id);
    expect(stack.model.model.user(stack.pool, 'pat')?.attributes).toContainEqual({ Name: 'custom:provisioning_id', Value: hire.id });

    stack.model.model.editUser(stack.pool, 'pat', { given_name: 'Patricia' });
    expect(await send(stack, hire, 2)).toBe(1);
    expect((await lastCreated(stack, hire, 2)).data).toMatchObject({ username: 'pat', sub: created.data.sub, alreadyExisted: true });

    const other = requestEvent({ username: 'pat', attributes: { given_name: 'Pat', 'custom:employee_id': 'E2' } });
    await send(stack, other);
    const failed = await failedFor(stack.kafka, stack.topics, other.id);
    expect(failed.data).toMatchObject({ reason: 'conflict' });
    expect(stack.model.model.userCount(stack.pool)).toBe(1);
  });
});

describe('a strict password policy', () => {
  const policy = { MinimumLength: 14, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true };
  const stack = useTestStack({ model: { pools: [{ definition: { Policies: { PasswordPolicy: policy } } }] } });
  const WEAK = 'weakpass';

  it('refuses a weak temporary password by the rules it breaks, before any AdminCreateUser call, and shows it nowhere', async () => {
    const event = requestEvent({ username: 'weak-password', attributes: { email: 'weak@example.com' }, temporaryPassword: WEAK });
    expect(await send(stack, event)).toBe(0);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data.reason).toBe('invalid-event');
    const rules = (failed.data.violations ?? []).filter((v) => v.field === 'data.temporaryPassword').map((v) => v.rule);
    expect(rules.sort()).toEqual(['password-minimum-length', 'password-requires-numbers', 'password-requires-symbols', 'password-requires-uppercase']);
    const outcomes = [...stack.kafka.read(stack.topics.created), ...stack.kafka.read(stack.topics.failed)].map((m) => m.value?.toString('utf8') ?? '');
    for (const text of [...outcomes, ...stack.service.stdout, ...stack.service.stderr]) expect(text).not.toContain(WEAK);
  });

  it('creates the user with a temporary password the policy accepts', async () => {
    const event = requestEvent({ username: 'strong-password', attributes: { email: 'strong@example.com' }, temporaryPassword: 'Str0ng-Temporary-Pass!' });
    expect(await send(stack, event)).toBe(1);
    expect((await createdFor(stack.kafka, stack.topics, event.id)).data).toMatchObject({ username: 'strong-password', alreadyExisted: false });
  });
});

describe('an invitation that cannot be delivered (CodeDeliveryFailureException after creation)', () => {
  const stack = useTestStack({ model: { pools: [{ faults: { deliveryFails: true } }] } });

  it('is a created user whose invitation was not delivered, one user in the pool', async () => {
    const event = invited(requestEvent({ username: 'undelivered', attributes: { email: 'undelivered@example.com' }, desiredDeliveryMediums: ['EMAIL'] }));
    expect(await send(stack, event)).toBe(1);
    const created = await createdFor(stack.kafka, stack.topics, event.id);
    expect(created.data).toMatchObject({ username: 'undelivered', alreadyExisted: false, invitationDelivered: false });
    expect(stack.model.model.userCount(stack.pool)).toBe(1);
  });
});

describe('the daily email cap (LimitExceededException)', () => {
  const stack = useTestStack({ model: { pools: [{ faults: { dailyEmailCap: 0 } }] } });

  it('fails the request at once as limit-exceeded, retryable, after exactly one AdminCreateUser call', async () => {
    const event = invited(requestEvent({ username: 'capped', attributes: { email: 'capped@example.com' }, desiredDeliveryMediums: ['EMAIL'] }));
    expect(await send(stack, event)).toBe(1);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data).toMatchObject({ reason: 'limit-exceeded', errorCode: 'LimitExceededException', retryable: true });
    expect(stack.model.model.userCount(stack.pool)).toBe(0);
  });
});

describe('a pre sign-up trigger that refuses the user (UserLambdaValidationException)', () => {
  const MESSAGE = 'employee E9 is not in the HR system';
  const stack = useTestStack({
    model: {
      pools: [{
        definition: { LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up' } },
        faults: { preSignUp: { kind: 'rejects', message: MESSAGE } },
      }],
    },
  });

  it('rejects the request with the trigger\'s message', async () => {
    const event = requestEvent({ username: 'not-in-hr', attributes: { email: 'not-in-hr@example.com' } });
    expect(await send(stack, event)).toBe(1);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data).toMatchObject({ reason: 'rejected', errorCode: 'UserLambdaValidationException', retryable: false });
    expect(failed.data.message).toContain(MESSAGE);
    expect(stack.model.model.userCount(stack.pool)).toBe(0);
  });
});
