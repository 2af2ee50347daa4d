import type { UserCreatedEvent, UserProvisioningFailedEvent } from './events.ts';
import { json, type KafkaTestClient, type ReadMessage, type Topics } from './kafka-test-client.ts';

export type Answer =
  | { readonly kind: 'created'; readonly event: UserCreatedEvent; readonly message: ReadMessage }
  | { readonly kind: 'failed'; readonly event: UserProvisioningFailedEvent; readonly message: ReadMessage };

/** Every outcome published so far for a request id, on either outcome topic. */
export function answersFor(kafka: KafkaTestClient, topics: Topics, requestId: string): Answer[] {
  const created = kafka.read(topics.created)
    .map((message) => ({ kind: 'created' as const, event: json(message) as UserCreatedEvent, message }))
    .filter((answer) => answer.event.data.requestId === requestId);
  const failed = kafka.read(topics.failed)
    .map((message) => ({ kind: 'failed' as const, event: json(message) as UserProvisioningFailedEvent, message }))
    .filter((answer) => answer.event.data.requestId === requestId);
  return [...created, ...failed];
}

export async function answerFor(kafka: KafkaTestClient, topics: Topics, requestId: string, count = 1): Promise<Answer[]> {
  return kafka.waitFor(`${count} outcome(s) for ${requestId}`, () => {
    const answers = answersFor(kafka, topics, requestId);
    return answers.length >= count ? answers : undefined;
  });
}

export async function createdFor(kafka: KafkaTestClient, topics: Topics, requestId: string): Promise<UserCreatedEvent> {
  const [answer] = await answerFor(kafka, topics, requestId);
  if (answer?.kind !== 'created') throw new Error(`expected user.created.v1 for ${requestId}, got ${JSON.stringify(answer?.event)}`);
  return answer.event;
}

export async function failedFor(kafka: KafkaTestClient, topics: Topics, requestId: string): Promise<UserProvisioningFailedEvent> {
  const [answer] = await answerFor(kafka, topics, requestId);
  if (answer?.kind !== 'failed') throw new Error(`expected user.provisioning-failed.v1 for ${requestId}, got ${JSON.stringify(answer?.event)}`);
  return answer.event;
}
