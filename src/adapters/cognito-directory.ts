import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  type AttributeType,
  type SchemaAttributeType,
  type UserPoolType,
} from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Directory, DirectoryUser, NewUser, PoolAttribute, PoolConfiguration } from '../provisioning/directory.port.ts';
import { DirectoryError } from '../provisioning/errors.ts';

export interface CognitoSettings {
  readonly region: string;
  /** For emulators and tests only. */
  readonly endpoint: string | undefined;
  readonly requestTimeoutMs: number;
}

/**
 * Amazon Cognito as the Directory port: maps the request onto AdminCreateUser / AdminGetUser /
 * DescribeUserPool and
 * every failure onto a DirectoryError. Credentials come only from the SDK's default provider
 * chain (environment, web identity for IRSA, instance metadata...).
 */
export function createCognitoDirectory(settings: CognitoSettings): Directory & { close(): void } {
  const client = new CognitoIdentityProviderClient({
    region: settings.region,
    ...(settings.endpoint !== undefined ? { endpoint: settings.endpoint } : {}),
    // Retry lives in one place, the service's own policy: the SDK makes single attempts.
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: Math.min(3_000, settings.requestTimeoutMs),
      requestTimeout: settings.requestTimeoutMs,
      throwOnRequestTimeout: true,
    }),
  });

  return {
    async createUser(user: NewUser, signal?: AbortSignal): Promise<DirectoryUser> {
      const command = new AdminCreateUserCommand({
        UserPoolId: user.userPoolId,
        Username: user.username,
        UserAttributes: toAttributeList(user.attributes),
        ValidationData: toAttributeList(user.validationData),
        ClientMetadata: nonEmpty(user.clientMetadata),
        TemporaryPassword: user.temporaryPassword?.reveal(),
        ForceAliasCreation: user.forceAliasCreation,
        MessageAction: user.messageAction,
        DesiredDeliveryMediums: user.desiredDeliveryMediums ? [...user.desiredDeliveryMediums] : undefined,
      });
      const response = await send(() => client.send(command, options(signal)));
      if (!response.User) throw new DirectoryError('InternalErrorException', 'AdminCreateUser answered without a User');
      const { User } = response;
      return toDirectoryUser(User.Username ?? user.username, User.Attributes, User);
    },

    async getUser(userPoolId: string, username: string, signal?: AbortSignal): Promise<DirectoryUser | undefined> {
      try {
        const response = await send(() => client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }), options(signal)));
        return toDirectoryUser(response.Username ?? username, response.UserAttributes, response);
      } catch (error) {
        if (error instanceof DirectoryError && error.code === 'UserNotFoundException') return undefined;
        throw error;
      }
    },

    async describePool(userPoolId: string, signal?: AbortSignal): Promise<PoolConfiguration> {
      const response = await send(() => client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }), options(signal)));
      if (!response.UserPool) throw new DirectoryError('InternalErrorException', 'DescribeUserPool answered without a UserPool');
      return toPoolConfiguration(userPoolId, response.UserPool);
    },

    close(): void {
      client.destroy();
    },
  };
}

function options(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal ? { abortSignal: signal } : {};
}

async function send<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toDirectoryError(error);
  }
}

/** SDK exceptions keep their name; network and timeout failures get one of their own. */
function toDirectoryError(error: unknown): DirectoryError {
  if (!(error instanceof Error)) return new DirectoryError('NetworkError', String(error));
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const httpStatus = metadata?.httpStatusCode;
  const code = (error as { code?: string }).code;
  if (error.name === 'AbortError') return new DirectoryError('AbortError', 'the call was aborted', { cause: error });
  if (httpStatus === undefined && error.name !== 'CredentialsProviderError' && (code !== undefined || error.name === 'TimeoutError')) {
    return new DirectoryError(error.name === 'TimeoutError' ? 'TimeoutError' : 'NetworkError', `${code ?? error.name}: ${error.message}`, { cause: error });
  }
  // A non-JSON answer (a 502/503 from a proxy) leaves the SDK with a generic name.
  const name = error.name === 'Error' || error.name === 'UnknownError' ? `Http${httpStatus ?? 'Error'}` : error.name;
  return new DirectoryError(name, error.message, { httpStatus, cause: error });
}

function toAttributeList(pairs: Readonly<Record<string, string>>): AttributeType[] | undefined {
  const list = Object.entries(pairs).map(([Name, Value]) => ({ Name, Value }));
  return list.length > 0 ? list : undefined;
}

function nonEmpty(map: Readonly<Record<string, string>>): Record<string, string> | undefined {
  return Object.keys(map).length > 0 ? { ...map } : undefined;
}

function toDirectoryUser(
  username: string,
  attributeList: AttributeType[] | undefined,
  user: { UserCreateDate?: Date | undefined; UserLastModifiedDate?: Date | undefined; UserStatus?: string | undefined; Enabled?: boolean | undefined },
): DirectoryUser {
  const attributes: Record<string, string> = {};
  for (const { Name, Value } of attributeList ?? []) {
    if (Name !== undefined) attributes[Name] = Value ?? '';
  }
  return {
    username,
    sub: attributes['sub'] ?? '',
    userStatus: user.UserStatus ?? 'UNKNOWN',
    enabled: user.Enabled ?? true,
    attributes,
    createdAt: (user.UserCreateDate ?? new Date(0)).toISOString(),
    lastModifiedAt: user.UserLastModifiedDate?.toISOString(),
  };
}

/** DescribeUserPool's answer, reduced to what the request checks use. */
function toPoolConfiguration(userPoolId: string, pool: UserPoolType): PoolConfiguration {
  const policy = pool.Policies?.PasswordPolicy;
  return {
    userPoolId,
    usernameAttributes: [...(pool.UsernameAttributes ?? [])],
    aliasAttributes: [...(pool.AliasAttributes ?? [])],
    // Absent means case-sensitive: "true ... This is the default value" (UsernameConfigurationType,
    // https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html).
    caseSensitive: pool.UsernameConfiguration?.CaseSensitive ?? true,
    attributes: new Map((pool.SchemaAttributes ?? []).flatMap(toPoolAttribute).map((attribute) => [attribute.name, attribute])),
    passwordPolicy: policy === undefined ? undefined : {
      minimumLength: policy.MinimumLength ?? 8,
      requireUppercase: policy.RequireUppercase ?? false,
      requireLowercase: policy.RequireLowercase ?? false,
      requireNumbers: policy.RequireNumbers ?? false,
      requireSymbols: policy.RequireSymbols ?? false,
    },
  };
}

function toPoolAttribute(schema: SchemaAttributeType): PoolAttribute[] {
  if (schema.Name === undefined) return [];
  // DescribeUserPool names a developer-only attribute dev:<name>; AdminCreateUser writes it as dev:custom:<name>.
  const name = schema.DeveloperOnlyAttribute === true && schema.Name.startsWith('dev:') && !schema.Name.startsWith('dev:custom:')
    ? `dev:custom:${schema.Name.slice('dev:'.length)}`
    : schema.Name;
  return [{
    name,
    required: schema.Required ?? false,
    mutable: schema.Mutable ?? true,
    developerOnly: schema.DeveloperOnlyAttribute ?? false,
    dataType: schema.AttributeDataType,
  }];
}
