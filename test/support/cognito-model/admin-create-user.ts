// AdminCreateUser against one pool, in the order Cognito applies its rules.
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html
import { randomUUID } from 'node:crypto';
import { checkNewUserAttributes, isEmail, isPhoneNumber, type Attribute } from './attributes.ts';
import { CognitoError } from './errors.ts';
import { checkPassword } from './password-policy.ts';
import { DEFAULT_DAILY_EMAIL_CAP, type AliasAttribute, type TriggerAnswer } from './pool-config.ts';
import type { PoolState } from './pool-state.ts';
import { attributeList, optionalString, username as usernameOf } from './request-fields.ts';
import type { StoredUser } from './user-directory.ts';

export interface CreateOutcome {
  readonly result: 'created' | 'resent';
  readonly user: StoredUser;
}

/** Applies the call at `at` (epoch ms) or throws the CognitoError Cognito would answer. */
export function adminCreateUser(pool: PoolState, body: Readonly<Record<string, unknown>>, at: number): CreateOutcome {
  const requested = usernameOf(body);
  const messageAction = optionalString(body, 'MessageAction');
  const mediums = deliveryMediums(body['DesiredDeliveryMediums']);
  if (messageAction === 'RESEND') {
    // "Set to RESEND to resend the invitation message to a user that already exists."
    const existing = pool.users.find(requested);
    if (!existing) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    checkEmailCap(pool, existing, mediums, at);
    deliver(pool, existing, mediums, at);
    return { result: 'resent', user: existing };
  }

  const attributes = checkNewUserAttributes(pool.config, [...attributeList(body, 'UserAttributes'), ...usernameAttribute(pool, requested)]);
  const password = optionalString(body, 'TemporaryPassword');
  if (password !== undefined) checkPassword(pool.config.Policies.PasswordPolicy, password);

  const sub = randomUUID();
  // Email or phone as username: "Amazon Cognito ... assigns the sub value as the username" (attributes page).
  const user: StoredUser = { username: pool.config.UsernameAttributes ? sub : requested, sub, attributes, createdAt: at / 1000 };
  checkUnique(pool, requested, user, body['ForceAliasCreation'] === true);
  preSignUp(pool, pool.faults.preSignUp);
  const sends = messageAction === 'SUPPRESS' ? [] : mediums;
  checkEmailCap(pool, user, sends, at);

  pool.users.add(user);
  deliver(pool, user, sends, at);
  return { result: 'created', user };
}

/** "The default value is SMS" (DesiredDeliveryMediums). */
function deliveryMediums(value: unknown): readonly string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : ['SMS'];
}

function usernameAttribute(pool: PoolState, requested: string): Attribute[] {
  const { UsernameAttributes, AliasAttributes } = pool.config;
  if (UsernameAttributes) {
    const email = UsernameAttributes.includes('email') && isEmail(requested);
    const phone = UsernameAttributes.includes('phone_number') && isPhoneNumber(requested);
    if (email) return [{ Name: 'email', Value: requested }];
    if (phone) return [{ Name: 'phone_number', Value: requested }];
    // Texts of real answers; AWS documents only that the username must be an email or phone number.
    if (UsernameAttributes.length === 2) throw invalid('Username should be either an email or a phone number.');
    throw invalid(UsernameAttributes[0] === 'email' ? 'Username should be an email.' : 'Username should be a phone number.');
  }
  // "If you select email address as an alias, Amazon Cognito doesn't accept a username that matches a
  // valid email address format" (attributes page, aliases); the same for phone numbers. Texts from real answers.
  if (AliasAttributes?.includes('email') && isEmail(requested)) {
    throw invalid('Username cannot be of email format, since user pool is configured for email alias.');
  }
  if (AliasAttributes?.includes('phone_number') && isPhoneNumber(requested)) {
    throw invalid('Username cannot be of phone number format, since user pool is configured for phone number alias.');
  }
  return [];
}

