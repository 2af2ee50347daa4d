import type { Directory } from '../provisioning/directory.port.ts';
import { DirectoryError, type SystemicError } from '../provisioning/errors.ts';
import type { Limiter } from '../resilience/limiter.port.ts';

/** The user the probe looks up; whether it exists does not matter. */
export const PROBE_USERNAME = 'user-provisioner-probe';

/**
 * The probe of a systemic pause (./systemic-pause.ts): one AdminGetUser in the pool whose call
 * failed, through the limiter like every call. It rejects while the deployment is still broken.
 */
export function systemicProbe(deps: {
  readonly directory: Pick<Directory, 'getUser'>;
  readonly limiter: Pick<Limiter, 'schedule'>;
}): (error: SystemicError) => () => Promise<void> {
  return (error) => async () => {
    try {
      await deps.limiter.schedule('user-read', () => deps.directory.getUser(error.userPoolId, PROBE_USERNAME));
    } catch (failure) {
      // Any answer but a systemic or transient failure proves the deployment works again.
      if (!(failure instanceof DirectoryError) || failure.kind !== 'permanent') throw failure;
    }
  };
}
