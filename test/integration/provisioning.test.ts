// The pipeline end to end: a real Kafka broker, the service as its own process, and moto as
// Cognito behind the fault proxy (here only counting calls; it injects nothing).
import { beforeAll, describe, expect, it } from 'vitest';
import { compileValidators } from '../../src/events/schemas.ts';
import { binary, requestEvent, structured } from '../support/events.ts';
import { answerFor, createdFor, failedFor } from '../support/outcomes.ts';
import { useTestStack } from '../support/test-stack.ts';

const validators = compileValidators();
const PASSWORD = 'Tmp-Secret-9f2c!Q';

const stack = useTestStack({ partitions: 2 });
let otherPool: string;

beforeAll(async () => {
  otherPool = await stack.cognito.createPool();
});

describe('a valid request', () => {
  it('becomes a Cognito user and a user.created.v1 event, with every AdminCreateUser parameter', async () => {
    const event = requestEvent(
      {
        userPoolId: stack.pool,
        username: 'jdoe-all-params',
        attributes: { email: 'jdoe@example.com', email_verified: 'true', given_name: 'Jane', phone_number: '+15555550100', 'custom:employee_id': 'E1234' },
        validationData: { hr_system: 'workday' },
        clientMetadata: { department: 'finance' },
        temporaryPassword: PASSWORD,
        forceAliasCreation: true,
        messageAction: 'SUPPRESS',
        desiredDeliveryMediums: ['EMAIL', 'SMS'],
      },
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    );
    await stack.kafka.produce(stack.topics.requested, [structured(event, 'hire-1')]);

    const [answer] = await answerFor(stack.kafka, stack.topics, event.id);
    if (answer?.kind !== 'created') throw new Error(`expected a created event, got ${JSON.stringify(answer?.event)}`);
    const created = answer.event;
    expect(validators.created(created)).toBe(true);
    expect(answer.message.key).toBe('hire-1');
    expect(created).toMatchObject({
      specversion: '1.0',
      type: 'user.created.v1',
      source: 'urn:user-provisioner',
      subject: 'jdoe-all-params',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      data: {
        requestId: event.id,
        userPoolId: stack.pool,
        username: 'jdoe-all-params',
        userStatus: 'FORCE_CHANGE_PASSWORD',
        enabled: true,
        alreadyExisted: false,
        attributes: { email: 'jdoe@example.com', email_verified: 'true', given_name: 'Jane', phone_number: '+15555550100', 'custom:employee_id': 'E1234' },
      },
    });
    const stored = await stack.cognito.getUser(stack.pool, 'jdoe-all-params');
    const storedAttributes = new Map((stored.UserAttributes ?? []).map((a) => [a.Name, a.Value]));
    expect(created.data.sub).toBe(storedAttributes.get('sub'));
    expect(created.data.createdAt).toBe(stored.UserCreateDate?.toISOString());
    expect(storedAttributes.get('custom:employee_id')).toBe('E1234');
    expect(JSON.stringify(created)).not.toContain(PASSWORD);
  });

  it('is accepted in binary mode (ce_* headers, data as the value)', async () => {
    const event = requestEvent({ username: 'binary-mode-user', attributes: { email: 'b@example.com' }, desiredDeliveryMediums: ['EMAIL'] });
    await stack.kafka.produce(stack.topics.requested, [binary(event, 'binary-key')]);
    const created = await createdFor(stack.kafka, stack.topics, event.id);
    expect(created.data).toMatchObject({ username: 'binary-mode-user', userPoolId: stack.pool, alreadyExisted: false });
  });

  it('delivered twice gives one user and two outcomes with the same CloudEvents identity', async () => {
    const event = requestEvent({ username: 'twice-delivered', attributes: { email: 't@example.com', 'custom:employee_id': 'E2' } });
    await stack.kafka.produce(stack.topics.requested, [structured(event), structured(event)]);
    const answers = await answerFor(stack.kafka, stack.topics, event.id, 2);
    expect(answers.map((a) => a.kind)).toEqual(['created', 'created']);
    const [first, second] = answers.flatMap((a) => (a.kind === 'created' ? [a.event] : []));
    expect(second?.id).toBe(first?.id);
    // Same identity and user; only alreadyExisted tells the replay from the first answer.
    expect([first?.data.alreadyExisted, second?.data.alreadyExisted]).toEqual([false, true]);
    expect({ ...second, data: { ...second?.data, alreadyExisted: false } }).toEqual(first);
    const users = (await stack.cognito.listUsers(stack.pool)).filter((u) => u.Username === 'twice-delivered');
    expect(users).toHaveLength(1);
  });

  it('for an existing username with other attributes is a conflict', async () => {
    const first = requestEvent({ username: 'taken-name', attributes: { email: 'first@example.com' } });
    await stack.kafka.produce(stack.topics.requested, [structured(first)]);
    await createdFor(stack.kafka, stack.topics, first.id);
    const second = requestEvent({ username: 'taken-name', attributes: { email: 'second@example.com' } });
    await stack.kafka.produce(stack.topics.requested, [structured(second)]);
    const failed = await failedFor(stack.kafka, stack.topics, second.id);
    expect(validators.failed(failed)).toBe(true);
    expect(failed.data).toMatchObject({ reason: 'conflict', errorCode: 'UsernameExistsException', retryable: false, username: 'taken-name' });
    expect(failed.data.message).toContain('email');
    expect(failed.data.message).not.toContain('second@example.com');
  });

  it('with RESEND for an existing user is a success, not a conflict', async () => {
    const created = requestEvent({ username: 'resend-me', attributes: { email: 'r@example.com' } });
    await stack.kafka.produce(stack.topics.requested, [structured(created)]);
    await createdFor(stack.kafka, stack.topics, created.id);
    const resend = requestEvent({ username: 'resend-me', messageAction: 'RESEND' });
    await stack.kafka.produce(stack.topics.requested, [structured(resend)]);
    const answer = await createdFor(stack.kafka, stack.topics, resend.id);
    expect(answer.data).toMatchObject({ username: 'resend-me', alreadyExisted: true });
  });

  it('with RESEND for a missing user is rejected with UserNotFoundException', async () => {
    const resend = requestEvent({ username: 'never-created', messageAction: 'RESEND' });
    await stack.kafka.produce(stack.topics.requested, [structured(resend)]);
    const failed = await failedFor(stack.kafka, stack.topics, resend.id);
    expect(failed.data).toMatchObject({ reason: 'rejected', errorCode: 'UserNotFoundException', retryable: false, attempts: 1 });
  });
});

