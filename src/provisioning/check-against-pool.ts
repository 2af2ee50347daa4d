import { characterCount } from './characters.ts';
import type { PasswordPolicy, PoolConfiguration } from './directory.port.ts';
import type { ProvisionRequest, Violation } from './request.ts';

// What the pool's own configuration (DescribeUserPool) lets AdminCreateUser accept, checked
// before the call so that a breach costs no UserCreation quota. Messages name the rule, never a
// value: usernames are personal data and the temporary password is a secret.

// The characters Cognito's password policy counts as symbols; a space inside counts too, and
// leniency here only costs a call Cognito then refuses, where strictness would refuse a user.
const PASSWORD_SYMBOL = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const E164 = /^\+[1-9][0-9]{1,14}$/;

export function checkAgainstPool(request: ProvisionRequest, pool: PoolConfiguration): Violation[] {
  return [
    ...checkUsernameAttributes(request.username, pool),
    ...checkSchema(request, pool),
    ...(pool.passwordPolicy !== undefined && request.temporaryPassword !== undefined
      ? checkPassword(request.temporaryPassword.reveal(), pool.passwordPolicy)
      : []),
  ];
}

/** With email or phone as username, the username the request names must be one of them. */
function checkUsernameAttributes(username: string, pool: PoolConfiguration): Violation[] {
  const allowed = pool.usernameAttributes;
  if (allowed.length === 0 || usernameAttributeOf(username, pool) !== undefined) return [];
  const kinds = allowed.map((name) => (name === 'email' ? 'an email address' : 'a phone number in E.164 form (+4930123456)'));
  return [{
    field: 'data.username',
    rule: 'username-attribute',
    message: `must be ${kinds.join(' or ')}: the pool signs users in with ${allowed.join(' or ')} instead of a username`,
  }];
}

/** The attribute the username stands for in an email- or phone-as-username pool. */
export function usernameAttributeOf(username: string, pool: PoolConfiguration): 'email' | 'phone_number' | undefined {
  if (pool.usernameAttributes.includes('email') && EMAIL.test(username)) return 'email';
  if (pool.usernameAttributes.includes('phone_number') && E164.test(username)) return 'phone_number';
  return undefined;
}

function checkSchema(request: ProvisionRequest, pool: PoolConfiguration): Violation[] {
  const violations: Violation[] = [];
  for (const name of Object.keys(request.attributes)) {
    if ((name.startsWith('custom:') || name.startsWith('dev:custom:')) && !pool.attributes.has(name)) {
      violations.push({
        field: `data.attributes.${name}`,
        rule: 'undefined-custom-attribute',
        message: 'is not an attribute of the pool\'s schema',
      });
    }
  }
  // Cognito sets the attribute from the username itself in an email- or phone-as-username pool.
  const fromUsername = usernameAttributeOf(request.username, pool);
  for (const attribute of pool.attributes.values()) {
    if (!attribute.required || attribute.name === 'sub' || attribute.name === fromUsername) continue;
    if (request.attributes[attribute.name] === undefined) {
      violations.push({ field: `data.attributes.${attribute.name}`, rule: 'required-by-pool', message: 'is required by the pool\'s schema' });
    }
  }
  return violations;
}

/** One violation per part of the policy the password breaks. */
function checkPassword(password: string, policy: PasswordPolicy): Violation[] {
  const parts = [
    {
      broken: characterCount(password) < policy.minimumLength,
      rule: 'password-minimum-length',
      message: `must be at least ${policy.minimumLength} characters (the pool's password policy)`,
    },
    { broken: policy.requireUppercase && !/[A-Z]/.test(password), rule: 'password-requires-uppercase', message: 'must contain an uppercase letter (the pool\'s password policy)' },
    { broken: policy.requireLowercase && !/[a-z]/.test(password), rule: 'password-requires-lowercase', message: 'must contain a lowercase letter (the pool\'s password policy)' },
    { broken: policy.requireNumbers && !/[0-9]/.test(password), rule: 'password-requires-numbers', message: 'must contain a number (the pool\'s password policy)' },
    {
      broken: policy.requireSymbols && !PASSWORD_SYMBOL.test(password),
      rule: 'password-requires-symbols',
      message: 'must contain a symbol (the pool\'s password policy)',
    },
  ];
  return parts.filter((part) => part.broken).map(({ rule, message }) => ({ field: 'data.temporaryPassword', rule, message }));
}
