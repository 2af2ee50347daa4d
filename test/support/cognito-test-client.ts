import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  ListUsersCommand,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';

export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' } as const;

/** Direct access to the emulator, to set up pools and to look at what the service did. */
export class CognitoTestClient {
  readonly #client: CognitoIdentityProviderClient;

  constructor(endpoint: string) {
    this.#client = new CognitoIdentityProviderClient({
      endpoint,
      region: TEST_REGION,
      credentials: { accessKeyId: TEST_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: TEST_CREDENTIALS.AWS_SECRET_ACCESS_KEY },
    });
  }

  /** A new pool with the custom attribute the examples use. */
  async createPool(): Promise<string> {
    const response = await this.#client.send(
      new CreateUserPoolCommand({
        PoolName: `tests-${Date.now()}`,
        Schema: [{ Name: 'employee_id', AttributeDataType: 'String', Mutable: true }],
      }),
    );
    const id = response.UserPool?.Id;
    if (id === undefined) throw new Error('CreateUserPool returned no id');
    return id;
  }

  async listUsers(userPoolId: string): Promise<UserType[]> {
    const users: UserType[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(new ListUsersCommand({ UserPoolId: userPoolId, PaginationToken: token }));
      users.push(...(page.Users ?? []));
      token = page.PaginationToken;
    } while (token !== undefined);
    return users;
  }

  async getUser(userPoolId: string, username: string) {
    return this.#client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: username }));
  }

  close(): void {
    this.#client.destroy();
  }
}
