import { describe, expect, it } from 'vitest';
import type { NewUser } from '../../../src/provisioning/directory.port.ts';
import { DirectoryError } from '../../../src/provisioning/errors.ts';
import { Secret } from '../../../src/provisioning/secret.ts';
import { aNewUser as aNewUserIn } from '../builders.ts';
import { aPoolAttribute, aPoolConfiguration, FakeDirectory } from './fake-directory.ts';

// The fake's configured pools refuse what Cognito refuses, so the unit tests cannot pass on a
// request real Cognito would turn down.

const POOL = 'us-east-1_Fake1';

function aNewUser(overrides: Partial<NewUser> = {}): NewUser {
  return aNewUserIn({ userPoolId: POOL, ...overrides });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DirectoryError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('FakeDirectory with a configured pool', () => {
  it('finds a username in any case in a case-insensitive pool, and refuses a second one differing in case', async () => {
    const directory = new FakeDirectory({ configurations: [aPoolConfiguration(POOL, { caseSensitive: false })] });
    await directory.createUser(aNewUser({ username: 'JDoe' }));
    await expect(directory.getUser(POOL, 'jdoe')).resolves.toMatchObject({ username: 'JDoe' });
    expect(await codeOf(directory.createUser(aNewUser({ username: 'jDOE' })))).toBe('UsernameExistsException');
  });

  it('stores an email-as-username user under its sub, with the email set, found by either', async () => {
    const directory = new FakeDirectory({ configurations: [aPoolConfiguration(POOL, { usernameAttributes: ['email'] })] });
    const user = await directory.createUser(aNewUser({ username: 'jane@example.com' }));
    expect(user.username).toBe(user.sub);
    expect(user.attributes['email']).toBe('jane@example.com');
    await expect(directory.getUser(POOL, 'jane@example.com')).resolves.toMatchObject({ sub: user.sub });
    await expect(directory.getUser(POOL, user.sub)).resolves.toMatchObject({ sub: user.sub });
    expect(await codeOf(directory.createUser(aNewUser({ username: 'jdoe' })))).toBe('InvalidParameterException');
  });

  it('refuses an attribute outside the schema and a missing required one with InvalidParameterException', async () => {
    const directory = new FakeDirectory({ configurations: [aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('family_name', { required: true })] })] });
    expect(await codeOf(directory.createUser(aNewUser({ attributes: { family_name: 'Doe', 'custom:badge': 'x' } })))).toBe('InvalidParameterException');
    expect(await codeOf(directory.createUser(aNewUser({ attributes: {} })))).toBe('InvalidParameterException');
    expect(await codeOf(directory.createUser(aNewUser({ attributes: { family_name: 'Doe' } })))).toBe('resolved');
  });

  it('refuses a temporary password that breaks the policy with InvalidPasswordException', async () => {
    const passwordPolicy = { minimumLength: 12, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSymbols: true };
    const directory = new FakeDirectory({ configurations: [aPoolConfiguration(POOL, { passwordPolicy })] });
    expect(await codeOf(directory.createUser(aNewUser({ temporaryPassword: new Secret('weakpassword') })))).toBe('InvalidPasswordException');
    expect(await codeOf(directory.createUser(aNewUser({ temporaryPassword: new Secret('Tmp-Secret-9f2c') })))).toBe('resolved');
  });

  it('answers describePool with the configuration, and a pool created with defaults without one', async () => {
    const configured = aPoolConfiguration(POOL, { caseSensitive: false });
    const directory = new FakeDirectory({ configurations: [configured] });
    await expect(directory.describePool(POOL)).resolves.toBe(configured);
    await expect(directory.describePool('us-east-1_Other')).resolves.toMatchObject({ caseSensitive: true, usernameAttributes: [] });
    expect(directory.describeRequests).toEqual([POOL, 'us-east-1_Other']);
  });
});
