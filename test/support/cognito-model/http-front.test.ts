// The model over awsJson1_1, as the AWS SDK (and so the service's adapter) sees it.
import {
  AccessDeniedException,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  InvalidParameterException,
  ResourceNotFoundException,
  UserLambdaValidationException,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCognitoModelServer, type CognitoModelServer } from './http-front.ts';

const SECRET = 'Temp-Secret-Pa55!';

describe('the model over HTTP', () => {
  let server: CognitoModelServer;
  let client: CognitoIdentityProviderClient;

  beforeEach(async () => {
    server = await startCognitoModelServer();
    client = new CognitoIdentityProviderClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });

  afterEach(async () => {
    client.destroy();
    await server.close();
  });

  it('listens on loopback', () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('CreateUserPool takes the schema as Schema; DescribeUserPool reads the pool back with custom: names', async () => {
    const created = await client.send(new CreateUserPoolCommand({
      PoolName: 'tests',
      UsernameAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
      Schema: [{ Name: 'employee_id', AttributeDataType: 'String', Mutable: true }],
      Policies: { PasswordPolicy: { MinimumLength: 12 } },
    }));
    const id = created.UserPool?.Id ?? '';
    const { UserPool } = await client.send(new DescribeUserPoolCommand({ UserPoolId: id }));
    expect(UserPool?.UsernameAttributes).toEqual(['email']);
    expect(UserPool?.UsernameConfiguration?.CaseSensitive).toBe(false);
    expect(UserPool?.SchemaAttributes?.find((a) => a.Name === 'custom:employee_id')).toMatchObject({ AttributeDataType: 'String', Mutable: true, Required: false });
    expect(UserPool?.Policies?.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireSymbols: true, TemporaryPasswordValidityDays: 7 });
    expect(UserPool?.EmailConfiguration?.EmailSendingAccount).toBe('COGNITO_DEFAULT');
    expect(UserPool?.EstimatedNumberOfUsers).toBe(0);
  });

  it('CreateUserPool refuses UsernameAttributes together with AliasAttributes', async () => {
    await expect(client.send(new CreateUserPoolCommand({ PoolName: 'both', UsernameAttributes: ['email'], AliasAttributes: ['preferred_username'] })))
      .rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('AdminCreateUser and AdminGetUser round-trip a user, dates as dates', async () => {
    const { Id } = server.model.createPool({ UsernameAttributes: ['email'] });
    const { User } = await client.send(new AdminCreateUserCommand({ UserPoolId: Id, Username: 'alice@example.com', MessageAction: 'SUPPRESS' }));
    const found = await client.send(new AdminGetUserCommand({ UserPoolId: Id, Username: 'alice@example.com' }));
    expect(found.Username).toBe(User?.Username);
    expect(found.UserAttributes).toContainEqual({ Name: 'email', Value: 'alice@example.com' });
    expect(found.UserCreateDate).toBeInstanceOf(Date);
  });

  it('errors arrive as Cognito\'s JSON 1.1 errors: the SDK raises the named exception with the message', async () => {
    const { Id } = server.model.createPool({ UsernameAttributes: ['email'] });
    const refused = client.send(new AdminCreateUserCommand({ UserPoolId: Id, Username: 'alice' }));
    await expect(refused).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(refused).rejects.toMatchObject({ message: 'Username should be an email.', $metadata: { httpStatusCode: 400 } });
    await expect(client.send(new AdminGetUserCommand({ UserPoolId: 'us-east-1_missing', Username: 'a' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('scripted faults reach the SDK: a trigger\'s rejection, an IAM deny on one operation', async () => {
    const { Id } = server.model.createPool(
      { LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:f' } },
      { preSignUp: { kind: 'rejects', message: 'Not today' }, deniedOperations: ['AdminGetUser'] },
    );
    await expect(client.send(new AdminCreateUserCommand({ UserPoolId: Id, Username: 'alice' }))).rejects.toMatchObject({
      name: UserLambdaValidationException.name,
      message: 'PreSignUp failed with error Not today.',
    });
    await expect(client.send(new AdminGetUserCommand({ UserPoolId: Id, Username: 'alice' }))).rejects.toBeInstanceOf(AccessDeniedException);
  });

  it('the call log holds operation, pool, result and time, never the request body', async () => {
    const { Id } = server.model.createPool();
    const before = Date.now();
    await client.send(new AdminCreateUserCommand({ UserPoolId: Id, Username: 'alice', TemporaryPassword: SECRET, MessageAction: 'SUPPRESS' }));
    await expect(client.send(new AdminCreateUserCommand({ UserPoolId: Id, Username: 'alice', TemporaryPassword: SECRET }))).rejects.toThrow();
    expect(server.calls).toEqual([
      { operation: 'AdminCreateUser', userPoolId: Id, result: 'created', at: expect.any(Number) as number },
      { operation: 'AdminCreateUser', userPoolId: Id, result: 'UsernameExistsException', at: expect.any(Number) as number },
    ]);
    expect(server.calls[0]?.at).toBeGreaterThanOrEqual(before);
    expect(JSON.stringify(server.calls)).not.toContain(SECRET);
    expect(JSON.stringify(server.calls)).not.toContain('alice');
  });
});