describe('an invalid request fails without a Cognito call, naming the field and the rule', () => {
  const cases: { name: string; data: Record<string, unknown>; field: string; rule: string; reason?: string }[] = [
    { name: 'username over 128 characters', data: { username: 'u'.repeat(129) }, field: 'data.username', rule: 'max-length' },
    { name: 'username with whitespace', data: { username: 'jane doe' }, field: 'data.username', rule: 'pattern' },
    { name: 'email_verified without email', data: { attributes: { email_verified: 'true' } }, field: 'data.attributes.email', rule: 'email-required' },
    { name: 'EMAIL medium without email', data: { desiredDeliveryMediums: ['EMAIL'], attributes: { phone_number: '+15555550100' } }, field: 'data.attributes.email', rule: 'email-required' },
    { name: 'SMS as the default medium without phone_number', data: { messageAction: undefined, attributes: { email: 'x@example.com' } }, field: 'data.attributes.phone_number', rule: 'phone-number-required' },
    { name: 'attribute name over 32 characters', data: { attributes: { [`custom:${'a'.repeat(30)}`]: 'x' } }, field: `data.attributes.custom:${'a'.repeat(30)}`, rule: 'max-length' },
    { name: 'attribute value over 2,048 characters', data: { attributes: { given_name: 'g'.repeat(2049) } }, field: 'data.attributes.given_name', rule: 'max-length' },
    { name: 'custom attribute without the custom: prefix', data: { attributes: { employee_id: 'E1' } }, field: 'data.attributes.employee_id', rule: 'attribute-name' },
    { name: 'unknown messageAction', data: { messageAction: 'SHOUT' }, field: 'data.messageAction', rule: 'enum' },
    { name: 'unknown field', data: { userAttributes: { email: 'x@example.com' } }, field: 'data.userAttributes', rule: 'unknown-field' },
    { name: 'attribute value that is not a string', data: { attributes: { given_name: 42 } }, field: 'data.attributes.given_name', rule: 'type' },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const callsBefore = stack.proxy.count('AdminCreateUser');
      const event = requestEvent({ temporaryPassword: PASSWORD, ...testCase.data });
      if (testCase.data['messageAction'] === undefined && 'messageAction' in testCase.data) delete (event.data as Record<string, unknown>)['messageAction'];
      await stack.kafka.produce(stack.topics.requested, [structured(event, 'invalid')]);
      const failed = await failedFor(stack.kafka, stack.topics, event.id);
      expect(validators.failed(failed)).toBe(true);
      expect(failed.data).toMatchObject({ reason: 'invalid-event', retryable: false, attempts: 0 });
      expect(failed.data.violations).toContainEqual(expect.objectContaining({ field: testCase.field, rule: testCase.rule }));
      expect(failed.data.message).toContain(testCase.field);
      expect(JSON.stringify(failed)).not.toContain(PASSWORD);
      expect(stack.proxy.count('AdminCreateUser')).toBe(callsBefore);
    });
  }

  it('a stack.pool outside the allowlist is stack.pool-not-allowed', async () => {
    const callsBefore = stack.proxy.calls.length;
    const event = requestEvent({ userPoolId: otherPool, username: 'wrong-pool' });
    await stack.kafka.produce(stack.topics.requested, [structured(event)]);
    const failed = await failedFor(stack.kafka, stack.topics, event.id);
    expect(failed.data).toMatchObject({ reason: 'pool-not-allowed', errorCode: 'pool-not-allowed', userPoolId: otherPool, attempts: 0 });
    expect(stack.proxy.calls.length).toBe(callsBefore);
    expect(await stack.cognito.listUsers(otherPool)).toHaveLength(0);
  });
});

