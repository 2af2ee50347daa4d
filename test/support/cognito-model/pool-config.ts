// A user pool's configuration, spelled as DescribeUserPool's UserPoolType spells it (the fields the
// service reads), and the faults a test scripts per pool.
// https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolType.html
import { CognitoError } from './errors.ts';

export type UsernameAttribute = 'email' | 'phone_number';
export type AliasAttribute = 'email' | 'phone_number' | 'preferred_username';

export interface SchemaAttribute {
  /** Custom attributes carry the `custom:` prefix here, as DescribeUserPool lists them. */
  readonly Name: string;
  readonly AttributeDataType: 'String' | 'Number' | 'DateTime' | 'Boolean';
  readonly Mutable: boolean;
  readonly Required: boolean;
  readonly DeveloperOnlyAttribute: boolean;
}

export interface PasswordPolicy {
  readonly MinimumLength: number;
  readonly RequireUppercase: boolean;
  readonly RequireLowercase: boolean;
  readonly RequireNumbers: boolean;
  readonly RequireSymbols: boolean;
  readonly TemporaryPasswordValidityDays: number;
}

export interface UserPoolType {
  readonly Id: string;
  readonly Name: string;
  readonly Arn: string;
  /** Email or phone as the username: the stored username is the user's sub. */
  readonly UsernameAttributes?: readonly UsernameAttribute[];
  /** Extra sign-in names; exclusive with UsernameAttributes. */
  readonly AliasAttributes?: readonly AliasAttribute[];
  readonly UsernameConfiguration: { readonly CaseSensitive: boolean };
  readonly SchemaAttributes: readonly SchemaAttribute[];
  readonly Policies: { readonly PasswordPolicy: PasswordPolicy };
  readonly EmailConfiguration: { readonly EmailSendingAccount: 'COGNITO_DEFAULT' | 'DEVELOPER' };
  /** Trigger name to function ARN; the model only needs to know which triggers are set. */
  readonly LambdaConfig: Readonly<Partial<Record<'PreSignUp' | 'CustomMessage' | 'PostConfirmation', string>>>;
}

/** What a test passes to define a pool: everything but the id may be left to Cognito's defaults. */
export interface PoolDefinition {
  readonly Id?: string;
  readonly Name?: string;
  readonly UsernameAttributes?: readonly UsernameAttribute[];
  readonly AliasAttributes?: readonly AliasAttribute[];
  readonly UsernameConfiguration?: { readonly CaseSensitive?: boolean };
  /** Added to the standard attributes; a standard one listed here replaces its default (e.g. Required). */
  readonly SchemaAttributes?: readonly (Pick<SchemaAttribute, 'Name'> & Partial<SchemaAttribute>)[];
  readonly Policies?: { readonly PasswordPolicy?: Partial<PasswordPolicy> };
  readonly EmailConfiguration?: { readonly EmailSendingAccount?: 'COGNITO_DEFAULT' | 'DEVELOPER' };
  readonly LambdaConfig?: UserPoolType['LambdaConfig'];
}

/** How the pre sign-up trigger answers. */
export type TriggerAnswer =
  /** The function threw: UserLambdaValidationException carrying its message. */
  | { readonly kind: 'rejects'; readonly message: string }
  /** Cognito could not invoke it (permission, timeout, throttling): UnexpectedLambdaException. */
  | { readonly kind: 'fails'; readonly error?: string }
  /** It returned something Cognito cannot read: InvalidLambdaResponseException. */
  | { readonly kind: 'invalid-response' };

export interface PoolFaults {
  /** Applies to AdminCreateUser while the pool has a PreSignUp trigger. */
  readonly preSignUp?: TriggerAnswer;
  /** The invitation cannot be delivered: the user is created, the call fails. */
  readonly deliveryFails?: boolean;
  /** Emails Cognito's default account sends a day for this pool; AWS's default quota is 50. */
  readonly dailyEmailCap?: number;
  /** Operations the caller's IAM policy denies on this pool. */
  readonly deniedOperations?: readonly string[];
}

