import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { at, one, render, repoRoot } from './manifests.ts';

// Least privilege: the role the pods assume may call AdminCreateUser, AdminGetUser and
// DescribeUserPool (optional: without it the static checks alone apply) on the allowed pools and nothing else, and the example overlay, the policy and the trust policy
// describe the same pools, region, account, namespace and service account.

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: string | string[];
  Principal?: { Federated?: string };
  Condition?: { StringEquals?: Record<string, string> };
}
const policy = (file: string) => JSON.parse(readFileSync(`${repoRoot}deploy/aws/${file}`, 'utf8')) as { Version: string; Statement: Statement[] };
const list = (value: string | string[] | undefined) => (value === undefined ? [] : [value].flat());

describe('deploy/aws', () => {
  const objects = render('deploy/kubernetes/overlays/example');
  const config = at(one(objects, 'ConfigMap'), 'data') as Record<string, string>;
  const serviceAccount = one(objects, 'ServiceAccount');
  const roleArn = serviceAccount.metadata.annotations?.['eks.amazonaws.com/role-arn'] ?? '';
  const account = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1];

  it('iam-policy.json allows only AdminCreateUser, AdminGetUser and DescribeUserPool, only on the allowed pools', () => {
    const { Version, Statement } = policy('iam-policy.json');
    expect(Version).toBe('2012-10-17');
    expect(Statement.every((statement) => statement.Effect === 'Allow')).toBe(true);
    const actions = Statement.flatMap((statement) => list(statement.Action));
    expect(actions.sort()).toEqual(['cognito-idp:AdminCreateUser', 'cognito-idp:AdminGetUser', 'cognito-idp:DescribeUserPool']);

    const pools = new Set([...(config['ALLOWED_USER_POOL_IDS'] ?? '').split(','), config['USER_POOL_ID'] ?? ''].filter((id) => id !== ''));
    const arns = [...pools].map((id) => `arn:aws:cognito-idp:${config['AWS_REGION'] ?? ''}:${account ?? ''}:userpool/${id}`);
    for (const statement of Statement) {
      expect(list(statement.Resource).sort()).toEqual(arns.sort());
    }
  });

  it('irsa-trust-policy.json lets only the overlay\'s service account assume the role', () => {
    const [statement, ...others] = policy('irsa-trust-policy.json').Statement;
    expect(others).toEqual([]);
    expect(list(statement?.Action)).toEqual(['sts:AssumeRoleWithWebIdentity']);
    const provider = statement?.Principal?.Federated ?? '';
    expect(provider).toMatch(new RegExp(`^arn:aws:iam::${account ?? ''}:oidc-provider/`));
    const issuer = provider.split(':oidc-provider/')[1] ?? '';
    expect(statement?.Condition?.StringEquals).toEqual({
      [`${issuer}:sub`]: `system:serviceaccount:${serviceAccount.metadata.namespace ?? ''}:${serviceAccount.metadata.name}`,
      [`${issuer}:aud`]: 'sts.amazonaws.com',
    });
  });
});
