// The compose demo's user pool: created in moto before the service starts. Runs on the
// service's own image (which has Node and the AWS SDK, but no shell), mounted into /app so
// that the SDK resolves from /app/node_modules.
//
// moto names pools by a hash of region, name and settings (MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY
// =HASH), so the id is known in advance and docker-compose.yml gives the service USER_POOL_ID
// directly. Should moto or the SDK ever hash differently, this fails loudly instead of
// leaving the service configured with a pool that does not exist.
import { setTimeout } from 'node:timers/promises';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';

const expected = process.env.USER_POOL_ID;
const cognito = new CognitoIdentityProviderClient({ endpoint: process.env.COGNITO_ENDPOINT, region: process.env.AWS_REGION });

async function poolExists() {
  // moto may still be starting: retry connection errors for up to a minute.
  for (let attempt = 1; ; attempt++) {
    try {
      await cognito.send(new DescribeUserPoolCommand({ UserPoolId: expected }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      if (attempt === 60) throw error;
      await setTimeout(1000);
    }
  }
}

if (await poolExists()) {
  console.log(`user pool ${expected} exists`);
} else {
  const created = await cognito.send(new CreateUserPoolCommand({
    PoolName: 'user-provisioner-demo',
    // The examples carry custom:employee_id.
    Schema: [{ Name: 'employee_id', AttributeDataType: 'String', Mutable: true }],
  }));
  const id = created.UserPool?.Id;
  if (id !== expected) {
    console.error(`moto created user pool ${id}, but the service is configured with ${expected}: set USER_POOL_ID in docker-compose.yml to ${id}`);
    process.exit(1);
  }
  console.log(`created user pool ${id}`);
}
cognito.destroy();