function checkUnique(pool: PoolState, requested: string, user: StoredUser, forceAliasCreation: boolean): void {
  const { users } = pool;
  if (!pool.config.UsernameAttributes && users.findByUsername(requested)) {
    throw new CognitoError('UsernameExistsException', 'User account already exists');
  }
  const clashes = users.aliasesOf(user.attributes).flatMap(({ attribute, value }) => {
    const owner = users.aliasOwner(attribute, value);
    return owner ? [{ attribute, value, owner }] : [];
  });
  const first = clashes[0];
  if (!first) return;
  // A sign-in name taken in an email/phone-as-username pool is a username clash; text from real answers.
  if (pool.config.UsernameAttributes) throw new CognitoError('UsernameExistsException', alreadyExists(first.attribute));
  // ForceAliasCreation: "If this parameter is set to False, the API throws an AliasExistsException error
  // if the alias already exists"; True "migrates the alias from the previous user to the newly-created user".
  if (!forceAliasCreation) throw new CognitoError('AliasExistsException', alreadyExists(first.attribute));
  for (const { attribute, value, owner } of clashes) users.takeAlias(attribute, value, owner);
}

const alreadyExists = (attribute: AliasAttribute) => `An account with the given ${attribute} already exists.`;

/**
 * The pre sign-up trigger runs "immediately before Amazon Cognito completes creation of a new ... user"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-lambda-pre-sign-up.html), so a
 * failing trigger leaves no user. Texts: "PreSignUp failed with error <message>." and
 * "PreSignUp invocation failed due to error <error>." are what Cognito answers
 * (https://repost.aws/knowledge-center/cognito-lambda-trigger-errors); "Unrecognizable lambda output"
 * is seen in real answers, not documented.
 */
function preSignUp(pool: PoolState, answer: TriggerAnswer | undefined): void {
  if (!answer || pool.config.LambdaConfig.PreSignUp === undefined) return;
  switch (answer.kind) {
    case 'rejects':
      throw new CognitoError('UserLambdaValidationException', `PreSignUp failed with error ${answer.message}.`);
    case 'fails':
      throw new CognitoError('UnexpectedLambdaException', `PreSignUp invocation failed due to error ${answer.error ?? 'AccessDeniedException'}.`);
    case 'invalid-response':
      throw new CognitoError('InvalidLambdaResponseException', 'Unrecognizable lambda output');
  }
}

const sendsEmail = (user: StoredUser, mediums: readonly string[]) =>
  mediums.includes('EMAIL') && user.attributes.some((a) => a.Name === 'email');

/**
 * COGNITO_DEFAULT sends a limited number of emails a day (user-pool-email.html, quotas.html: 50).
 * Text from real answers. Whether the user is still created when the cap is hit AWS does not say:
 * the model creates none (a guess).
 */
function checkEmailCap(pool: PoolState, user: StoredUser, mediums: readonly string[], at: number): void {
  if (pool.config.EmailConfiguration.EmailSendingAccount !== 'COGNITO_DEFAULT' || !sendsEmail(user, mediums)) return;
  if (pool.emailsSentOn(at) < (pool.faults.dailyEmailCap ?? DEFAULT_DAILY_EMAIL_CAP)) return;
  throw new CognitoError(
    'LimitExceededException',
    'Exceeded daily email limit for the operation or the account. If a higher limit is required, please configure your user pool to use your own Amazon SES configuration for sending email.',
  );
}

/**
 * CodeDeliveryFailureException: "a verification code fails to deliver successfully". The user already
 * exists by then (AWS does not say so; real pools show the user, so the model keeps it). Text is a guess.
 * A message for a medium the user has no address for is not sent (undocumented; a guess).
 */
function deliver(pool: PoolState, user: StoredUser, mediums: readonly string[], at: number): void {
  const phone = mediums.includes('SMS') && user.attributes.some((a) => a.Name === 'phone_number');
  const email = sendsEmail(user, mediums);
  if (!email && !phone) return;
  if (pool.faults.deliveryFails) throw new CognitoError('CodeDeliveryFailureException', 'Unable to deliver message.');
  if (email) pool.countEmail(at);
}

const invalid = (message: string) => new CognitoError('InvalidParameterException', message);
