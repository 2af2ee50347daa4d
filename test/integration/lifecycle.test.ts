// Start-up and shutdown as the contract fixes them: configuration errors exit 2 with one line
// naming the variable, before connecting; SIGTERM and SIGINT drain and exit 0.
import { describe, expect, it } from 'vitest';
import { TEST_CREDENTIALS } from '../support/cognito-test-client.ts';
import { requestEvent, structured } from '../support/events.ts';
import { createdFor } from '../support/outcomes.ts';
import { ServiceProcess } from '../support/service-process.ts';
import { useTestStack } from '../support/test-stack.ts';

describe('a configuration error', () => {
  const valid = { KAFKA_BROKERS: '127.0.0.1:1', AWS_REGION: 'us-east-1', USER_POOL_ID: 'us-east-1_Example1', ...TEST_CREDENTIALS };
  const cases: { name: string; env: Record<string, string>; variable: string }[] = [
    { name: 'KAFKA_BROKERS missing', env: { KAFKA_BROKERS: '' }, variable: 'KAFKA_BROKERS' },
    { name: 'KAFKA_BROKERS without a port', env: { KAFKA_BROKERS: 'localhost' }, variable: 'KAFKA_BROKERS' },
    { name: 'AWS_REGION missing', env: { AWS_REGION: '' }, variable: 'AWS_REGION' },
    { name: 'METRICS_PORT not a number', env: { METRICS_PORT: 'ninety' }, variable: 'METRICS_PORT' },
    { name: 'COGNITO_RATE_LIMIT zero', env: { COGNITO_RATE_LIMIT: '0' }, variable: 'COGNITO_RATE_LIMIT' },
    { name: 'USER_POOL_ID outside ALLOWED_USER_POOL_IDS', env: { ALLOWED_USER_POOL_IDS: 'us-east-1_Other1' }, variable: 'USER_POOL_ID' },
    { name: 'KAFKA_SASL_MECHANISM scram without a password', env: { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'svc' }, variable: 'KAFKA_SASL_PASSWORD' },
  ];
  for (const { name, env, variable } of cases) {
    it(`${name}: exit 2 and one line on stderr naming ${variable}`, async () => {
      // KAFKA_BROKERS points nowhere: a process that tried to connect would not exit 2 at once.
      const service = ServiceProcess.spawn({ ...valid, ...env });
      const exit = await service.exited;
      expect(exit.code).toBe(2);
      expect(service.stderr).toHaveLength(1);
      expect(service.stderr[0]).toContain(variable);
      expect(service.stdout).toEqual([]);
    });
  }
});

describe('signals', () => {
  const stack = useTestStack({ service: false });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} drains, commits and exits 0; the next instance does not redo committed work`, async () => {
      const { kafka, topics } = stack;
      const first = await stack.startService();
      const event = requestEvent({ username: `signal-${signal}`, attributes: { email: 's@example.com' } });
      await kafka.produce(topics.requested, [structured(event)]);
      await createdFor(kafka, topics, event.id);
      first.signal(signal);
      expect((await first.exited).code).toBe(0);
      expect(first.logs.some((line) => line['msg'] === 'stopped')).toBe(true);

      const second = await stack.startService();
      const marker = requestEvent({ username: `after-${signal}`, attributes: { email: 'a@example.com' } });
      await kafka.produce(topics.requested, [structured(marker)]);
      await createdFor(kafka, topics, marker.id);
      expect((await second.stop()).code).toBe(0);
      // The offset was committed before exit: the second instance did not process the first event again.
      const outcomes = second.logs.filter((line) => line['msg'] === 'outcome');
      expect(outcomes.map((line) => line['requestId'])).toEqual([marker.id]);
    });
  }
});
