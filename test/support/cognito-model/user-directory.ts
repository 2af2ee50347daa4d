// One pool's users and the names they can be found by: username, sign-in aliases, sub.
import type { Attribute } from './attributes.ts';
import type { AliasAttribute, UserPoolType } from './pool-config.ts';

export interface StoredUser {
  /** The sub in pools with UsernameAttributes. */
  readonly username: string;
  readonly sub: string;
  attributes: Attribute[];
  /** Epoch seconds, as Cognito's JSON protocol sends dates. */
  readonly createdAt: number;
}

const VERIFIED_FLAG: Partial<Record<AliasAttribute, string>> = { email: 'email_verified', phone_number: 'phone_number_verified' };

export class UserDirectory {
  readonly #pool: UserPoolType;
  readonly #byUsername = new Map<string, StoredUser>();
  readonly #bySub = new Map<string, StoredUser>();
  readonly #byAlias = new Map<string, StoredUser>();

  constructor(pool: UserPoolType) {
    this.#pool = pool;
  }

  get size(): number {
    return this.#byUsername.size;
  }

  /**
   * AdminGetUser's Username "can be any of their alias attributes", or the sub
   * (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_AdminGetUser.html).
   */
  find(name: string): StoredUser | undefined {
    const byUsername = this.#byUsername.get(this.#fold(name));
    if (byUsername) return byUsername;
    for (const attribute of this.#signInAttributes()) {
      const owner = this.aliasOwner(attribute, name);
      if (owner) return owner;
    }
    return this.#bySub.get(name);
  }

  findByUsername(username: string): StoredUser | undefined {
    return this.#byUsername.get(this.#fold(username));
  }

  aliasOwner(attribute: AliasAttribute, value: string): StoredUser | undefined {
    return this.#byAlias.get(this.#aliasKey(attribute, value));
  }

  /** The sign-in names this user's attributes give it (a verified email or phone, a preferred_username). */
  aliasesOf(attributes: readonly Attribute[]): { attribute: AliasAttribute; value: string }[] {
    const value = (name: string) => attributes.find((a) => a.Name === name)?.Value;
    return this.#signInAttributes().flatMap((attribute) => {
      const given = value(attribute);
      if (given === undefined) return [];
      // Alias pools: email and phone become sign-in names once verified; username-attribute pools: always.
      const flag = VERIFIED_FLAG[attribute];
      const needsVerification = this.#pool.AliasAttributes !== undefined && flag !== undefined;
      return needsVerification && value(flag) !== 'true' ? [] : [{ attribute, value: given }];
    });
  }

  add(user: StoredUser): void {
    this.#byUsername.set(this.#fold(user.username), user);
    this.#bySub.set(user.sub, user);
    for (const { attribute, value } of this.aliasesOf(user.attributes)) this.#byAlias.set(this.#aliasKey(attribute, value), user);
  }

  /** An admin's edit (AdminUpdateUserAttributes): the given attributes replace or join the user's, its sign-in names follow. */
  edit(user: StoredUser, changes: readonly Attribute[]): void {
    for (const { attribute, value } of this.aliasesOf(user.attributes)) {
      if (this.aliasOwner(attribute, value) === user) this.#byAlias.delete(this.#aliasKey(attribute, value));
    }
    const changed = new Set(changes.map((a) => a.Name));
    user.attributes = [...user.attributes.filter((a) => !changed.has(a.Name)), ...changes];
    for (const { attribute, value } of this.aliasesOf(user.attributes)) this.#byAlias.set(this.#aliasKey(attribute, value), user);
  }

  /** ForceAliasCreation: the previous owner keeps the attribute but no longer signs in with it. */
  takeAlias(attribute: AliasAttribute, value: string, from: StoredUser): void {
    this.#byAlias.delete(this.#aliasKey(attribute, value));
    const flag = VERIFIED_FLAG[attribute];
    // AWS says only that the previous user can no longer sign in with it; unverifying it is our guess.
    if (flag) from.attributes = from.attributes.map((a) => (a.Name === flag ? { Name: flag, Value: 'false' } : a));
  }

  #signInAttributes(): readonly AliasAttribute[] {
    return this.#pool.UsernameAttributes ?? this.#pool.AliasAttributes ?? [];
  }

  // CaseSensitive false "also enables both preferred_username and email alias to be case insensitive"
  // (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html).
  #fold(name: string): string {
    return this.#pool.UsernameConfiguration.CaseSensitive ? name : name.toLowerCase();
  }

  #aliasKey(attribute: AliasAttribute, value: string): string {
    return `${attribute}\u0000${attribute === 'phone_number' ? value : this.#fold(value)}`;
  }
}
