import type { DeliveryMedium, MessageAction } from './request.ts';
import type { Secret } from './secret.ts';

/** The AdminCreateUser parameters, pool resolved. */
export interface NewUser {
  readonly userPoolId: string;
  readonly username: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly validationData: Readonly<Record<string, string>>;
  readonly clientMetadata: Readonly<Record<string, string>>;
  readonly temporaryPassword: Secret | undefined;
  readonly forceAliasCreation: boolean | undefined;
  readonly messageAction: MessageAction | undefined;
  readonly desiredDeliveryMediums: readonly DeliveryMedium[] | undefined;
}

/** A user as the directory holds it. */
export interface DirectoryUser {
  readonly username: string;
  readonly sub: string;
  readonly userStatus: string;
  readonly enabled: boolean;
  readonly attributes: Readonly<Record<string, string>>;
  readonly createdAt: string;
  readonly lastModifiedAt: string | undefined;
}

/**
 * The user directory (Amazon Cognito). Failures are thrown as DirectoryError,
 * classified by ./errors.ts.
 */
export interface Directory {
  createUser(user: NewUser, signal?: AbortSignal): Promise<DirectoryUser>;
  /** Resolves undefined when the pool has no such user. */
  getUser(userPoolId: string, username: string, signal?: AbortSignal): Promise<DirectoryUser | undefined>;
  /** What the request checks need to know of a pool (DescribeUserPool). */
  describePool(userPoolId: string, signal?: AbortSignal): Promise<PoolConfiguration>;
}

export type DirectoryOperation = 'AdminCreateUser' | 'AdminGetUser' | 'DescribeUserPool';

/** An attribute of the pool's schema, named as AdminCreateUser takes it (`custom:` included). */
export interface PoolAttribute {
  readonly name: string;
  readonly required: boolean;
  readonly mutable: boolean;
  /** Written only as `dev:custom:<name>`, by administrators. */
  readonly developerOnly: boolean;
  /** String, Number, DateTime or Boolean; undefined when Cognito did not say. */
  readonly dataType: string | undefined;
}

export interface PasswordPolicy {
  readonly minimumLength: number;
  readonly requireUppercase: boolean;
  readonly requireLowercase: boolean;
  readonly requireNumbers: boolean;
  readonly requireSymbols: boolean;
}

/** A user pool's configuration, as far as the checks before AdminCreateUser need it. */
export interface PoolConfiguration {
  readonly userPoolId: string;
  /**
   * Email and/or phone number in place of a username: Cognito then takes the username the
   * request names only as that attribute and stores the user under a generated name (the sub).
   */
  readonly usernameAttributes: readonly ('email' | 'phone_number')[];
  /** Attributes users may also sign in with (email, phone_number, preferred_username). */
  readonly aliasAttributes: readonly string[];
  /** False: the username, email and preferred_username match in any case. */
  readonly caseSensitive: boolean;
  /** Every attribute of the schema, by name. */
  readonly attributes: ReadonlyMap<string, PoolAttribute>;
  readonly passwordPolicy: PasswordPolicy | undefined;
}
