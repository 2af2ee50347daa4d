import { firstCharacters } from '../provisioning/characters.ts';
import type { Violation } from '../provisioning/request.ts';
import type { SchemaError } from './schemas.ts';

// Turns Ajv's errors into violations that name the field and the rule, in words a person can
// act on. Values are never quoted: they may be personal data or a password.

// Bounded so that a failed event stays small whatever the input (an unbounded one crashed the
// consumer): docs/decisions/0003-violations-are-capped.md
const MAX_LISTED_VIOLATIONS = 100;
/** The longest name the schema allows (clientMetadata's keys, and the id). */
const MAX_QUOTED_CHARACTERS = 256;

const RULE_BY_KEYWORD: Readonly<Record<string, string>> = {
  additionalProperties: 'unknown-field',
  maxLength: 'max-length',
  minLength: 'min-length',
  maxProperties: 'max-properties',
  minItems: 'min-items',
  uniqueItems: 'unique-items',
};

const FRIENDLY_PATTERN: Readonly<Record<string, string>> = {
  'data.username': 'must contain only letters, marks, symbols, numbers and punctuation (no whitespace or control characters)',
  'data.temporaryPassword': 'must not contain whitespace',
  'data.userPoolId': 'must look like <region>_<id>, e.g. us-east-1_Example1',
  traceparent: 'must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)',
};

export function toViolations(errors: readonly SchemaError[]): Violation[] {
  const violations: Violation[] = [];
  for (const error of errors) {
    // The nested error of a propertyNames check says more than its wrapper.
    if (error.keyword === 'propertyNames') continue;
    const base = fieldOf(error.instancePath);
    const field = join(base, childOf(error));
    violations.push({ field, rule: RULE_BY_KEYWORD[error.keyword] ?? error.keyword, message: describe(error, field) });
  }
  if (violations.length <= MAX_LISTED_VIOLATIONS) return violations;
  const unlisted = violations.length - MAX_LISTED_VIOLATIONS;
  return [
    ...violations.slice(0, MAX_LISTED_VIOLATIONS),
    { field: '(event)', rule: 'too-many-violations', message: `breaks ${unlisted} more rules, not listed` },
  ];
}

/** A name from the input as a field may quote it: past MAX_QUOTED_CHARACTERS, cut and marked with "…". */
export function quotable(text: string): string {
  if (text.length <= MAX_QUOTED_CHARACTERS) return text;
  const quoted = firstCharacters(text, MAX_QUOTED_CHARACTERS);
  return quoted === text ? text : `${quoted}…`;
}

function childOf(error: SchemaError): string | undefined {
  if (error.keyword === 'required') return String(error.params['missingProperty']);
  if (error.keyword === 'additionalProperties') return quotable(String(error.params['additionalProperty']));
  return error.propertyName === undefined ? undefined : quotable(error.propertyName);
}

function describe(error: SchemaError, field: string): string {
  switch (error.keyword) {
    case 'required': return 'is required';
    case 'additionalProperties': return 'is not a known field';
    case 'enum': return `must be one of ${(error.params['allowedValues'] as unknown[]).join(', ')}`;
    case 'const': return `must be ${JSON.stringify(error.params['allowedValue'])}`;
    case 'pattern': return FRIENDLY_PATTERN[field] ?? error.message ?? 'has the wrong form';
    default: return `${error.propertyName !== undefined ? '(as a name) ' : ''}${error.message ?? 'is invalid'}`;
  }
}

/** "/data/attributes/email" becomes "data.attributes.email". */
function fieldOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((segment) => quotable(segment.replaceAll('~1', '/').replaceAll('~0', '~')))
    .join('.');
}

function join(base: string, child: string | undefined): string {
  if (child === undefined) return base === '' ? '(event)' : base;
  return base === '' ? child : `${base}.${child}`;
}
