// The schema (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html)
// and the password policy (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html).
import { describe, expect, it } from 'vitest';
import { attribute, createUser, expectCognitoError, getUser, poolWith } from './model-test-helpers.ts';

describe('schema: required and custom attributes', () => {
  it('a missing required attribute is "Attributes did not conform to the schema: ..." and creates no user', () => {
    const { model, poolId } = poolWith({ SchemaAttributes: [{ Name: 'given_name', Required: true }] });
    expectCognitoError(
      () => createUser(model, poolId, 'alice', { family_name: 'Doe' }),
      'InvalidParameterException',
      'Attributes did not conform to the schema: given_name: The attribute is required',
    );
    expect(model.userCount(poolId)).toBe(0);
    createUser(model, poolId, 'alice', { given_name: 'Alice' });
  });

  it('an empty value does not satisfy a required attribute', () => {
    const { model, poolId } = poolWith({ SchemaAttributes: [{ Name: 'email', Required: true }] });
    expectCognitoError(() => createUser(model, poolId, 'alice', { email: '' }), 'InvalidParameterException');
  });

  it('a custom attribute the pool does not define is refused; a defined one is stored', () => {
    const { model, poolId } = poolWith({ SchemaAttributes: [{ Name: 'employee_id' }] });
    expectCognitoError(
      () => createUser(model, poolId, 'alice', { 'custom:tenant': 'acme' }),
      'InvalidParameterException',
      'Attributes did not conform to the schema: custom:tenant: Attribute does not exist in the schema.',
    );
    expect(attribute(createUser(model, poolId, 'alice', { 'custom:employee_id': 'E1' }).User, 'custom:employee_id')).toBe('E1');
  });

  it('custom attributes cannot be required', () => {
    expect(() => poolWith({ SchemaAttributes: [{ Name: 'employee_id', Required: true }] })).toThrow(/cannot be required/);
  });

  it('an immutable attribute can be set when the user is created', () => {
    const { model, poolId } = poolWith({ SchemaAttributes: [{ Name: 'badge', Mutable: false }] });
    expect(attribute(createUser(model, poolId, 'alice', { 'custom:badge': 'B7' }).User, 'custom:badge')).toBe('B7');
  });

  it('a developer-only attribute is written as dev:custom:<name>, not as custom:<name>', () => {
    const { model, poolId } = poolWith({ SchemaAttributes: [{ Name: 'risk', DeveloperOnlyAttribute: true }] });
    expectCognitoError(() => createUser(model, poolId, 'alice', { 'custom:risk': 'low' }), 'InvalidParameterException');
    createUser(model, poolId, 'alice', { 'dev:custom:risk': 'low' });
  });

  it('sub is Cognito\'s: a caller cannot set it', () => {
    const { model, poolId } = poolWith();
    expectCognitoError(() => createUser(model, poolId, 'alice', { sub: 'mine' }), 'InvalidParameterException');
  });

  it('email and phone_number values must be well formed', () => {
    const { model, poolId } = poolWith();
    expectCognitoError(() => createUser(model, poolId, 'alice', { email: 'not-an-email' }), 'InvalidParameterException', 'Invalid email address format.');
    expectCognitoError(() => createUser(model, poolId, 'alice', { phone_number: '0044 20 7946 0000' }), 'InvalidParameterException', 'Invalid phone number format.');
  });

  it('typed attributes: a Number attribute refuses text, a Boolean one anything but true or false', () => {
    const { model, poolId } = poolWith({ SchemaAttributes: [{ Name: 'level', AttributeDataType: 'Number' }] });
    expectCognitoError(() => createUser(model, poolId, 'alice', { 'custom:level': 'high' }), 'InvalidParameterException');
    expectCognitoError(() => createUser(model, poolId, 'alice', { email_verified: 'yes' }), 'InvalidParameterException');
    createUser(model, poolId, 'alice', { 'custom:level': '3', email_verified: 'false' });
  });

  it('a username outside Cognito\'s pattern or longer than 128 characters fails validation', () => {
    const { model, poolId } = poolWith();
    expectCognitoError(() => createUser(model, poolId, 'has space'), 'InvalidParameterException');
    expectCognitoError(() => createUser(model, poolId, 'a'.repeat(129)), 'InvalidParameterException');
    expect(getUser(model, poolId, createUser(model, poolId, 'a'.repeat(128)).User.Username).Username).toHaveLength(128);
  });
});

describe('password policy (TemporaryPassword)', () => {
  const create = (password: string, policy = {}) => {
    const { model, poolId } = poolWith({ Policies: { PasswordPolicy: policy } });
    return () => createUser(model, poolId, 'alice', {}, { TemporaryPassword: password });
  };

  it('the default policy wants 8 characters with upper, lower, number and symbol', () => {
    expectCognitoError(create('Ab1!'), 'InvalidPasswordException', 'Password did not conform with policy: Password not long enough');
    expectCognitoError(create('abcdefg1!'), 'InvalidPasswordException', 'Password did not conform with policy: Password must have uppercase characters');
    expectCognitoError(create('ABCDEFG1!'), 'InvalidPasswordException', 'Password did not conform with policy: Password must have lowercase characters');
    expectCognitoError(create('Abcdefgh!'), 'InvalidPasswordException', 'Password did not conform with policy: Password must have numeric characters');
    expectCognitoError(create('Abcdefgh1'), 'InvalidPasswordException', 'Password did not conform with policy: Password must have symbol characters');
    create('Abcdefg1^')();
  });

  it('a relaxed policy accepts what it does not require; MinimumLength still applies', () => {
    const relaxed = { MinimumLength: 6, RequireUppercase: false, RequireLowercase: true, RequireNumbers: false, RequireSymbols: false };
    create('abcdef', relaxed)();
    expectCognitoError(create('abcde', relaxed), 'InvalidPasswordException');
  });

  it('the space counts as a symbol', () => {
    create('Abcdef 1')();
  });
});
