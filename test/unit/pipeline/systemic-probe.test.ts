import { describe, expect, it } from 'vitest';
import { PROBE_USERNAME, systemicProbe } from '../../../src/pipeline/systemic-probe.ts';
import { DirectoryError, SystemicError } from '../../../src/provisioning/errors.ts';
import { LimiterStoppedError } from '../../../src/resilience/token-queue-limiter.ts';
import { FakeDirectory, simulatedCognitoError } from '../../support/fakes/fake-directory.ts';
import { RecordingLimiter } from '../../support/fakes/recording-limiter.ts';

const POOL = 'us-east-1_Broken1';

function setup() {
  const directory = new FakeDirectory();
  const limiter = new RecordingLimiter();
  const error = new SystemicError(new DirectoryError('NotAuthorizedException', 'expired'), POOL);
  return { directory, limiter, probe: systemicProbe({ directory, limiter, unseenHoldMs: 30_000 })(error) };
}

describe('systemicProbe', () => {
  it('reads the probe user in the pool that failed, through the limiter as a read', async () => {
    const { directory, limiter, probe } = setup();
    await expect(probe()).resolves.toBeUndefined();
    expect(directory.getRequests).toEqual([{ userPoolId: POOL, username: PROBE_USERNAME }]);
    expect(directory.createRequests).toEqual([]);
    expect(limiter.scheduled).toEqual(['user-read']);
  });

  it('succeeds on a permanent failure: the deployment answered', async () => {
    const { directory, probe } = setup();
    directory.failNext('AdminGetUser', simulatedCognitoError('InvalidParameterException'));
    await expect(probe()).resolves.toBeUndefined();
  });

  it.each([
    ['a systemic failure', simulatedCognitoError('NotAuthorizedException')],
    ['a transient failure', simulatedCognitoError('InternalErrorException', 500)],
    ['throttling', simulatedCognitoError('TooManyRequestsException')],
    ['an error that is no DirectoryError', new LimiterStoppedError('stopped')],
  ])('fails on %s, with that error', async (_case, failure) => {
    const { directory, probe } = setup();
    directory.failNext('AdminGetUser', failure);
    await expect(probe()).rejects.toBe(failure);
  });

  describe('InvalidLambdaResponseException, which AdminGetUser cannot see (it runs no trigger)', () => {
    function triggerFault() {
      const directory = new FakeDirectory();
      let clock = 1_000;
      const error = new SystemicError(new DirectoryError('InvalidLambdaResponseException', 'Invalid lambda response'), POOL);
      const probe = systemicProbe({ directory, limiter: new RecordingLimiter(), unseenHoldMs: 30_000, now: () => clock })(error);
      return { directory, probe, advance: (ms: number) => (clock += ms) };
    }

    it('holds the pause for unseenHoldMs without a call, so the waiting requests do not all fail again at once', async () => {
      const { directory, probe, advance } = triggerFault();
      await expect(probe()).rejects.toThrow('InvalidLambdaResponseException');
      advance(29_999);
      await expect(probe()).rejects.toThrow('the requests try again after 30000 ms');
      expect(directory.getRequests).toEqual([]);
    });

    it('then probes as usual, so the requests try again', async () => {
      const { directory, probe, advance } = triggerFault();
      advance(30_000);
      await expect(probe()).resolves.toBeUndefined();
      expect(directory.getRequests).toEqual([{ userPoolId: POOL, username: PROBE_USERNAME }]);
    });

    it('counts the hold from each pause, not from the first', async () => {
      const directory = new FakeDirectory();
      let clock = 0;
      const probeFor = systemicProbe({ directory, limiter: new RecordingLimiter(), unseenHoldMs: 30_000, now: () => clock });
      const error = new SystemicError(new DirectoryError('InvalidLambdaResponseException', 'Invalid lambda response'), POOL);
      probeFor(error);
      clock = 60_000;
      await expect(probeFor(error)()).rejects.toThrow('InvalidLambdaResponseException');
    });
  });
});
