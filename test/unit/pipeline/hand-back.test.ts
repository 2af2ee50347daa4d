// The hand-back on a revoked partition through the real pipeline (processBatch, handleMessage,
// provisionUser, the directory calls with their retries) over the fakes: nothing is published for
// a partition the member no longer owns, and the next owner answers what was handed back.
import { describe, expect, it } from 'vitest';
import { createRequestDecoder } from '../../../src/events/decode-request.ts';
import type { InboundMessage, OutboundMessage } from '../../../src/events/message.ts';
import { compileValidators } from '../../../src/events/schemas.ts';
import { handleMessage, type OutcomeLog, type OutputTopic } from '../../../src/pipeline/handle-message.ts';
import { InFlightSlots } from '../../../src/pipeline/in-flight-slots.ts';
import { processBatch } from '../../../src/pipeline/process-batch.ts';
import { SystemicPause } from '../../../src/pipeline/systemic-pause.ts';
import type { Directory } from '../../../src/provisioning/directory.port.ts';
import { provisionUser } from '../../../src/provisioning/provision-user.ts';
import { createDirectoryCalls } from '../../../src/resilience/directory-calls.ts';
import { aRequestedEvent, POOL, structuredMessage } from '../../support/builders.ts';
import { FakeBatch } from '../../support/fakes/fake-batch.ts';
import { FakeDirectory, simulatedCognitoError } from '../../support/fakes/fake-directory.ts';
import { RecordingLimiter } from '../../support/fakes/recording-limiter.ts';
import { RecordingMetrics } from '../../support/fakes/recording-metrics.ts';

const decode = createRequestDecoder({ validators: compileValidators(), maxMessageBytes: 65_536 });
const quiet: OutcomeLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** A retry a minute away: a test that waited for it would time out. */
const SLOW_RETRY = { maxAttempts: 10, maxDurationMs: 600_000, minDelayMs: 60_000, maxDelayMs: 60_000 };

function member(directory: Directory, published: { topic: OutputTopic; message: OutboundMessage }[]) {
  const calls = createDirectoryCalls({ limiter: new RecordingLimiter(), retry: SLOW_RETRY, observer: new RecordingMetrics() });
  const pools = { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) };
  const handlerDeps = {
    decode,
    provision: (request: Parameters<typeof provisionUser>[0], signal?: AbortSignal) => provisionUser(request, { directory, calls, pools }, signal),
    publish: (topic: OutputTopic, message: OutboundMessage) => {
      published.push({ topic, message });
      return Promise.resolve();
    },
    metrics: new RecordingMetrics(),
    log: quiet,
    personal: (value: string | undefined) => value,
  };
  const pause = new SystemicPause({ paused: () => undefined, resumed: () => undefined, fetchingCanary: () => undefined }, { firstDelayMs: 1, maxDelayMs: 2, sustainedMs: 60_000 });
  return (batch: FakeBatch) => processBatch(batch, {
    handle: (message, signal) => handleMessage(message, handlerDeps, signal),
    pause,
    signal: new AbortController().signal,
    heartbeatIntervalMs: 60_000,
    slots: new InFlightSlots(16),
  });
}

function request(): InboundMessage {
  return structuredMessage(aRequestedEvent({ username: 'jane.doe', messageAction: 'SUPPRESS', userPoolId: POOL }), undefined, { offset: '5' });
}

describe('a partition revoked while its message is in progress', () => {
  it('in Cognito retries: the wait ends at once, nothing is published or resolved', async () => {
    const directory = new FakeDirectory().failNext('AdminCreateUser', ...Array.from({ length: 5 }, () => simulatedCognitoError('TooManyRequestsException')));
    const published: { topic: OutputTopic; message: OutboundMessage }[] = [];
    const batch = new FakeBatch([request()]);
    const done = member(directory, published)(batch);
    // The first attempt was throttled; the next is a minute away.
    while (directory.createRequests.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    batch.revoke();
    await done;
    expect(published).toEqual([]);
    expect(batch.resolved).toEqual([]);
    expect(directory.createRequests).toHaveLength(1);
  });

  it('after its call reached Cognito: nothing is published by the old owner; the next owner answers it (already existed)', async () => {
    const directory = new FakeDirectory();
    const batch = new FakeBatch([request()]);
    // Cognito stores the user, and the revocation comes before its answer is used.
    const revokedOnAnswer: Directory = {
      createUser: async (user, signal) => {
        const created = await directory.createUser(user, signal);
        batch.revoke();
        return created;
      },
      getUser: (userPoolId, username, signal) => directory.getUser(userPoolId, username, signal),
      describePool: (userPoolId, signal) => directory.describePool(userPoolId, signal),
    };
    const oldOwner: { topic: OutputTopic; message: OutboundMessage }[] = [];
    await member(revokedOnAnswer, oldOwner)(batch);
    expect(oldOwner).toEqual([]);
    expect(batch.resolved).toEqual([]);

    const newOwner: { topic: OutputTopic; message: OutboundMessage }[] = [];
    const redelivered = new FakeBatch([request()]);
    await member(directory, newOwner)(redelivered);
    expect(newOwner.map(({ topic }) => topic)).toEqual(['created']);
    expect((JSON.parse(String(newOwner[0]?.message.value)) as { data: { alreadyExisted: boolean } }).data.alreadyExisted).toBe(true);
    expect(redelivered.resolved).toEqual(['5']);
    expect(directory.userCount).toBe(1);
  });
});
