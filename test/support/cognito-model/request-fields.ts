// Reading the members of a JSON request body, with the validation answers AWS's front door gives.
import { characterCount } from '../../../src/provisioning/characters.ts';
import type { Attribute } from './attributes.ts';
import { CognitoError } from './errors.ts';

// AWS's request validation text ("1 validation error detected: Value ... at '<member>' failed to
// satisfy constraint: ..."), the members named in camelCase as real answers do.
const validationError = (member: string, constraint: string, value = 'null') =>
  new CognitoError('InvalidParameterException', `1 validation error detected: Value ${value} at '${member}' failed to satisfy constraint: ${constraint}`);

export function requiredString(body: Readonly<Record<string, unknown>>, member: string): string {
  const value = body[member];
  if (value === undefined || value === null) throw validationError(camel(member), 'Member must not be null');
  if (typeof value !== 'string') throw new CognitoError('SerializationException', `${member} must be a string`);
  return value;
}

export function optionalString(body: Readonly<Record<string, unknown>>, member: string): string | undefined {
  const value = body[member];
  return value === undefined || value === null ? undefined : requiredString(body, member);
}

// API_AdminCreateUser.html: Username "Length Constraints: Minimum length of 1. Maximum length of 128.
// Pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+". Real answers hide the value (it is sensitive).
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u;
export function username(body: Readonly<Record<string, unknown>>): string {
  const value = requiredString(body, 'Username');
  if (characterCount(value) > 128) throw validationError('username', 'Member must have length less than or equal to 128', 'at');
  if (!USERNAME.test(value)) throw validationError('username', 'Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+', 'at');
  return value;
}

export function attributeList(body: Readonly<Record<string, unknown>>, member: string): Attribute[] {
  const value = body[member];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new CognitoError('SerializationException', `${member} must be a list`);
  return value.map((item: unknown) => {
    const { Name, Value } = (typeof item === 'object' && item !== null ? item : {}) as { Name?: unknown; Value?: unknown };
    if (typeof Name !== 'string') throw validationError(`${camel(member)}.member.name`, 'Member must not be null');
    return { Name, Value: typeof Value === 'string' ? Value : '' };
  });
}

const camel = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);
