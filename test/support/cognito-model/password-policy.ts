// A TemporaryPassword checked against the pool's password policy.
// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html
import { characterCount } from '../../../src/provisioning/characters.ts';
import { CognitoError } from './errors.ts';
import type { PasswordPolicy } from './pool-config.ts';

// The special characters the policy page lists; "the space character is also treated as a special character".
const SYMBOLS = new Set('^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ');
// "Amazon Cognito passwords can be up to 256 characters in length."
const MAX_LENGTH = 256;

/**
 * Throws InvalidPasswordException as Cognito does. The texts ("Password did not conform with policy:
 * Password not long enough", "... must have uppercase characters", ...) are those real answers carry;
 * AWS does not document them, nor the order in which the rules are checked (ours: length first).
 */
export function checkPassword(policy: PasswordPolicy, password: string): void {
  const length = characterCount(password);
  const fail = (reason: string) => new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${reason}`);
  if (length < policy.MinimumLength) throw fail('Password not long enough');
  if (length > MAX_LENGTH) throw fail('Password is too long');
  if (policy.RequireLowercase && !/[a-z]/.test(password)) throw fail('Password must have lowercase characters');
  if (policy.RequireUppercase && !/[A-Z]/.test(password)) throw fail('Password must have uppercase characters');
  if (policy.RequireNumbers && !/[0-9]/.test(password)) throw fail('Password must have numeric characters');
  if (policy.RequireSymbols && !hasSymbol(password)) throw fail('Password must have symbol characters');
}

function hasSymbol(password: string): boolean {
  for (const character of password) if (SYMBOLS.has(character)) return true;
  return false;
}
