// `user-provisioner replay` as operators run it: a child process with the service's Kafka and
// topic variables and nothing else (no AWS or pool variable), against the real broker, while
// the service runs. Outages come from the fault proxy in front of moto.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import { json, type ReadMessage } from '../support/kafka-test-client.ts';
import { answerFor, createdFor, failedFor, type Answer } from '../support/outcomes.ts';
import { useTestStack } from '../support/test-stack.ts';

const root = new URL('../../', import.meta.url).pathname;
const PASSWORD = 'Replay-Secret-51k!';
const SMALL_LIMIT = '2048';

const stack = useTestStack({
  service: { env: { RETRY_MAX_ATTEMPTS: '3', RETRY_MIN_DELAY_MS: '20', RETRY_MAX_DELAY_MS: '100', COGNITO_TIMEOUT_MS: '2000', MAX_MESSAGE_BYTES: SMALL_LIMIT } },
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function replay(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Run> {
  const child = spawn(process.execPath, ['bin/user-provisioner.js', 'replay', ...args], {
    cwd: root,
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: stack.brokers,
      KAFKA_GROUP_ID: `user-provisioner-${stack.topics.requested}`,
      TOPIC_REQUESTED: stack.topics.requested,
      TOPIC_CREATED: stack.topics.created,
      TOPIC_FAILED: stack.topics.failed,
      TOPIC_DLQ: stack.topics.dlq,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** The place a `sent` line says the request went to. */
function sentTo(run: Run, requestId: string): { topic: string; partition: number; offset: string } {
  const match = new RegExp(`^sent request-id=${requestId} .* to=(\\S+)/(\\d+)/(\\d+)$`, 'm').exec(run.stdout);
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) throw new Error(`no sent line for ${requestId}:\n${run.stdout}\n${run.stderr}`);
  return { topic: match[1], partition: Number(match[2]), offset: match[3] };
}

async function inputMessage(partition: number, offset: string): Promise<ReadMessage> {
  return stack.kafka.waitFor(`message ${partition}/${offset} of the input topic`, () =>
    stack.kafka.read(stack.topics.requested).find((m) => m.partition === partition && m.offset === offset));
}

function created(answers: readonly Answer[]): Extract<Answer, { kind: 'created' }>['event'] {
  const answer = answers.find((a) => a.kind === 'created');
  if (answer?.kind !== 'created') throw new Error(`no created outcome among ${JSON.stringify(answers.map((a) => a.event))}`);
  return answer.event;
}

describe('replay --from failed', () => {
  it('sends a request that ran out of retries again once the outage is over: same request id, one user', async () => {
    await stack.kafka.watch(stack.topics.requested);
    const username = 'replay-after-outage';
    const event = requestEvent({ username, temporaryPassword: PASSWORD, attributes: { email: 'rao@example.com' } });
    // Simulated: Cognito answers InternalErrorException to every AdminCreateUser until lifted.
    const lift = stack.proxy.outage({ kind: 'error', type: 'InternalErrorException', message: 'simulated outage' }, ['AdminCreateUser']);
    try {
      await stack.kafka.produce(stack.topics.requested, [structured(event)]);
      const failed = await failedFor(stack.kafka, stack.topics, event.id);
      expect(failed.data).toMatchObject({ reason: 'retries-exhausted', errorCode: 'InternalErrorException', source: { topic: stack.topics.requested } });
    } finally {
      lift();
    }
    const original = await inputMessage(0, '0');

    const dryRun = await replay(['--from', 'failed', '--reason', 'retries-exhausted', '--dry-run']);
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(new RegExp(`^would-send request-id=${event.id} key=sha256:\\w+ reason=retries-exhausted source=${stack.topics.requested}/0/0 `, 'm'));
    expect(dryRun.stdout).toContain('1 would be sent, 0 skipped');

    const run = await replay(['--from', 'failed', '--reason', 'retries-exhausted']);
    expect(run.code, run.stderr).toBe(0);
    // Offset 1: the dry run put nothing on the input topic before it.
    const to = sentTo(run, event.id);
    expect(to).toEqual({ topic: stack.topics.requested, partition: 0, offset: '1' });
    expect(run.stdout).toContain('1 sent, 0 skipped');

    const answers = await answerFor(stack.kafka, stack.topics, event.id, 2);
    expect(created(answers).data).toMatchObject({ requestId: event.id, username, alreadyExisted: false });
    expect((await stack.cognito.listUsers(stack.pool)).filter((user) => user.Username === username)).toHaveLength(1);
    const copy = await inputMessage(to.partition, to.offset);
    expect({ key: copy.key, value: copy.value, headers: copy.headers }).toEqual({ key: original.key, value: original.value, headers: original.headers });
    for (const output of [dryRun.stdout, dryRun.stderr, run.stdout, run.stderr]) {
      expect(output).not.toContain(PASSWORD);
      expect(output).not.toContain(username);
    }
  });
});

describe('replay --from dlq', () => {
  it('sends a dead letter again without its dlq-* headers once the cause is fixed (a raised MAX_MESSAGE_BYTES)', async () => {
    const username = 'replay-oversized';
    // Over the service's limit of 2 KiB, and a valid request.
    const event = requestEvent({ username, attributes: { email: 'ro@example.com' }, clientMetadata: { a: 'x'.repeat(1500), b: 'y'.repeat(1500) } });
    const message = structured(event);
    await stack.kafka.produce(stack.topics.requested, [{ ...message, headers: { ...message.headers, 'x-import-batch': '2026-11' } }]);
    const deadLetter = await stack.kafka.waitFor('the dead letter', () =>
      stack.kafka.read(stack.topics.dlq).find((m) => (json(m) as { id?: string }).id === event.id));
    expect(deadLetter.headers).toMatchObject({ 'dlq-error-class': 'oversized', 'x-import-batch': '2026-11' });

    // The fix: the service now accepts bigger messages.
    const exit = await stack.service.stop();
    expect(exit.code).toBe(0);
    await stack.startService({ MAX_MESSAGE_BYTES: '262144' });

    const run = await replay(['--from', 'dlq', '--error-class', 'oversized']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^sent request-id=${event.id} key=sha256:\\w+ error-class=oversized source=${stack.topics.requested}/0/\\d+ dead-letter=${stack.topics.dlq.replaceAll('.', '\\.')}/0/${deadLetter.offset} to=`, 'm'));

    const createdEvent = await createdFor(stack.kafka, stack.topics, event.id);
    expect(createdEvent.data).toMatchObject({ requestId: event.id, username, alreadyExisted: false });
    const to = sentTo(run, event.id);
    const copy = await inputMessage(to.partition, to.offset);
    expect(copy.headers).toEqual({ 'content-type': 'application/cloudevents+json; charset=utf-8', 'x-import-batch': '2026-11' });
    expect(copy.value?.equals(deadLetter.value ?? Buffer.alloc(0))).toBe(true);
    expect(copy.key).toBe(username);
  });
});

describe('bad input', () => {
  it('exits 2 with one line on a bad flag', async () => {
    const run = await replay(['--from', 'failed', '--reason', 'retries-exhuasted']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'user-provisioner replay: --reason "retries-exhuasted" is not one of invalid-event, pool-not-allowed, rejected, conflict, retries-exhausted, limit-exceeded (see user-provisioner replay --help)',
    ]);
  });

  it('exits 2 naming the variable on a bad value, and on a topic that does not exist', async () => {
    const badBrokers = await replay(['--from', 'dlq'], { KAFKA_BROKERS: 'no-port' });
    expect(badBrokers.code).toBe(2);
    expect(badBrokers.stderr.trimEnd()).toBe('user-provisioner: configuration error: KAFKA_BROKERS: "no-port" is not host:port');

    const missingTopic = await replay(['--from', 'dlq'], { TOPIC_DLQ: `${stack.topics.dlq}-missing` });
    expect(missingTopic.code).toBe(2);
    expect(missingTopic.stderr).toContain(`user-provisioner: configuration error: TOPIC_DLQ: topic ${stack.topics.dlq}-missing does not exist`);
  });
});
