// Case sensitivity, email/phone as username, and sign-in aliases, as the user pool attributes page
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html) describes them.
import { describe, expect, it } from 'vitest';
import { attribute, createUser, expectCognitoError, getUser, poolWith } from './model-test-helpers.ts';

describe('UsernameConfiguration.CaseSensitive', () => {
  it('a case-sensitive pool (the API default) holds Alice and alice as two users', () => {
    const { model, poolId } = poolWith();
    createUser(model, poolId, 'Alice');
    createUser(model, poolId, 'alice');
    expect(model.userCount(poolId)).toBe(2);
    expectCognitoError(() => getUser(model, poolId, 'ALICE'), 'UserNotFoundException', 'User does not exist.');
  });

  it('a case-insensitive pool refuses alice after Alice with UsernameExistsException and finds her as ALICE', () => {
    const { model, poolId } = poolWith({ UsernameConfiguration: { CaseSensitive: false } });
    createUser(model, poolId, 'Alice');
    expectCognitoError(() => createUser(model, poolId, 'alice'), 'UsernameExistsException', 'User account already exists');
    expect(getUser(model, poolId, 'ALICE').Username).toBe('Alice');
  });

  it('a case-insensitive pool matches the email alias in any case', () => {
    const { model, poolId } = poolWith({ AliasAttributes: ['email'], UsernameConfiguration: { CaseSensitive: false } });
    createUser(model, poolId, 'alice', { email: 'Alice@Example.com', email_verified: 'true' });
    expect(getUser(model, poolId, 'alice@example.COM').Username).toBe('alice');
    expectCognitoError(() => createUser(model, poolId, 'bob', { email: 'ALICE@example.com', email_verified: 'true' }), 'AliasExistsException');
  });
});

describe('UsernameAttributes (email or phone number as username)', () => {
  it('stores the sub as the username, sets the email attribute and finds the user by email', () => {
    const { model, poolId } = poolWith({ UsernameAttributes: ['email'] });
    const { User } = createUser(model, poolId, 'alice@example.com');
    expect(User.Username).toBe(attribute(User, 'sub'));
    expect(User.Username).toMatch(/^[0-9a-f-]{36}$/);
    expect(attribute(User, 'email')).toBe('alice@example.com');
    expect(getUser(model, poolId, 'alice@example.com').Username).toBe(User.Username);
    expect(getUser(model, poolId, User.Username).Username).toBe(User.Username);
  });

  it('refuses a username that is not an email with "Username should be an email."', () => {
    const { model, poolId } = poolWith({ UsernameAttributes: ['email'] });
    expectCognitoError(() => createUser(model, poolId, 'alice'), 'InvalidParameterException', 'Username should be an email.');
  });

  it('refuses a username that is not a phone number in a phone pool, and either in a pool with both', () => {
    const phone = poolWith({ UsernameAttributes: ['phone_number'] });
    expectCognitoError(() => createUser(phone.model, phone.poolId, 'alice@example.com'), 'InvalidParameterException', 'Username should be a phone number.');
    const both = poolWith({ UsernameAttributes: ['email', 'phone_number'] });
    expectCognitoError(() => createUser(both.model, both.poolId, 'alice'), 'InvalidParameterException', 'Username should be either an email or a phone number.');
    expect(attribute(createUser(both.model, both.poolId, '+14155550100').User, 'phone_number')).toBe('+14155550100');
  });

  it('refuses a second user with the same email with UsernameExistsException', () => {
    const { model, poolId } = poolWith({ UsernameAttributes: ['email'] });
    createUser(model, poolId, 'alice@example.com');
    expectCognitoError(() => createUser(model, poolId, 'alice@example.com'), 'UsernameExistsException', 'An account with the given email already exists.');
    expect(model.userCount(poolId)).toBe(1);
  });
});

describe('AliasAttributes and ForceAliasCreation', () => {
  it('refuses an email-shaped username in a pool with an email alias', () => {
    const { model, poolId } = poolWith({ AliasAttributes: ['email'] });
    expectCognitoError(
      () => createUser(model, poolId, 'alice@example.com'),
      'InvalidParameterException',
      'Username cannot be of email format, since user pool is configured for email alias.',
    );
  });

  it('a verified email taken by another user is AliasExistsException without ForceAliasCreation, and nothing is created', () => {
    const { model, poolId } = poolWith({ AliasAttributes: ['email'] });
    createUser(model, poolId, 'alice', { email: 'shared@example.com', email_verified: 'true' });
    expectCognitoError(
      () => createUser(model, poolId, 'bob', { email: 'shared@example.com', email_verified: 'true' }),
      'AliasExistsException',
      'An account with the given email already exists.',
    );
    expect(model.userCount(poolId)).toBe(1);
  });

  it('ForceAliasCreation moves the alias to the new user; the previous one keeps the email, unverified', () => {
    const { model, poolId } = poolWith({ AliasAttributes: ['email'] });
    createUser(model, poolId, 'alice', { email: 'shared@example.com', email_verified: 'true' });
    createUser(model, poolId, 'bob', { email: 'shared@example.com', email_verified: 'true' }, { ForceAliasCreation: true });
    expect(getUser(model, poolId, 'shared@example.com').Username).toBe('bob');
    const alice = getUser(model, poolId, 'alice');
    expect(attribute(alice, 'email')).toBe('shared@example.com');
    expect(attribute(alice, 'email_verified')).toBe('false');
  });

  it('an unverified email is no alias: no clash, and no lookup by it', () => {
    const { model, poolId } = poolWith({ AliasAttributes: ['email'] });
    createUser(model, poolId, 'alice', { email: 'shared@example.com' });
    createUser(model, poolId, 'bob', { email: 'shared@example.com' });
    expectCognitoError(() => getUser(model, poolId, 'shared@example.com'), 'UserNotFoundException');
  });

  it('preferred_username is an alias without verification', () => {
    const { model, poolId } = poolWith({ AliasAttributes: ['preferred_username'] });
    createUser(model, poolId, 'alice', { preferred_username: 'ally' });
    expect(getUser(model, poolId, 'ally').Username).toBe('alice');
    expectCognitoError(() => createUser(model, poolId, 'bob', { preferred_username: 'ally' }), 'AliasExistsException', 'An account with the given preferred_username already exists.');
  });
});

describe('an edit after creation (AdminUpdateUserAttributes, or the user verifying their email)', () => {
  it('an email verified later becomes a sign-in name of an alias pool: found by it, and taken', () => {
    const { model, poolId } = poolWith({ AliasAttributes: ['email'] });
    createUser(model, poolId, 'alice', { email: 'alice@example.com' });
    model.editUser(poolId, 'alice', { email_verified: 'true' });
    expect(getUser(model, poolId, 'alice@example.com').Username).toBe('alice');
    expectCognitoError(() => createUser(model, poolId, 'bob', { email: 'alice@example.com', email_verified: 'true' }), 'AliasExistsException');
  });

  it('a changed email leaves the old one free', () => {
    const { model, poolId } = poolWith({ AliasAttributes: ['email'] });
    createUser(model, poolId, 'alice', { email: 'alice@example.com', email_verified: 'true' });
    model.editUser(poolId, 'alice', { email: 'alice@example.org' });
    expect(attribute(getUser(model, poolId, 'alice@example.org'), 'email')).toBe('alice@example.org');
    createUser(model, poolId, 'bob', { email: 'alice@example.com', email_verified: 'true' });
    expect(model.user(poolId, 'alice@example.com')?.username).toBe('bob');
  });
});
