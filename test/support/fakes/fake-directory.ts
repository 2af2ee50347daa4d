import type { Directory, DirectoryOperation, DirectoryUser, NewUser, PoolAttribute, PoolConfiguration } from '../../../src/provisioning/directory.port.ts';
import { DirectoryError } from '../../../src/provisioning/errors.ts';

/** A Cognito-style failure for scripting, e.g. `simulatedCognitoError('TooManyRequestsException', 429)`. */
export function simulatedCognitoError(code: string, httpStatus = 400, message = `${code} (simulated)`): DirectoryError {
  return new DirectoryError(code, message, { httpStatus });
}

const STANDARD_ATTRIBUTES = [
  'address', 'birthdate', 'email', 'email_verified', 'family_name', 'gender', 'given_name', 'locale', 'middle_name', 'name',
  'nickname', 'phone_number', 'phone_number_verified', 'picture', 'preferred_username', 'profile', 'updated_at', 'website', 'zoneinfo',
];

export function aPoolAttribute(name: string, about: Partial<Omit<PoolAttribute, 'name'>> = {}): PoolAttribute {
  return { name, required: false, mutable: true, developerOnly: false, dataType: 'String', ...about };
}

/**
 * A pool as DescribeUserPool describes one created with defaults: case-sensitive usernames, no
 * email or phone as username, the standard attributes (sub required) plus `custom:employee_id`,
 * no password policy read. `extraAttributes` add to (or replace) the schema's attributes.
 */
export function aPoolConfiguration(
  userPoolId: string,
  overrides: Partial<Omit<PoolConfiguration, 'userPoolId' | 'attributes'>> & { extraAttributes?: readonly PoolAttribute[] } = {},
): PoolConfiguration {
  const { extraAttributes = [], ...rest } = overrides;
  const attributes = [
    aPoolAttribute('sub', { required: true, mutable: false }),
    ...STANDARD_ATTRIBUTES.map((name) => aPoolAttribute(name, name.endsWith('_verified') ? { dataType: 'Boolean' } : {})),
    aPoolAttribute('custom:employee_id'),
    ...extraAttributes,
  ];
  return {
    userPoolId,
    usernameAttributes: [],
    aliasAttributes: [],
    caseSensitive: true,
    passwordPolicy: undefined,
    ...rest,
    attributes: new Map(attributes.map((attribute) => [attribute.name, attribute])),
  };
}

/**
 * An in-memory user directory that answers AdminCreateUser and AdminGetUser the way Cognito
 * does for the cases the service depends on:
 * - a username already in the pool is UsernameExistsException;
 * - RESEND needs an existing user (UserNotFoundException otherwise) still in FORCE_CHANGE_PASSWORD
 *   (UnsupportedUserStateException otherwise), and answers with that user;
 * - a new user is FORCE_CHANGE_PASSWORD, enabled, with a `sub` among its attributes;
 * - given `pools`, a call for any other pool is ResourceNotFoundException (without, every pool exists).
 * A pool given a configuration (`configurations`) is enforced the way Cognito enforces it:
 * - case-insensitive pools find usernames and email-as-username in any case;
 * - email/phone as username: the username must be one, the user is stored under its sub with the
 *   attribute set to the username, and getUser finds it by sub or by that attribute;
 * - a missing required attribute or an attribute outside the schema is InvalidParameterException;
 * - a temporary password that breaks the policy is InvalidPasswordException.
 * Without a configuration a pool takes anything, case-sensitively, and describePool answers
 * aPoolConfiguration(). Simplified: no aliases (sign-in aliases are not looked up) and no triggers.
 * Failures can be scripted per call with failNext(), and failed invitations with
 * failInvitationNext().
 */
export class FakeDirectory implements Directory {
  /** Every AdminCreateUser request received, exactly as passed in. */
  readonly createRequests: NewUser[] = [];
  /** Every AdminGetUser request received. */
  readonly getRequests: { userPoolId: string; username: string }[] = [];

  /** Every DescribeUserPool request received. */
  readonly describeRequests: string[] = [];

  readonly #users = new Map<string, DirectoryUser>();
  readonly #scripted: Record<DirectoryOperation, Error[]> = { AdminCreateUser: [], AdminGetUser: [], DescribeUserPool: [] };
  readonly #invitationFailures: Error[] = [];
  readonly #now: () => Date;
  readonly #pools: ReadonlySet<string> | undefined;
  readonly #configurations = new Map<string, PoolConfiguration>();
  #subs = 0;

