import { checkAgainstPool } from './check-against-pool.ts';
import { checkRequest } from './check-request.ts';
import type { CallBudget, DirectoryCalls } from './directory-calls.port.ts';
import type { Directory, DirectoryUser, NewUser } from './directory.port.ts';
import { DirectoryError, SystemicError } from './errors.ts';
import type { Outcome } from './outcome.ts';
import type { PoolConfigurationSource } from './pool-configurations.ts';
import type { ProvisionRequest, Violation } from './request.ts';

export interface PoolPolicy {
  readonly defaultUserPoolId: string | undefined;
  readonly allowedUserPoolIds: ReadonlySet<string>;
}

export interface ProvisioningPorts {
  readonly directory: Directory;
  readonly calls: DirectoryCalls;
  readonly pools: PoolPolicy;
  /** The pools' configurations; without, or while one is unknown, the static checks alone apply. */
  readonly configurations?: PoolConfigurationSource;
  /** A custom attribute that records the id of the request that created the user (PROVENANCE_ATTRIBUTE). */
  readonly provenanceAttribute?: string | undefined;
  /** The trace context of the directory call under way (its span), when calls are traced. */
  readonly callTraceparent?: () => string | undefined;
  readonly now?: () => number;
}

/**
 * Turns one request into a user, or says precisely why not. Expected failures come back as
 * outcomes; a SystemicError (the deployment is broken) and bugs are thrown. `signal` hands the
 * request back unfinished (shutdown, a revoked partition): it rejects with the signal's reason.
 */
export async function provisionUser(request: ProvisionRequest, ports: ProvisioningPorts, signal?: AbortSignal): Promise<Outcome> {
  const { pools } = ports;
  const userPoolId = request.userPoolId ?? pools.defaultUserPoolId;
  if (userPoolId === undefined) {
    return invalid(undefined, 'data.userPoolId', 'required', 'is required: the event names no pool and USER_POOL_ID is not set');
  }
  if (!pools.allowedUserPoolIds.has(userPoolId)) return { kind: 'pool_not_allowed', userPoolId };

  const pool = ports.configurations?.current(userPoolId);
  const general = [...checkRequest(request), ...checkProvenanceUntouched(request, ports.provenanceAttribute)];
  // One violation a field: a name already too long is not also reported as undefined in the pool.
  const poolSpecific = pool === undefined ? [] : checkAgainstPool(request, pool).filter((v) => !general.some((g) => g.field === v.field));
  const violations = [...general, ...poolSpecific];
  if (violations.length > 0) return { kind: 'invalid', userPoolId, violations };

  const budget: CallBudget = { attempts: 0, startedAt: (ports.now ?? Date.now)() };
  const identity: Identity = { caseSensitive: pool?.caseSensitive ?? true, provenanceAttribute: ports.provenanceAttribute };
  try {
    return await createOrMatch(toNewUser(request, userPoolId, identity), request, ports, identity, budget, signal)
      .catch((error: unknown) => heldDespite(error, request, userPoolId, ports, budget, signal));
  } catch (error) {
    if (!(error instanceof DirectoryError)) throw error;
    if (error.kind === 'systemic') throw new SystemicError(scrubbed(error, request), userPoolId);
    return failure(error, userPoolId, budget, request);
  }
}

/** How the pool compares users: its case sensitivity and the attribute naming the creating request. */
interface Identity {
  readonly caseSensitive: boolean;
  readonly provenanceAttribute: string | undefined;
}

async function createOrMatch(user: NewUser, request: ProvisionRequest, ports: ProvisioningPorts, identity: Identity, budget: CallBudget, signal: AbortSignal | undefined): Promise<Outcome> {
  const { directory, calls } = ports;
  // A user deleted between UsernameExists and AdminGetUser is created again, once.
  for (let round = 0; round < 2; round++) {
    try {
      const created = await calls.run('AdminCreateUser', (callSignal) => directory.createUser(tracedCall(user, request, ports), callSignal), budget, signal);
      // RESEND re-invites a user that was already there: a success, not a new user.
      const kind = user.messageAction === 'RESEND' ? 'already_existed' : 'created';
      return { kind, userPoolId: user.userPoolId, user: created, attempts: budget.attempts };
    } catch (error) {
      // The pool may have changed (a new required attribute, another password policy) since it was read.
      if (error instanceof DirectoryError && error.code === 'InvalidParameterException') ports.configurations?.suspect(user.userPoolId);
      if (!(error instanceof DirectoryError) || error.code !== 'UsernameExistsException') throw error;
    }
    // AdminCreateUser has no client token: an existing user that matches the request is this
    // request delivered again (or a crash after the call), so it is answered as a success.
    const existing = await calls.run('AdminGetUser', (callSignal) => directory.getUser(user.userPoolId, user.username, callSignal), budget, signal);
    if (existing === undefined) continue;
    const differing = differingFromExisting(request, existing, identity);
    return differing.length === 0
      ? { kind: 'already_existed', userPoolId: user.userPoolId, user: existing, attempts: budget.attempts }
      : { kind: 'conflict', userPoolId: user.userPoolId, differingAttributes: differing, attempts: budget.attempts };
  }
  throw new DirectoryError('UsernameExistsException', 'the user exists but cannot be read back', {});
}

// Failures that Cognito may answer after it stored the user: the invitation is what failed
// (aws/aws-sdk#438). LimitExceeded is read back too, so a replay cannot silently skip an invitation.
const INVITATION_FAILURES: ReadonlySet<string> = new Set(['CodeDeliveryFailureException', 'LimitExceededException']);

