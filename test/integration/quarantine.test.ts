// Quarantine: when most requests fail (here a producer sends events of the wrong shape), the
// service stops instead of turning the whole topic into failed outcomes; it says so on /readyz
// and in a metric, and nothing is lost: a restart without the cause answers the rest.
import { expect, it } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import { answersFor } from '../support/outcomes.ts';
import { metricValue } from '../support/service-process.ts';
import { useTestStack } from '../support/test-stack.ts';

const stack = useTestStack({ service: false });

it('trips on a failure share over the threshold, goes not-ready, and loses nothing', async () => {
  const { kafka, topics } = stack;
  const broken = Array.from({ length: 60 }, (_, i) => requestEvent({ username: `wrong shape ${i}` }));
  await kafka.produce(topics.requested, broken.map((event, i) => structured(event, `k${i % 7}`)));

  const quarantined = await stack.startService(
    { QUARANTINE_FAILURE_RATIO: '0.5', QUARANTINE_MIN_OUTCOMES: '10', QUARANTINE_WINDOW_MS: '60000', MAX_IN_FLIGHT: '4' },
    // With the backlog waiting it quarantines at once: it may never be ready.
    { waitForReady: false },
  );
  await quarantined.waitUntil('serving', () => quarantined.metricsPort !== undefined);
  await quarantined.waitUntil('quarantined', async () => metricValue(await quarantined.metrics(), 'user_provisioner_quarantined') === 1);
  expect(await quarantined.probe('/readyz')).toBe(503);
  expect(await quarantined.probe('/healthz')).toBe(200);
  // The failures that tripped it (QUARANTINE_MIN_OUTCOMES) were published before the metric moved;
  // the test's own consumer may still be reading them.
  const answered = () => broken.filter((event) => answersFor(kafka, topics, event.id).length > 0).length;
  const answeredBefore = await kafka.waitFor('the ten failures that tripped it', () => (answered() >= 10 ? answered() : undefined));
  expect(answeredBefore).toBeLessThan(broken.length);
  expect((await quarantined.stop()).code).toBe(0);

  // The operator fixed the producer's release (here: nothing to fix but to restart without the
  // quarantine); the held-back requests are answered, each exactly once... or again, identically.
  await stack.startService();
  await kafka.waitFor('every request answered', () => (broken.every((event) => answersFor(kafka, topics, event.id).length > 0) ? true : undefined));
  for (const event of broken) {
    const answers = answersFor(kafka, topics, event.id);
    expect(new Set(answers.map((a) => a.event.id)).size).toBe(1);
    expect(answers[0]).toMatchObject({ kind: 'failed', event: { data: { reason: 'invalid-event' } } });
  }
});