  constructor(options: { now?: () => Date; pools?: Iterable<string>; configurations?: Iterable<PoolConfiguration> } = {}) {
    this.#now = options.now ?? (() => new Date('2025-01-02T03:04:05.000Z'));
    this.#pools = options.pools === undefined ? undefined : new Set(options.pools);
    for (const configuration of options.configurations ?? []) this.#configurations.set(configuration.userPoolId, configuration);
  }

  /** Simulates an operator changing the pool (a new custom attribute, another password policy). */
  configure(configuration: PoolConfiguration): void {
    this.#configurations.set(configuration.userPoolId, configuration);
  }

  /** The next calls of `operation` fail with these errors, one per call, before normal behaviour resumes. */
  failNext(operation: DirectoryOperation, ...errors: Error[]): this {
    this.#scripted[operation].push(...errors);
    return this;
  }

  /**
   * The next AdminCreateUser calls that send an invitation (all but SUPPRESS) store or re-invite
   * the user, then fail with these errors, one per call: Cognito's CodeDeliveryFailureException,
   * which it answers after the user exists.
   */
  failInvitationNext(...errors: Error[]): this {
    this.#invitationFailures.push(...errors);
    return this;
  }

  /** Simulates a user created earlier (by this service or anyone else). */
  seed(userPoolId: string, username: string, attributes: Readonly<Record<string, string>>, userStatus = 'FORCE_CHANGE_PASSWORD'): DirectoryUser {
    const user = this.#store(userPoolId, username, attributes, userStatus);
    return user;
  }

  /** Simulates an operator deleting a user. */
  remove(userPoolId: string, username: string): void {
    const user = this.#find(userPoolId, username);
    if (user !== undefined) this.#users.delete(this.#key(userPoolId, user.username));
  }

  /** The user as getUser would find it: by username, or by email/phone in a pool that signs in with them. */
  user(userPoolId: string, username: string): DirectoryUser | undefined {
    return this.#find(userPoolId, username);
  }

  get userCount(): number {
    return this.#users.size;
  }

  createUser(user: NewUser, signal?: AbortSignal): Promise<DirectoryUser> {
    this.createRequests.push(user);
    return this.#answer('AdminCreateUser', signal, () => {
      this.#requirePool(user.userPoolId);
      const existing = this.#find(user.userPoolId, user.username);
      if (user.messageAction === 'RESEND') {
        if (existing === undefined) throw simulatedCognitoError('UserNotFoundException', 400, 'User does not exist.');
        if (existing.userStatus !== 'FORCE_CHANGE_PASSWORD') {
          throw simulatedCognitoError('UnsupportedUserStateException', 400, `Resend not possible. ${user.username} status is not FORCE_CHANGE_PASSWORD`);
        }
        return existing;
      }
      const configuration = this.#configurations.get(user.userPoolId);
      if (configuration !== undefined) enforce(configuration, user);
      if (existing !== undefined) throw simulatedCognitoError('UsernameExistsException', 400, 'User account already exists');
      return this.#store(user.userPoolId, user.username, user.attributes, 'FORCE_CHANGE_PASSWORD');
    }).then((answer) => this.#invite(user, answer));
  }

  /** Cognito sends the invitation once the user is stored; that alone may fail. */
  #invite(user: NewUser, answer: DirectoryUser): DirectoryUser {
    const failure = user.messageAction === 'SUPPRESS' ? undefined : this.#invitationFailures.shift();
    if (failure !== undefined) throw failure;
    return answer;
  }

  describePool(userPoolId: string, signal?: AbortSignal): Promise<PoolConfiguration> {
    this.describeRequests.push(userPoolId);
    return this.#answer('DescribeUserPool', signal, () => {
      this.#requirePool(userPoolId);
      return this.#configurations.get(userPoolId) ?? aPoolConfiguration(userPoolId);
    });
  }

  getUser(userPoolId: string, username: string, signal?: AbortSignal): Promise<DirectoryUser | undefined> {
    this.getRequests.push({ userPoolId, username });
    return this.#answer('AdminGetUser', signal, () => {
      this.#requirePool(userPoolId);
      return this.#find(userPoolId, username);
    });
  }

  #store(userPoolId: string, username: string, attributes: Readonly<Record<string, string>>, userStatus: string): DirectoryUser {
    const signInWith = this.#configurations.get(userPoolId)?.usernameAttributes ?? [];
    const attribute = signInWith.find((name) => (name === 'email' ? username.includes('@') : username.startsWith('+')));
    const user = attribute === undefined
      ? this.#newUser(username, attributes, userStatus)
      : this.#newUser(undefined, { ...attributes, [attribute]: attributes[attribute] ?? username }, userStatus);
    this.#users.set(this.#key(userPoolId, user.username), user);
    return user;
  }

  #find(userPoolId: string, username: string): DirectoryUser | undefined {
    const direct = this.#users.get(this.#key(userPoolId, username));
    if (direct !== undefined) return direct;
    const configuration = this.#configurations.get(userPoolId);
    if (configuration === undefined || configuration.usernameAttributes.length === 0) return undefined;
    const fold = (value: string) => (configuration.caseSensitive ? value : value.toLowerCase());
    const prefix = `${userPoolId}\u0000`;
    for (const [stored, user] of this.#users) {
      if (!stored.startsWith(prefix)) continue;
      if (configuration.usernameAttributes.some((name) => user.attributes[name] !== undefined && fold(user.attributes[name]) === fold(username))) return user;
    }
    return undefined;
  }

  /** Case-insensitive pools keep one user per folded username. */
  #key(userPoolId: string, username: string): string {
    const caseSensitive = this.#configurations.get(userPoolId)?.caseSensitive ?? true;
    return `${userPoolId}\u0000${caseSensitive ? username : username.toLowerCase()}`;
  }

  #requirePool(userPoolId: string): void {
    if (this.#pools !== undefined && !this.#pools.has(userPoolId)) {
      throw simulatedCognitoError('ResourceNotFoundException', 400, `User pool ${userPoolId} does not exist.`);
    }
  }

  async #answer<T>(operation: DirectoryOperation, signal: AbortSignal | undefined, behave: () => T): Promise<T> {
    await Promise.resolve();
    signal?.throwIfAborted();
    const failure = this.#scripted[operation].shift();
    if (failure !== undefined) throw failure;
    return behave();
  }

  /** Without a username, the user is named by its sub (email or phone as username). */
  #newUser(username: string | undefined, attributes: Readonly<Record<string, string>>, userStatus: string): DirectoryUser {
    this.#subs++;
    const sub = `00000000-0000-4000-8000-${String(this.#subs).padStart(12, '0')}`;
    const createdAt = this.#now().toISOString();
    return { username: username ?? sub, sub, userStatus, enabled: true, attributes: { ...attributes, sub }, createdAt, lastModifiedAt: createdAt };
  }
}

