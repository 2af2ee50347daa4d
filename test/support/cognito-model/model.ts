// An in-memory Cognito user pools service, stricter than moto: pools, users and the rules of
// AdminCreateUser, AdminGetUser, DescribeUserPool and CreateUserPool. No HTTP here (see http-front.ts).
import { randomBytes } from 'node:crypto';
import { adminCreateUser } from './admin-create-user.ts';
import { CognitoError } from './errors.ts';
import { userPoolType, type PoolDefinition, type PoolFaults, type UserPoolType } from './pool-config.ts';
import { PoolState } from './pool-state.ts';
import { requiredString, username } from './request-fields.ts';
import type { StoredUser } from './user-directory.ts';

export type Operation = 'AdminCreateUser' | 'AdminGetUser' | 'DescribeUserPool' | 'CreateUserPool';
export const OPERATIONS: readonly Operation[] = ['AdminCreateUser', 'AdminGetUser', 'DescribeUserPool', 'CreateUserPool'];

/** What became of a call that succeeded. */
export type CallResult = 'created' | 'resent' | 'found' | 'described' | 'pool-created';

export interface Answer {
  readonly result: CallResult;
  readonly answer: unknown;
}

// The principal named in AccessDeniedException texts; any fixed one will do for tests.
const CALLER = 'arn:aws:sts::123456789012:assumed-role/user-provisioner/session';

export class CognitoModel {
  readonly #pools = new Map<string, PoolState>();

  /** Defines a pool (see PoolDefinition for the defaults) and returns it as DescribeUserPool would. */
  createPool(definition: PoolDefinition = {}, faults: PoolFaults = {}, at = Date.now()): UserPoolType {
    // Pool ids look like us-east-1_AbCdEf123.
    const config = userPoolType(definition, `us-east-1_${randomBytes(6).toString('base64url').replace(/[-_]/g, 'x')}`);
    if (this.#pools.has(config.Id)) throw new Error(`pool ${config.Id} exists already`);
    const pool = new PoolState(config, at / 1000);
    pool.faults = faults;
    this.#pools.set(config.Id, pool);
    return config;
  }

  /** Replaces the pool's scripted faults; `{}` clears them. */
  setFaults(poolId: string, faults: PoolFaults): void {
    this.#pool(poolId).faults = faults;
  }

  /** The user a sign-in name (username, alias or sub) finds, as AdminGetUser would. */
  user(poolId: string, name: string): StoredUser | undefined {
    return this.#pool(poolId).users.find(name);
  }

  /** Stands for an admin's (or the user's own) edit, e.g. `email_verified` set once they verified their email. */
  editUser(poolId: string, name: string, changes: Readonly<Record<string, string>>): void {
    const pool = this.#pool(poolId);
    const user = pool.users.find(name);
    if (!user) throw new Error(`no user ${name} in ${poolId}`);
    pool.users.edit(user, Object.entries(changes).map(([Name, Value]) => ({ Name, Value })));
  }

  userCount(poolId?: string): number {
    const pools = poolId === undefined ? [...this.#pools.values()] : [this.#pools.get(poolId)].filter((p) => p !== undefined);
    return pools.reduce((sum, pool) => sum + pool.users.size, 0);
  }

  /** Applies one call at `at` (epoch ms) or throws the CognitoError Cognito would answer. */
  call(operation: string, body: Readonly<Record<string, unknown>>, at = Date.now()): Answer {
    switch (operation) {
      case 'CreateUserPool':
        return { result: 'pool-created', answer: { UserPool: this.#describe(this.#pools.get(this.createPool(fromCreateUserPool(body), {}, at).Id)) } };
      case 'DescribeUserPool':
        return { result: 'described', answer: { UserPool: this.#describe(this.#authorizedPool(operation, body)) } };
      case 'AdminCreateUser': {
        const { result, user } = adminCreateUser(this.#authorizedPool(operation, body), body, at);
        return { result, answer: { User: userType(user, 'Attributes') } };
      }
      case 'AdminGetUser': {
        const user = this.#authorizedPool(operation, body).users.find(username(body));
        if (!user) throw new CognitoError('UserNotFoundException', 'User does not exist.');
        return { result: 'found', answer: userType(user, 'UserAttributes') };
      }
      default:
        throw new CognitoError('UnknownOperationException', `Unknown operation ${operation}`);
    }
  }

  #authorizedPool(operation: Operation, body: Readonly<Record<string, unknown>>): PoolState {
    const id = requiredString(body, 'UserPoolId');
    const pool = this.#pools.get(id);
    // IAM decides before the service looks at the request, so a denied call learns nothing about the pool.
    // Text in IAM's documented form: https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html
    if (pool?.faults.deniedOperations?.includes(operation)) {
      throw new CognitoError(
        'AccessDeniedException',
        `User: ${CALLER} is not authorized to perform: cognito-idp:${operation} on resource: ${pool.config.Arn} because no identity-based policy allows the cognito-idp:${operation} action`,
      );
    }
    // Text as moto and real pools answer it.
    if (!pool) throw new CognitoError('ResourceNotFoundException', `User pool ${id} does not exist.`);
    return pool;
  }

  #pool(poolId: string): PoolState {
    const pool = this.#pools.get(poolId);
    if (!pool) throw new Error(`no pool ${poolId}`);
    return pool;
  }

  #describe(pool: PoolState | undefined): Record<string, unknown> {
    if (!pool) throw new Error('the pool just created is missing');
    return { ...pool.config, EstimatedNumberOfUsers: pool.users.size, CreationDate: pool.createdAt, LastModifiedDate: pool.createdAt };
  }
}

/** CreateUserPool's request spells the schema `Schema`; the rest reads as UserPoolType does. */
function fromCreateUserPool(body: Readonly<Record<string, unknown>>): PoolDefinition {
  const Name = requiredString(body, 'PoolName');
  // Cognito picks the id; the other members are read as given (the SDK has already typed them).
  const { Schema, Id: _id, ...rest } = body as PoolDefinition & { Schema?: PoolDefinition['SchemaAttributes'] };
  return { ...rest, Name, ...(Schema ? { SchemaAttributes: Schema } : {}) };
}

/** Cognito's UserType; AdminGetUser names the attribute list UserAttributes. */
function userType(user: StoredUser, attributesKey: 'Attributes' | 'UserAttributes'): Record<string, unknown> {
  return {
    Username: user.username,
    [attributesKey]: [{ Name: 'sub', Value: user.sub }, ...user.attributes],
    UserCreateDate: user.createdAt,
    UserLastModifiedDate: user.createdAt,
    Enabled: true,
    UserStatus: 'FORCE_CHANGE_PASSWORD',
    MFAOptions: [],
  };
}
