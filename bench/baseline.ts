// The naive consumer the issue compares against: one message at a time per partition (kafkajs
// eachMessage), AdminCreateUser awaited with p-retry's defaults (10 retries, 1 s doubling, no
// jitter), no rate limiter, then an outcome produced and the offset auto-committed.
// Configured by the environment the bench passes; prints "ready" once consuming.
import { AdminCreateUserCommand, CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import pRetry from 'p-retry';
import { hideNegativeTimeoutWarning } from '../src/adapters/kafka/negative-timeout-warning.ts';
import { readyUntilSignal, required } from './bench-env.ts';

interface RequestedEvent {
  id?: string;
  data?: { userPoolId?: string; username?: string; attributes?: Record<string, string>; messageAction?: 'RESEND' | 'SUPPRESS' };
}

const userPoolId = required('USER_POOL_ID');
const topics = { requested: required('TOPIC_REQUESTED'), created: required('TOPIC_CREATED'), failed: required('TOPIC_FAILED') };
hideNegativeTimeoutWarning();
const kafka = new Kafka({ clientId: 'bench-baseline', brokers: required('KAFKA_BROKERS').split(','), logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: required('KAFKA_GROUP_ID') });
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
// The SDK's own retries are off, so p-retry is the only retry, as the issue describes.
const cognito = new CognitoIdentityProviderClient({ region: required('AWS_REGION'), endpoint: required('COGNITO_ENDPOINT'), maxAttempts: 1 });

await producer.connect();
await consumer.connect();
await consumer.subscribe({ topic: topics.requested, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ message }) => {
    const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as RequestedEvent;
    const data = event.data ?? {};
    const command = new AdminCreateUserCommand({
      UserPoolId: data.userPoolId ?? userPoolId,
      Username: data.username,
      UserAttributes: Object.entries(data.attributes ?? {}).map(([Name, Value]) => ({ Name, Value })),
      MessageAction: data.messageAction,
    });
    let outcome: { topic: string; value: Record<string, unknown> };
    try {
      const { User } = await pRetry(() => cognito.send(command));
      outcome = { topic: topics.created, value: { requestId: event.id, username: User?.Username, userStatus: User?.UserStatus } };
    } catch (error) {
      outcome = { topic: topics.failed, value: { requestId: event.id, username: data.username, errorCode: error instanceof Error ? error.name : 'Error' } };
    }
    await producer.send({ topic: outcome.topic, messages: [{ key: message.key, value: JSON.stringify(outcome.value) }] });
  },
});
readyUntilSignal(async () => {
  await consumer.disconnect();
  await producer.disconnect();
  cognito.destroy();
});
