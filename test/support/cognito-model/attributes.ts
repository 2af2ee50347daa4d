// AdminCreateUser's UserAttributes checked against the pool's schema.
// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html
import { CognitoError } from './errors.ts';
import type { SchemaAttribute, UserPoolType } from './pool-config.ts';

export interface Attribute {
  readonly Name: string;
  readonly Value: string;
}

// Message texts: "Attributes did not conform to the schema: <name>: <reason>" is what Cognito answers
// (seen in real answers, not in the API reference); the reasons after the colon are our best guess.
const schemaError = (name: string, reason: string) =>
  new CognitoError('InvalidParameterException', `Attributes did not conform to the schema: ${name}: ${reason}`);

// Email as the HTML living standard's input type=email accepts; Cognito documents no exact grammar.
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
// "Phone numbers must follow these formatting rules: A phone number must start with a plus (+) sign,
// followed immediately by the country code": user-pool-settings-attributes.html (phone_number).
const PHONE = /^\+[0-9]{4,15}$/;

export const isEmail = (value: string) => EMAIL.test(value);
export const isPhoneNumber = (value: string) => PHONE.test(value);

/** The attributes a new user gets, in request order, or the schema violation Cognito would answer. */
export function checkNewUserAttributes(pool: UserPoolType, attributes: readonly Attribute[]): Attribute[] {
  const schema = new Map(pool.SchemaAttributes.map((attribute) => [attribute.Name, attribute]));
  const seen = new Map<string, Attribute>();
  for (const attribute of attributes) {
    const definition = definitionOf(schema, attribute.Name);
    // sub is Cognito's own: "Amazon Cognito assigns a unique user identifier value to each user's sub attribute".
    if (attribute.Name === 'sub') throw schemaError('sub', 'Attribute cannot be updated. (changing an immutable attribute)');
    // Undefined custom attributes are refused; the reason text is a guess.
    if (!definition) throw schemaError(attribute.Name, 'Attribute does not exist in the schema.');
    checkFormat(definition, attribute);
    // Mutable: false only forbids later changes; "you can set its value when you create the user"
    // (user-pool-settings-attributes.html, custom attributes), so nothing to check here.
    seen.set(attribute.Name, attribute);
  }
  for (const definition of pool.SchemaAttributes) {
    if (!definition.Required || definition.Name === 'sub') continue;
    // "When you mark a standard attribute as Required, a user can't register unless they provide a value for it."
    const value = seen.get(definition.Name)?.Value;
    if (value === undefined || value === '') throw schemaError(definition.Name, 'The attribute is required');
  }
  return [...seen.values()];
}

function definitionOf(schema: ReadonlyMap<string, SchemaAttribute>, name: string): SchemaAttribute | undefined {
  // Developer-only attributes are written as dev:custom:<name> with admin credentials
  // (user-pool-settings-attributes.html, custom attributes); writing them as custom:<name> is refused (a guess).
  if (name.startsWith('dev:')) {
    const definition = schema.get(name.slice('dev:'.length));
    return definition?.DeveloperOnlyAttribute ? definition : undefined;
  }
  const definition = schema.get(name);
  return definition?.DeveloperOnlyAttribute ? undefined : definition;
}

function checkFormat(definition: SchemaAttribute, { Name, Value }: Attribute): void {
  // Texts seen in real InvalidParameterException answers for malformed email and phone values.
  if (Name === 'email' && !isEmail(Value)) throw new CognitoError('InvalidParameterException', 'Invalid email address format.');
  if (Name === 'phone_number' && !isPhoneNumber(Value)) throw new CognitoError('InvalidParameterException', 'Invalid phone number format.');
  // Typed values: the texts below are guesses.
  switch (definition.AttributeDataType) {
    case 'Boolean':
      if (Value !== 'true' && Value !== 'false') throw schemaError(Name, 'Attribute value must be true or false');
      break;
    case 'Number':
      if (Value.trim() === '' || !Number.isFinite(Number(Value))) throw schemaError(Name, 'Number expected');
      break;
    case 'String':
    case 'DateTime':
      break;
  }
}
