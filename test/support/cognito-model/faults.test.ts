// Scripted per pool: email delivery and its daily cap, the pre sign-up trigger, IAM denies.
import { describe, expect, it } from 'vitest';
import { createUser, expectCognitoError, getUser, poolWith } from './model-test-helpers.ts';

const EMAIL = { DesiredDeliveryMediums: ['EMAIL'] };
const PRE_SIGN_UP = { LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up' } };

describe('invitation delivery (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html)', () => {
  it('CodeDeliveryFailureException comes after the user is created', () => {
    const { model, poolId } = poolWith({}, { deliveryFails: true });
    expectCognitoError(() => createUser(model, poolId, 'alice', { email: 'alice@example.com' }, EMAIL), 'CodeDeliveryFailureException');
    expect(getUser(model, poolId, 'alice').Username).toBe('alice');
  });

  it('no message, no delivery failure: MessageAction SUPPRESS', () => {
    const { model, poolId } = poolWith({}, { deliveryFails: true });
    createUser(model, poolId, 'alice', { email: 'alice@example.com' }, { ...EMAIL, MessageAction: 'SUPPRESS' });
  });

  it('the default delivery medium is SMS: a user without a phone number gets no message', () => {
    const { model, poolId } = poolWith({}, { deliveryFails: true });
    createUser(model, poolId, 'alice', { email: 'alice@example.com' });
    expectCognitoError(() => createUser(model, poolId, 'bob', { phone_number: '+14155550100' }), 'CodeDeliveryFailureException');
  });

  it('COGNITO_DEFAULT stops at the daily email cap (50 by default) with LimitExceededException and creates no user', () => {
    const { model, poolId } = poolWith();
    const day = Date.UTC(2026, 11, 1, 9);
    for (let i = 0; i < 50; i++) {
      model.call('AdminCreateUser', { UserPoolId: poolId, Username: `u${i}`, UserAttributes: [{ Name: 'email', Value: `u${i}@example.com` }], ...EMAIL }, day);
    }
    expectCognitoError(
      () => model.call('AdminCreateUser', { UserPoolId: poolId, Username: 'u50', UserAttributes: [{ Name: 'email', Value: 'u50@example.com' }], ...EMAIL }, day),
      'LimitExceededException',
      'Exceeded daily email limit for the operation or the account. If a higher limit is required, please configure your user pool to use your own Amazon SES configuration for sending email.',
    );
    expect(model.userCount(poolId)).toBe(50);
    // A new (UTC) day, a new allowance.
    model.call('AdminCreateUser', { UserPoolId: poolId, Username: 'u50', UserAttributes: [{ Name: 'email', Value: 'u50@example.com' }], ...EMAIL }, day + 86_400_000);
  });

  it('a scripted cap applies to resends too; users created with SUPPRESS do not count', () => {
    const { model, poolId } = poolWith({}, { dailyEmailCap: 1 });
    createUser(model, poolId, 'quiet', { email: 'quiet@example.com' }, { ...EMAIL, MessageAction: 'SUPPRESS' });
    createUser(model, poolId, 'alice', { email: 'alice@example.com' }, EMAIL);
    expectCognitoError(() => createUser(model, poolId, 'alice', {}, { ...EMAIL, MessageAction: 'RESEND' }), 'LimitExceededException');
  });

  it('DEVELOPER (SES) sending has no Cognito cap', () => {
    const { model, poolId } = poolWith({ EmailConfiguration: { EmailSendingAccount: 'DEVELOPER' } }, { dailyEmailCap: 0 });
    createUser(model, poolId, 'alice', { email: 'alice@example.com' }, EMAIL);
  });

  it('RESEND needs an existing user', () => {
    const { model, poolId } = poolWith();
    expectCognitoError(() => createUser(model, poolId, 'ghost', {}, { MessageAction: 'RESEND' }), 'UserNotFoundException', 'User does not exist.');
    createUser(model, poolId, 'alice');
    expect(model.call('AdminCreateUser', { UserPoolId: poolId, Username: 'alice', MessageAction: 'RESEND' }).result).toBe('resent');
  });
});

describe('pre sign-up Lambda trigger (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html)', () => {
  it('a trigger that throws is UserLambdaValidationException with its message, and no user', () => {
    const { model, poolId } = poolWith(PRE_SIGN_UP, { preSignUp: { kind: 'rejects', message: 'Domain not allowed' } });
    expectCognitoError(() => createUser(model, poolId, 'alice'), 'UserLambdaValidationException', 'PreSignUp failed with error Domain not allowed.');
    expect(model.userCount(poolId)).toBe(0);
  });

  it('a trigger Cognito cannot invoke is UnexpectedLambdaException', () => {
    const { model, poolId } = poolWith(PRE_SIGN_UP, { preSignUp: { kind: 'fails' } });
    expectCognitoError(() => createUser(model, poolId, 'alice'), 'UnexpectedLambdaException', 'PreSignUp invocation failed due to error AccessDeniedException.');
  });

  it('a trigger answer Cognito cannot read is InvalidLambdaResponseException', () => {
    const { model, poolId } = poolWith(PRE_SIGN_UP, { preSignUp: { kind: 'invalid-response' } });
    expectCognitoError(() => createUser(model, poolId, 'alice'), 'InvalidLambdaResponseException', 'Unrecognizable lambda output');
  });

  it('no PreSignUp in LambdaConfig, no trigger; faults can be lifted', () => {
    const { model, poolId } = poolWith({}, { preSignUp: { kind: 'rejects', message: 'no' } });
    createUser(model, poolId, 'alice');
    const triggered = poolWith(PRE_SIGN_UP, { preSignUp: { kind: 'rejects', message: 'no' } });
    triggered.model.setFaults(triggered.poolId, {});
    createUser(triggered.model, triggered.poolId, 'alice');
  });
});

describe('IAM denies (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html)', () => {
  it('AccessDeniedException on the denied operation only', () => {
    const { model, poolId } = poolWith({}, { deniedOperations: ['AdminGetUser'] });
    createUser(model, poolId, 'alice');
    expectCognitoError(() => getUser(model, poolId, 'alice'), 'AccessDeniedException');
    expect(model.call('DescribeUserPool', { UserPoolId: poolId }).result).toBe('described');
  });

  it('the message names the caller, the action and the pool, as IAM does', () => {
    const { model, poolId } = poolWith({}, { deniedOperations: ['AdminCreateUser'] });
    expectCognitoError(
      () => createUser(model, poolId, 'alice'),
      'AccessDeniedException',
      `User: arn:aws:sts::123456789012:assumed-role/user-provisioner/session is not authorized to perform: cognito-idp:AdminCreateUser on resource: arn:aws:cognito-idp:us-east-1:123456789012:userpool/${poolId} because no identity-based policy allows the cognito-idp:AdminCreateUser action`,
    );
    expect(model.userCount(poolId)).toBe(0);
  });
});
