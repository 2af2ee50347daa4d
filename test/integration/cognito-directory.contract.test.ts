// The Cognito adapter against moto, held to the same contract as the fake the unit tests use.
import { afterAll, beforeAll, inject } from 'vitest';
import { createCognitoDirectory } from '../../src/adapters/cognito-directory.ts';
import { Cleanup } from '../support/cleanup.ts';
import { CognitoTestClient, TEST_CREDENTIALS } from '../support/cognito-test-client.ts';
import { describeDirectoryContract } from '../support/directory-contract.ts';

const endpoint = inject('cognitoEndpoint');
const cleanup = new Cleanup();
let cognito: CognitoTestClient | undefined;

beforeAll(() => {
  // The adapter takes credentials only from the default provider chain, so from the environment here.
  for (const [name, value] of Object.entries(TEST_CREDENTIALS)) {
    const previous = process.env[name];
    process.env[name] = value;
    cleanup.add(previous, (restore) => {
      if (restore === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = restore;
    });
  }
  cognito = cleanup.add(new CognitoTestClient(endpoint), (client) => client.close());
});

afterAll(() => cleanup.run());

describeDirectoryContract('Cognito adapter on moto', async () => {
  if (cognito === undefined) throw new Error('the Cognito test client is not set up (did beforeAll fail?)');
  const userPoolId = await cognito.createPool();
  const directory = createCognitoDirectory({ region: 'us-east-1', endpoint, requestTimeoutMs: 10_000 });
  return { directory, userPoolId, cleanup: () => directory.close() };
});
