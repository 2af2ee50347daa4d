import type { Directory } from '../provisioning/directory.port.ts';
import { DirectoryError, type SystemicError } from '../provisioning/errors.ts';
import type { Limiter } from '../resilience/limiter.port.ts';

/** The user the probe looks up; whether it exists does not matter. */
export const PROBE_USERNAME = 'user-provisioner-probe';

/** Faults AdminGetUser cannot see: it runs no Lambda trigger. */
const UNSEEN_BY_PROBE: ReadonlySet<string> = new Set(['InvalidLambdaResponseException']);

/**
 * The probe of a systemic pause (./systemic-pause.ts): one AdminGetUser in the pool whose call
 * failed, through the limiter like every call. It rejects while the deployment is still broken.
 */
export function systemicProbe(deps: {
  readonly directory: Pick<Directory, 'getUser'>;
  readonly limiter: Pick<Limiter, 'schedule'>;
  /** How long a pause for a fault the probe cannot see lasts before the waiting requests try again. */
  readonly unseenHoldMs: number;
  readonly now?: () => number;
}): (error: SystemicError) => () => Promise<void> {
  const now = deps.now ?? Date.now;
  return (error) => {
    const pausedAt = now();
    return async () => {
      // Passing at once, it would send every waiting request into the same fault again: the
      // requests themselves are the probe, at most once per hold.
      if (UNSEEN_BY_PROBE.has(error.code) && now() - pausedAt < deps.unseenHoldMs) {
        throw new Error(`${error.code}: the probe cannot see this fault; the requests try again after ${deps.unseenHoldMs} ms`);
      }
      try {
        await deps.limiter.schedule('user-read', () => deps.directory.getUser(error.userPoolId, PROBE_USERNAME));
      } catch (failure) {
        // Any answer but a systemic or transient failure proves the deployment works again.
        if (!(failure instanceof DirectoryError) || failure.kind !== 'permanent') throw failure;
      }
    };
  };
}
