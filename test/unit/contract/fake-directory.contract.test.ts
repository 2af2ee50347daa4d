import { describeDirectoryContract } from '../../support/directory-contract.ts';
import { FakeDirectory } from '../../support/fakes/fake-directory.ts';

const POOL = 'us-east-1_Contract1';

describeDirectoryContract('FakeDirectory', () => Promise.resolve({ directory: new FakeDirectory({ pools: [POOL] }), userPoolId: POOL }));
