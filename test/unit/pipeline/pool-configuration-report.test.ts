import { describe, expect, it } from 'vitest';
import { ServiceHealth } from '../../../src/pipeline/health.ts';
import { reportPoolConfiguration } from '../../../src/pipeline/pool-configuration-report.ts';

function setup() {
  const lines: { level: 'info' | 'warn'; fields: Record<string, unknown>; message: string }[] = [];
  const log = {
    info: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'info', fields, message }),
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'warn', fields, message }),
  };
  const health = new ServiceHealth();
  return { lines, health, report: reportPoolConfiguration({ log, health }) };
}

describe('reportPoolConfiguration', () => {
  it('says a missing DescribeUserPool permission as such, and puts the pool in /readyz', () => {
    const { lines, health, report } = setup();
    report({ userPoolId: 'us-east-1_Example1', available: false, because: 'AccessDeniedException' });
    expect(lines).toEqual([{ level: 'warn', fields: { userPoolId: 'us-east-1_Example1', errorCode: 'AccessDeniedException' }, message: expect.stringContaining('cognito-idp:DescribeUserPool is not allowed') as string }]);
    expect(health.describe().poolConfigurationUnavailable).toEqual({ 'us-east-1_Example1': 'AccessDeniedException: checked with the static rules only' });
  });

  it('tells another failure from a missing permission, and clears /readyz once the pool is read', () => {
    const { lines, health, report } = setup();
    report({ userPoolId: 'us-east-1_Example1', available: false, because: 'TimeoutError' });
    report({ userPoolId: 'us-east-1_Example1', available: true, because: undefined });
    expect(lines.map(({ level, message }) => ({ level, permission: message.includes('not allowed') }))).toEqual([
      { level: 'warn', permission: false },
      { level: 'info', permission: false },
    ]);
    expect(health.describe().poolConfigurationUnavailable).toBeUndefined();
  });
});