describe('input that is not a request event goes to the dead-letter topic unchanged', () => {
  const cases: { name: string; value: Buffer | string; headers?: Record<string, string>; errorClass: string }[] = [
    { name: 'bytes that are not JSON', value: Buffer.from([0x7b, 0x22, 0x61, 0x3a]), errorClass: 'not-json' },
    { name: 'invalid UTF-8', value: Buffer.from([0xc3, 0x28, 0xff]), errorClass: 'invalid-utf8' },
    { name: 'a JSON object that is no CloudEvent', value: JSON.stringify({ hello: 'world' }), errorClass: 'not-a-cloudevent' },
    { name: 'an event without id', value: JSON.stringify({ specversion: '1.0', source: 's', type: 'user.requested.v1', data: { username: 'x' } }), errorClass: 'missing-id' },
    { name: 'an event of another type', value: JSON.stringify({ specversion: '1.0', id: 'other-type', source: 's', type: 'user.deleted.v1', data: {} }), errorClass: 'wrong-type' },
    { name: 'an oversized message', value: JSON.stringify({ specversion: '1.0', id: 'big', source: 's', type: 'user.requested.v1', data: { username: 'x', attributes: { name: 'n'.repeat(300_000) } } }), errorClass: 'oversized' },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const key = `dlq-${testCase.errorClass}`;
      await stack.kafka.produce(stack.topics.requested, [{ key, value: testCase.value, headers: { 'x-origin': 'tests', ...testCase.headers } }]);
      const letters = await stack.kafka.waitFor(`a dead letter keyed ${key}`, () => {
        const found = stack.kafka.read(stack.topics.dlq).filter((m) => m.key === key);
        return found.length > 0 ? found : undefined;
      });
      const [letter] = letters;
      expect(letter?.value?.equals(Buffer.from(testCase.value))).toBe(true);
      expect(letter?.headers).toMatchObject({
        'x-origin': 'tests',
        'dlq-source-topic': stack.topics.requested,
        'dlq-error-class': testCase.errorClass,
      });
      expect(letter?.headers['dlq-source-partition']).toMatch(/^\d+$/);
      expect(letter?.headers['dlq-source-offset']).toMatch(/^\d+$/);
      expect(letter?.headers['dlq-error-message']?.length).toBeGreaterThan(0);
    });
  }

  it('and the partition moves on: a good event after them still succeeds', async () => {
    const event = requestEvent({ username: 'after-garbage', attributes: { email: 'g@example.com' } });
    await stack.kafka.produce(stack.topics.requested, [{ key: 'after', value: 'garbage' }, structured(event, 'after')]);
    await createdFor(stack.kafka, stack.topics, event.id);
  });
});

describe('secrets', () => {
  it('the temporary password appears in no log line, outcome or dead-letter header', () => {
    const everything = [
      ...stack.service.stdout,
      ...stack.service.stderr,
      ...[stack.topics.created, stack.topics.failed, stack.topics.dlq].flatMap((topic) =>
        stack.kafka.read(topic).map((m) => `${topic === stack.topics.dlq ? '' : m.value?.toString() ?? ''} ${JSON.stringify(m.headers)}`),
      ),
    ].join('\n');
    expect(everything.length).toBeGreaterThan(0);
    expect(everything).not.toContain(PASSWORD);
  });
});
