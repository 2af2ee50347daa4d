import type { PoolConfigurationStatus } from '../provisioning/pool-configurations.ts';
import type { ServiceHealth } from './health.ts';

export interface PoolConfigurationLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

/** Without the permission, every later read fails the same way: the deployment keeps the static checks. */
const NOT_PERMITTED = new Set(['AccessDeniedException', 'NotAuthorizedException']);

/**
 * What a change of a pool's configuration availability tells the operator: one log line and the
 * /readyz detail (the metric reads the statuses itself). Called only on a change, so a deployment
 * without cognito-idp:DescribeUserPool says so once per pool.
 */
export function reportPoolConfiguration(deps: { log: PoolConfigurationLog; health: ServiceHealth }): (status: PoolConfigurationStatus) => void {
  const { log, health } = deps;
  return ({ userPoolId, available, because }) => {
    health.poolConfiguration(userPoolId, available, because);
    if (available) {
      log.info({ userPoolId }, 'read the pool configuration: requests are checked against its schema, username attributes and password policy');
    } else if (because !== undefined && NOT_PERMITTED.has(because)) {
      log.warn({ userPoolId, errorCode: because }, 'cognito-idp:DescribeUserPool is not allowed: requests for this pool are checked with the static rules only');
    } else {
      log.warn({ userPoolId, errorCode: because }, 'could not read the pool configuration: the one read before (if any) stays in use, or the static rules only');
    }
  };
}