// Default 50 emails a day with COGNITO_DEFAULT:
// https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html (resource quotas) and
// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-email.html#user-pool-email-default
export const DEFAULT_DAILY_EMAIL_CAP = 50;

// The OIDC standard attributes every pool has; only sub is required by default.
// https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#cognito-user-pools-standard-attributes
const STANDARD_ATTRIBUTES = [
  'address', 'birthdate', 'email', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name',
  'nickname', 'phone_number', 'picture', 'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
] as const;
// Verification flags are listed in DescribeUserPool's schema as Boolean attributes.
const BOOLEAN_STANDARD_ATTRIBUTES = ['email_verified', 'phone_number_verified'] as const;

// Defaults of CreateUserPool when a field is omitted: CaseSensitive true through the API
// (API_UsernameConfigurationType.html), password 8 characters with all four classes and 7 days
// (https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-policies.html).
const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
};

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

export function userPoolType(definition: PoolDefinition, generatedId: string): UserPoolType {
  const id = definition.Id ?? generatedId;
  if (definition.UsernameAttributes?.length && definition.AliasAttributes?.length) {
    // CreateUserPool refuses both (the answer's text is a guess): https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html#user-pool-settings-aliases
    throw new CognitoError('InvalidParameterException', 'A pool has UsernameAttributes or AliasAttributes, not both.');
  }
  return {
    Id: id,
    Name: definition.Name ?? id,
    Arn: `arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${id}`,
    ...(definition.UsernameAttributes?.length ? { UsernameAttributes: [...definition.UsernameAttributes] } : {}),
    ...(definition.AliasAttributes?.length ? { AliasAttributes: [...definition.AliasAttributes] } : {}),
    UsernameConfiguration: { CaseSensitive: definition.UsernameConfiguration?.CaseSensitive ?? true },
    SchemaAttributes: schemaOf(definition.SchemaAttributes ?? []),
    Policies: { PasswordPolicy: { ...DEFAULT_PASSWORD_POLICY, ...definition.Policies?.PasswordPolicy } },
    EmailConfiguration: { EmailSendingAccount: definition.EmailConfiguration?.EmailSendingAccount ?? 'COGNITO_DEFAULT' },
    LambdaConfig: { ...definition.LambdaConfig },
  };
}

function schemaOf(extra: NonNullable<PoolDefinition['SchemaAttributes']>): SchemaAttribute[] {
  const schema = new Map<string, SchemaAttribute>();
  const add = (attribute: SchemaAttribute) => schema.set(attribute.Name, attribute);
  add({ Name: 'sub', AttributeDataType: 'String', Mutable: false, Required: true, DeveloperOnlyAttribute: false });
  for (const Name of STANDARD_ATTRIBUTES) add({ Name, AttributeDataType: 'String', Mutable: true, Required: false, DeveloperOnlyAttribute: false });
  for (const Name of BOOLEAN_STANDARD_ATTRIBUTES) add({ Name, AttributeDataType: 'Boolean', Mutable: true, Required: false, DeveloperOnlyAttribute: false });
  for (const attribute of extra) {
    const standard = schema.get(attribute.Name);
    // CreateUserPool takes custom names bare and lists them with the prefix.
    const Name = standard ? attribute.Name : attribute.Name.startsWith('custom:') ? attribute.Name : `custom:${attribute.Name}`;
    // "Custom attributes can't be required": user-pool-settings-attributes.html#user-pool-settings-custom-attributes
    if (!standard && attribute.Required) throw new CognitoError('InvalidParameterException', `Custom attribute ${Name} cannot be required.`);
    add({
      Name,
      AttributeDataType: attribute.AttributeDataType ?? standard?.AttributeDataType ?? 'String',
      Mutable: attribute.Mutable ?? true,
      Required: attribute.Required ?? false,
      DeveloperOnlyAttribute: attribute.DeveloperOnlyAttribute ?? false,
    });
  }
  return [...schema.values()];
}