const SYMBOL = /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/;

/** What Cognito refuses of AdminCreateUser given the pool's configuration (messages as Cognito words them). */
function enforce(configuration: PoolConfiguration, user: NewUser): void {
  const signInWith = configuration.usernameAttributes;
  if (signInWith.length > 0) {
    const isEmail = /^[^@\s]+@[^@\s]+$/.test(user.username);
    const isPhone = /^\+[0-9]{4,15}$/.test(user.username);
    if (!((signInWith.includes('email') && isEmail) || (signInWith.includes('phone_number') && isPhone))) {
      throw simulatedCognitoError('InvalidParameterException', 400, `Username should be ${signInWith.includes('email') ? 'an email' : 'a phone number'}.`);
    }
  }
  for (const name of Object.keys(user.attributes)) {
    if (!configuration.attributes.has(name)) {
      throw simulatedCognitoError('InvalidParameterException', 400, `Attributes did not conform to the schema: Type for attribute {${name}} could not be determined`);
    }
  }
  for (const attribute of configuration.attributes.values()) {
    const fromUsername = signInWith.includes(attribute.name as 'email' | 'phone_number');
    if (attribute.required && attribute.name !== 'sub' && user.attributes[attribute.name] === undefined && !fromUsername) {
      throw simulatedCognitoError('InvalidParameterException', 400, `Attributes did not conform to the schema: ${attribute.name}: The attribute ${attribute.name} is required`);
    }
  }
  const policy = configuration.passwordPolicy;
  const password = user.temporaryPassword?.reveal();
  if (policy !== undefined && password !== undefined) {
    const broken = Array.from(password).length < policy.minimumLength
      || (policy.requireUppercase && !/[A-Z]/.test(password))
      || (policy.requireLowercase && !/[a-z]/.test(password))
      || (policy.requireNumbers && !/[0-9]/.test(password))
      || (policy.requireSymbols && !SYMBOL.test(password));
    if (broken) throw simulatedCognitoError('InvalidPasswordException', 400, 'Password does not conform to policy');
  }
}
