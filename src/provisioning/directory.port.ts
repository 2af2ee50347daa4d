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
}

export type DirectoryOperation = 'AdminCreateUser' | 'AdminGetUser';
