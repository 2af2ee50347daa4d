import type { Directory, DirectoryOperation, DirectoryUser, NewUser } from '../../../src/provisioning/directory.port.ts';
import { DirectoryError } from '../../../src/provisioning/errors.ts';

/** A Cognito-style failure for scripting, e.g. `simulatedCognitoError('TooManyRequestsException', 429)`. */
export function simulatedCognitoError(code: string, httpStatus = 400, message = `${code} (simulated)`): DirectoryError {
  return new DirectoryError(code, message, { httpStatus });
}

/**
 * An in-memory user directory that answers AdminCreateUser and AdminGetUser the way Cognito
 * does for the cases the service depends on:
 * - a username already in the pool is UsernameExistsException;
 * - RESEND needs an existing user (UserNotFoundException otherwise) still in FORCE_CHANGE_PASSWORD
 *   (UnsupportedUserStateException otherwise), and answers with that user;
 * - a new user is FORCE_CHANGE_PASSWORD, enabled, with a `sub` among its attributes;
 * - given `pools`, a call for any other pool is ResourceNotFoundException (without, every pool exists).
 * Simplified: usernames are case-sensitive and there are no aliases, triggers or password policy.
 * Failures can be scripted per call with failNext(), and failed invitations with
 * failInvitationNext().
 */
export class FakeDirectory implements Directory {
  /** Every AdminCreateUser request received, exactly as passed in. */
  readonly createRequests: NewUser[] = [];
  /** Every AdminGetUser request received. */
  readonly getRequests: { userPoolId: string; username: string }[] = [];

  readonly #users = new Map<string, DirectoryUser>();
  readonly #scripted: Record<DirectoryOperation, Error[]> = { AdminCreateUser: [], AdminGetUser: [] };
  readonly #invitationFailures: Error[] = [];
  readonly #now: () => Date;
  readonly #pools: ReadonlySet<string> | undefined;
  #subs = 0;

  constructor(options: { now?: () => Date; pools?: Iterable<string> } = {}) {
    this.#now = options.now ?? (() => new Date('2025-01-02T03:04:05.000Z'));
    this.#pools = options.pools === undefined ? undefined : new Set(options.pools);
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
    const user = this.#newUser(username, attributes, userStatus);
    this.#users.set(key(userPoolId, username), user);
    return user;
  }

  /** Simulates an operator deleting a user. */
  remove(userPoolId: string, username: string): void {
    this.#users.delete(key(userPoolId, username));
  }

  user(userPoolId: string, username: string): DirectoryUser | undefined {
    return this.#users.get(key(userPoolId, username));
  }

  get userCount(): number {
    return this.#users.size;
  }

  createUser(user: NewUser, signal?: AbortSignal): Promise<DirectoryUser> {
    this.createRequests.push(user);
    return this.#answer('AdminCreateUser', signal, () => {
      this.#requirePool(user.userPoolId);
      const existing = this.#users.get(key(user.userPoolId, user.username));
      if (user.messageAction === 'RESEND') {
        if (existing === undefined) throw simulatedCognitoError('UserNotFoundException', 400, 'User does not exist.');
        if (existing.userStatus !== 'FORCE_CHANGE_PASSWORD') {
          throw simulatedCognitoError('UnsupportedUserStateException', 400, `Resend not possible. ${user.username} status is not FORCE_CHANGE_PASSWORD`);
        }
        return existing;
      }
      if (existing !== undefined) throw simulatedCognitoError('UsernameExistsException', 400, 'User account already exists');
      const created = this.#newUser(user.username, user.attributes, 'FORCE_CHANGE_PASSWORD');
      this.#users.set(key(user.userPoolId, user.username), created);
      return created;
    }).then((answer) => this.#invite(user, answer));
  }

  /** Cognito sends the invitation once the user is stored; that alone may fail. */
  #invite(user: NewUser, answer: DirectoryUser): DirectoryUser {
    const failure = user.messageAction === 'SUPPRESS' ? undefined : this.#invitationFailures.shift();
    if (failure !== undefined) throw failure;
    return answer;
  }

  getUser(userPoolId: string, username: string, signal?: AbortSignal): Promise<DirectoryUser | undefined> {
    this.getRequests.push({ userPoolId, username });
    return this.#answer('AdminGetUser', signal, () => {
      this.#requirePool(userPoolId);
      return this.#users.get(key(userPoolId, username));
    });
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

  #newUser(username: string, attributes: Readonly<Record<string, string>>, userStatus: string): DirectoryUser {
    this.#subs++;
    const sub = `00000000-0000-4000-8000-${String(this.#subs).padStart(12, '0')}`;
    const createdAt = this.#now().toISOString();
    return { username, sub, userStatus, enabled: true, attributes: { ...attributes, sub }, createdAt, lastModifiedAt: createdAt };
  }
}

function key(userPoolId: string, username: string): string {
  return `${userPoolId}\u0000${username}`;
}
