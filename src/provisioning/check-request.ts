import { characterCount } from './characters.ts';
import type { ProvisionRequest, Violation } from './request.ts';

// AdminCreateUser's rules as its API reference states them
// (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminCreateUser.html),
// checked before any call so that a breach costs no Cognito quota and names the field it concerns.

export const MAX_USERNAME_CHARACTERS = 128;
const MAX_ATTRIBUTE_NAME_CHARACTERS = 32;
const MAX_ATTRIBUTE_VALUE_CHARACTERS = 2048;

/** Standard attributes a client may set; `sub` and the like are Cognito's own. */
const WRITABLE_STANDARD_ATTRIBUTES = new Set([
  'address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name', 'locale',
  'middle_name', 'name', 'nickname', 'phone_number', 'phone_number_verified', 'picture',
  'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
]);
const CUSTOM_ATTRIBUTE_PREFIXES = ['custom:', 'dev:custom:'];

export function checkRequest(request: ProvisionRequest): Violation[] {
  return [
    ...checkUsername(request.username),
    ...checkAttributeNames(request.attributes),
    ...checkLengths('data.attributes', request.attributes),
    ...checkLengths('data.validationData', request.validationData),
    ...checkDestinations(request),
  ];
}

function checkUsername(username: string): Violation[] {
  const length = characterCount(username);
  if (length >= 1 && length <= MAX_USERNAME_CHARACTERS) return [];
  return [{
    field: 'data.username',
    rule: 'username-length',
    message: `must be 1 to ${MAX_USERNAME_CHARACTERS} characters, got ${length}`,
  }];
}

function checkAttributeNames(attributes: Readonly<Record<string, string>>): Violation[] {
  return Object.keys(attributes)
    .filter((name) => !WRITABLE_STANDARD_ATTRIBUTES.has(name) && !CUSTOM_ATTRIBUTE_PREFIXES.some((p) => name.startsWith(p) && name.length > p.length))
    .map((name) => ({
      field: `data.attributes.${name}`,
      rule: 'attribute-name',
      message: 'is not a standard attribute a client may set; custom attributes need the custom: prefix',
    }));
}

function checkLengths(field: string, pairs: Readonly<Record<string, string>>): Violation[] {
  const violations: Violation[] = [];
  for (const [name, value] of Object.entries(pairs)) {
    const nameLength = characterCount(name);
    if (nameLength < 1 || nameLength > MAX_ATTRIBUTE_NAME_CHARACTERS) {
      violations.push({
        field: `${field}.${name}`,
        rule: 'attribute-name-length',
        message: `(the name) must be 1 to ${MAX_ATTRIBUTE_NAME_CHARACTERS} characters, got ${nameLength}`,
      });
    }
    if (characterCount(value) > MAX_ATTRIBUTE_VALUE_CHARACTERS) {
      violations.push({
        field: `${field}.${name}`,
        rule: 'attribute-value-length',
        message: `must be at most ${MAX_ATTRIBUTE_VALUE_CHARACTERS} characters`,
      });
    }
  }
  return violations;
}

/**
 * email is required when email_verified is true or EMAIL is a delivery medium; phone_number
 * likewise for phone_number_verified and SMS. SMS is the default medium, but only when a
 * message is sent: SUPPRESS sends none, and RESEND goes to the destination the user already has.
 */
function checkDestinations(request: ProvisionRequest): Violation[] {
  const { attributes, messageAction, desiredDeliveryMediums } = request;
  const mediums = messageAction === 'RESEND'
    ? []
    : desiredDeliveryMediums ?? (messageAction === 'SUPPRESS' ? [] : ['SMS']);
  const violations: Violation[] = [];
  const requirements = [
    { attribute: 'email', verified: 'email_verified', medium: 'EMAIL', rule: 'email-required' },
    { attribute: 'phone_number', verified: 'phone_number_verified', medium: 'SMS', rule: 'phone-number-required' },
  ] as const;
  for (const { attribute, verified, medium, rule } of requirements) {
    if (attributes[attribute]) continue;
    const because = [
      attributes[verified]?.toLowerCase() === 'true' ? `${verified} is true` : undefined,
      mediums.includes(medium)
        ? desiredDeliveryMediums ? `${medium} is a desired delivery medium` : `${medium} is the default delivery medium`
        : undefined,
    ].filter((reason) => reason !== undefined);
    if (because.length > 0) {
      violations.push({ field: `data.attributes.${attribute}`, rule, message: `is required because ${because.join(' and ')}` });
    }
  }
  return violations;
}
