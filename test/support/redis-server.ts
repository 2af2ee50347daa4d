// A throwaway redis-server for the tests of the shared quota: the stack module's, so the tests,
// the fault suite and the bench start Redis one way.
export { RedisServer } from '../../scripts/stack.ts';