/**
 * A user that Cognito holds despite an invitation failure is a success whose invitation was not
 * delivered (a RESEND delivers it); any other failure, or no such user, is rethrown as it came.
 */
async function heldDespite(error: unknown, request: ProvisionRequest, userPoolId: string, ports: ProvisioningPorts, budget: CallBudget, signal: AbortSignal | undefined): Promise<Outcome> {
  if (!(error instanceof DirectoryError) || !INVITATION_FAILURES.has(error.code)) throw error;
  const user = await ports.calls.run('AdminGetUser', (callSignal) => ports.directory.getUser(userPoolId, request.username, callSignal), budget, signal);
  // Not documented, but then nothing was created: answered by the error itself.
  if (user === undefined) throw error;
  const kind = request.messageAction === 'RESEND' ? 'already_existed' : 'created';
  return { kind, userPoolId, user, attempts: budget.attempts, invitationDelivered: false };
}


/**
 * Why the existing user is not what this request would have made, as attribute names (values are
 * personal data); empty when it is. With a provenance attribute the answer is exact: the user this
 * very request created matches whatever was edited since; a user another request (or no request)
 * created matches only on the attributes requested, and a request with none cannot match it.
 */
function differingFromExisting(request: ProvisionRequest, existing: DirectoryUser, identity: Identity): string[] {
  const { provenanceAttribute } = identity;
  if (provenanceAttribute === undefined) return differingAttributes(request.attributes, existing, identity);
  if (existing.attributes[provenanceAttribute] === request.requestId) return [];
  if (Object.keys(request.attributes).length === 0) return [provenanceAttribute];
  return differingAttributes(request.attributes, existing, identity);
}

/**
 * Names of requested attributes whose stored value differs, compared the way the pool compares
 * them: a case-insensitive pool folds email and preferred_username (UsernameConfigurationType).
 */
export function differingAttributes(requested: Readonly<Record<string, string>>, user: DirectoryUser, pool: { readonly caseSensitive: boolean }): string[] {
  return Object.entries(requested)
    .filter(([name, value]) => !sameValue(name, value, user.attributes[name], pool.caseSensitive))
    .map(([name]) => name);
}

const FOLDED_IN_CASE_INSENSITIVE_POOLS = new Set(['email', 'preferred_username']);

function sameValue(name: string, requested: string, stored: string | undefined, caseSensitive: boolean): boolean {
  if (stored === undefined) return false;
  // Cognito stores booleans as "true"/"false" whatever case was sent.
  const folded = name.endsWith('_verified') || (!caseSensitive && FOLDED_IN_CASE_INSENSITIVE_POOLS.has(name));
  return folded ? requested.toLowerCase() === stored.toLowerCase() : requested === stored;
}

/** The provenance attribute is the service's to write: a request may not set it. */
function checkProvenanceUntouched(request: ProvisionRequest, provenanceAttribute: string | undefined): Violation[] {
  if (provenanceAttribute === undefined || request.attributes[provenanceAttribute] === undefined) return [];
  return [{
    field: `data.attributes.${provenanceAttribute}`,
    rule: 'reserved-attribute',
    message: 'is written by the service (PROVENANCE_ATTRIBUTE): it records the request that created the user',
  }];
}

function toNewUser(request: ProvisionRequest, userPoolId: string, identity: Identity): NewUser {
  // The trace context reaches the Cognito triggers unless the request already set that key.
  const clientMetadata = request.traceparent !== undefined && request.clientMetadata['traceparent'] === undefined
    ? { ...request.clientMetadata, traceparent: request.traceparent }
    : request.clientMetadata;
  return {
    userPoolId,
    username: request.username,
    // RESEND creates no user: there is nothing to record.
    attributes: identity.provenanceAttribute !== undefined && request.messageAction !== 'RESEND'
      ? { ...request.attributes, [identity.provenanceAttribute]: request.requestId }
      : request.attributes,
    validationData: request.validationData,
    clientMetadata,
    temporaryPassword: request.temporaryPassword,
    forceAliasCreation: request.forceAliasCreation,
    messageAction: request.messageAction,
    desiredDeliveryMediums: request.desiredDeliveryMediums,
  };
}

/** The triggers continue the trace of this very call, unless the request set its own traceparent key. */
function tracedCall(user: NewUser, request: ProvisionRequest, ports: ProvisioningPorts): NewUser {
  const traceparent = ports.callTraceparent?.();
  if (traceparent === undefined || request.clientMetadata['traceparent'] !== undefined) return user;
  return { ...user, clientMetadata: { ...user.clientMetadata, traceparent } };
}

function failure(error: DirectoryError, userPoolId: string, budget: CallBudget, request: ProvisionRequest): Outcome {
  // Messages come from elsewhere: make sure none can echo the temporary password.
  const message = request.temporaryPassword?.scrub(error.message) ?? error.message;
  const details = { userPoolId, errorCode: error.code, message, attempts: budget.attempts };
  if (error.kind === 'transient') return { kind: 'retries_exhausted', ...details };
  return error.kind === 'limit' ? { kind: 'limit_exceeded', ...details } : { kind: 'rejected', ...details };
}

/** The error with the temporary password scrubbed from its message; the original (its cause) is dropped when it held it. */
function scrubbed(error: DirectoryError, request: ProvisionRequest): DirectoryError {
  const message = request.temporaryPassword?.scrub(error.message) ?? error.message;
  return message === error.message ? error : new DirectoryError(error.code, message, { httpStatus: error.httpStatus });
}

function invalid(userPoolId: string | undefined, field: string, rule: string, message: string): Outcome {
  return { kind: 'invalid', userPoolId, violations: [{ field, rule, message }] };
}
