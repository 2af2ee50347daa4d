// Many keys in flight at once, each key in order: a RESEND right after the create of the same
// user only succeeds if the create went first. Random latency on every Cognito call would
// reorder anything that was not kept in order.
import { expect, it } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import { answerFor } from '../support/outcomes.ts';
import { useTestStack } from '../support/test-stack.ts';

const USERS = 30;
const stack = useTestStack({ proxy: { latency: { meanMs: 30, jitterMs: 25 } }, service: { env: { COGNITO_RATE_LIMIT: '500', COGNITO_RATE_BURST: '50' } } });

it(`${USERS} users, each created and then re-invited in the same partition: every RESEND finds its user`, async () => {
  const { kafka, topics } = stack;
  const pairs = Array.from({ length: USERS }, (_, i) => {
    const username = `ordered-${i}`;
    return {
      create: requestEvent({ username, attributes: { email: `${username}@example.com` } }),
      resend: requestEvent({ username, messageAction: 'RESEND' }),
    };
  });
  // All creates first, then all re-invitations: each RESEND is only ever behind its own create.
  await kafka.produce(topics.requested, [
    ...pairs.map(({ create }) => structured(create)),
    ...pairs.map(({ resend }) => structured(resend)),
  ]);
  for (const { create, resend } of pairs) {
    const [created] = await answerFor(kafka, topics, create.id);
    const [resent] = await answerFor(kafka, topics, resend.id);
    expect(created?.kind).toBe('created');
    expect(resent).toMatchObject({ kind: 'created', event: { data: { alreadyExisted: true } } });
  }
});
