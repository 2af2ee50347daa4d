// What the service relies on from a Directory, as one suite that runs against every
// implementation: the in-memory fake the unit tests use and the Cognito adapter against moto.
// When the two disagree, the fake is wrong unless moto is demonstrably unlike real Cognito;
// such cases are marked where they are asserted.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Directory, NewUser } from '../../src/provisioning/directory.port.ts';
import { DirectoryError } from '../../src/provisioning/errors.ts';
import { Secret } from '../../src/provisioning/secret.ts';
import { aNewUser } from './builders.ts';

export interface ContractSubject {
  readonly directory: Directory;
  /** An existing pool with a `custom:employee_id` string attribute, as CognitoTestClient.createPool() makes. */
  readonly userPoolId: string;
  readonly cleanup?: () => Promise<void> | void;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** Registers the contract for one implementation; each test gets a fresh directory from `makeDirectory`. */
export function describeDirectoryContract(name: string, makeDirectory: () => Promise<ContractSubject>): void {
  describe(`Directory contract: ${name}`, () => {
    let subject: ContractSubject | undefined;

    beforeEach(async () => {
      subject = await makeDirectory();
    });

    afterEach(async () => {
      const done = subject;
      subject = undefined;
      await done?.cleanup?.();
    });

    function current(): ContractSubject {
      if (subject === undefined) throw new Error('makeDirectory did not complete');
      return subject;
    }

    /** A minimal request for a fresh username. SUPPRESS so that a real pool sends nothing. */
    function newUser(overrides: Partial<NewUser> = {}): NewUser {
      return aNewUser({
        userPoolId: current().userPoolId,
        username: freshUsername(),
        attributes: { email: 'contract@example.com', given_name: 'Contract', 'custom:employee_id': 'E-4711' },
        ...overrides,
      });
    }

    describe('createUser', () => {
      it('returns the new user: username, sub, FORCE_CHANGE_PASSWORD, enabled, every attribute, createdAt', async () => {
        const request = newUser();
        const user = await current().directory.createUser(request);

        expect(user.username).toBe(request.username);
        expect(user.sub).not.toBe('');
        expect(user.attributes['sub']).toBe(user.sub);
        expect(user.userStatus).toBe('FORCE_CHANGE_PASSWORD');
        expect(user.enabled).toBe(true);
        expect(user.attributes).toMatchObject(request.attributes);
        expectIsoDate(user.createdAt);
      });

      it('accepts every AdminCreateUser parameter together', async () => {
        const attributes = {
          email: 'all.params@example.com',
          email_verified: 'true',
          phone_number: '+15555550100',
          phone_number_verified: 'true',
          given_name: 'All',
          'custom:employee_id': 'E-0001',
        };
        const request = newUser({
          attributes,
          validationData: { hr_system: 'workday' },
          clientMetadata: { department: 'finance' },
          temporaryPassword: new Secret('Tmp-Secret-9f2c!Q'),
          forceAliasCreation: true,
          messageAction: 'SUPPRESS',
          desiredDeliveryMediums: ['EMAIL', 'SMS'],
        });

        const user = await current().directory.createUser(request);

        expect(user.username).toBe(request.username);
        expect(user.userStatus).toBe('FORCE_CHANGE_PASSWORD');
        expect(user.attributes).toMatchObject(attributes);
      });

      it('rejects a username already in the pool with UsernameExistsException (permanent)', async () => {
        const { directory } = current();
        const request = newUser();
        await directory.createUser(request);

        const error = await rejectionOf(directory.createUser({ ...request, attributes: { email: 'someone.else@example.com' } }));

        expect(error).toMatchObject({ code: 'UsernameExistsException', kind: 'permanent' });
      });

      it('rejects RESEND for a missing user with UserNotFoundException (permanent)', async () => {
        const error = await rejectionOf(current().directory.createUser(newUser({ messageAction: 'RESEND' })));

        expect(error).toMatchObject({ code: 'UserNotFoundException', kind: 'permanent' });
      });

      it('answers RESEND for an existing user with that user', async () => {
        const { directory } = current();
        const request = newUser();
        await directory.createUser(request);

        const resent = await directory.createUser({ ...request, messageAction: 'RESEND' });

        // Only the username: moto replaces the user on RESEND (new sub, the attributes of the
        // RESEND request), where real Cognito keeps it and only resends the invitation.
        expect(resent.username).toBe(request.username);
      });

      it('rejects a pool that does not exist with ResourceNotFoundException (systemic)', async () => {
        const { directory, userPoolId } = current();

        const error = await rejectionOf(directory.createUser(newUser({ userPoolId: missingPoolLike(userPoolId) })));

        expect(error).toMatchObject({ code: 'ResourceNotFoundException', kind: 'systemic' });
      });
    });

    describe('getUser', () => {
      it('returns the user as createUser returned it', async () => {
        const { directory, userPoolId } = current();
        const created = await directory.createUser(newUser());

        const found = await directory.getUser(userPoolId, created.username);

        expect(found).toBeDefined();
        expect(found?.username).toBe(created.username);
        expect(found?.sub).toBe(created.sub);
        expect(found?.attributes).toEqual(created.attributes);
        expect(found?.createdAt).toBe(created.createdAt);
      });

      it('resolves undefined for a missing user', async () => {
        const { directory, userPoolId } = current();

        await expect(directory.getUser(userPoolId, freshUsername())).resolves.toBeUndefined();
      });

      // True of moto and the fake for a pool created without UsernameConfiguration; NOT a fact
      // about real Cognito, where a pool may be created case-insensitive.
      it('treats usernames as case-sensitive (moto and the fake; real pools may be case-insensitive)', async () => {
        const { directory, userPoolId } = current();
        const created = await directory.createUser(newUser({ username: `Case-${freshUsername()}` }));

        await expect(directory.getUser(userPoolId, created.username.toLowerCase())).resolves.toBeUndefined();
        await expect(directory.getUser(userPoolId, created.username)).resolves.toMatchObject({ username: created.username });
      });
    });

    describe('describePool', () => {
      it('describes the pool as created: case-sensitive, no email or phone as username, its schema with custom:employee_id', async () => {
        const { directory, userPoolId } = current();

        const pool = await directory.describePool(userPoolId);

        expect(pool.userPoolId).toBe(userPoolId);
        // CreateUserPool without UsernameConfiguration: case-sensitive, the documented default.
        expect(pool.caseSensitive).toBe(true);
        expect(pool.usernameAttributes).toEqual([]);
        expect(pool.attributes.get('custom:employee_id')).toMatchObject({ name: 'custom:employee_id', required: false, developerOnly: false, dataType: 'String' });
        // No check of the standard attributes: Cognito lists them all, moto only the schema given
        // at creation, and the service's checks read only what is listed (required, custom:).
        expect(pool.attributes.has('custom:not_in_the_schema')).toBe(false);
      });

      it('rejects a pool that does not exist with ResourceNotFoundException (systemic)', async () => {
        const { directory, userPoolId } = current();

        const error = await rejectionOf(directory.describePool(missingPoolLike(userPoolId)));

        expect(error).toMatchObject({ code: 'ResourceNotFoundException', kind: 'systemic' });
      });
    });
  });
}

function freshUsername(): string {
  return `contract-${randomUUID().slice(0, 8)}`;
}

/** A well-formed pool id (region_suffix) in the same region that no pool has. */
function missingPoolLike(userPoolId: string): string {
  const region = userPoolId.split('_')[0] ?? 'us-east-1';
  return `${region}_Missing${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}

function expectIsoDate(value: string): void {
  expect(value).toMatch(ISO_DATE);
  expect(new Date(value).toISOString()).toBe(value);
  // Not the adapter's fallback for a missing UserCreateDate.
  expect(Date.parse(value)).toBeGreaterThan(0);
}

async function rejectionOf(promise: Promise<unknown>): Promise<DirectoryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(DirectoryError);
    return error as DirectoryError;
  }
  throw new Error('expected the call to be rejected, but it resolved');
}
