// The service killed with SIGKILL in the middle of its work and started again: every input ends
// with an outcome, and no request becomes two users.
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { Cleanup } from '../support/cleanup.ts';
import { startCognitoFaultProxy, type CognitoFaultProxy } from '../support/cognito-fault-proxy.ts';
import { CognitoTestClient } from '../support/cognito-test-client.ts';
import { requestEvent, structured } from '../support/events.ts';
import { KafkaTestClient, type Topics } from '../support/kafka-test-client.ts';
import { answersFor } from '../support/outcomes.ts';
import { ServiceProcess } from '../support/service-process.ts';

const brokers = inject('kafkaBrokers');
const cognitoEndpoint = inject('cognitoEndpoint');
const EVENTS = 240;

let kafka: KafkaTestClient;
let cognito: CognitoTestClient;
let proxy: CognitoFaultProxy;
let topics: Topics;
let pool: string;
const cleanup = new Cleanup();

beforeAll(async () => {
  kafka = cleanup.add(new KafkaTestClient(brokers), (client) => client.close());
  cognito = cleanup.add(new CognitoTestClient(cognitoEndpoint), (client) => client.close());
  // Some latency on every call, so that a kill lands while calls and batches are in flight.
  proxy = cleanup.add(await startCognitoFaultProxy({ upstream: cognitoEndpoint, latency: { meanMs: 15, jitterMs: 10 } }), (started) => started.close());
  pool = await cognito.createPool();
  topics = await kafka.freshTopics(3);
  await kafka.watch(topics.created, topics.failed, topics.dlq);
});

// Registered last, the services stop first.
afterAll(() => cleanup.run());

it(`SIGKILL in the middle of ${EVENTS} events, twice, then a restart: every input has an outcome, no user twice`, async () => {
  const events = Array.from({ length: EVENTS }, (_, i) => requestEvent({ username: `crash-${i}`, attributes: { email: `crash-${i}@example.com` } }));
  await kafka.produce(topics.requested, events.map((event) => structured(event)));
  const answered = () => events.filter((event) => answersFor(kafka, topics, event.id).length > 0).length;
  const start = async () => {
    const service = await ServiceProcess.start({ brokers, cognitoEndpoint: proxy.endpoint, topics, userPoolId: pool, env: { COGNITO_RATE_LIMIT: '200' } });
    return cleanup.add(service, (started) => started.stop());
  };

  for (const killAt of [EVENTS / 4, EVENTS / 2]) {
    const service = await start();
    await kafka.waitFor(`${killAt} outcomes`, () => (answered() >= killAt ? true : undefined), 120_000);
    service.signal('SIGKILL');
    const exit = await service.exited;
    expect(exit.signal).toBe('SIGKILL');
  }
  const killedAt = answered();
  expect(killedAt).toBeLessThan(EVENTS);

  const last = await start();
  await kafka.waitFor('every input answered', () => (answered() === EVENTS ? true : undefined), 180_000);
  expect((await last.stop()).code).toBe(0);

  for (const event of events) {
    const answers = answersFor(kafka, topics, event.id);
    // Redelivery may publish an outcome again, but always the same kind, id and user.
    expect(new Set(answers.map((a) => a.kind))).toEqual(new Set(['created']));
    expect(new Set(answers.map((a) => a.event.id)).size).toBe(1);
    expect(new Set(answers.map((a) => (a.kind === 'created' ? a.event.data.sub : undefined))).size).toBe(1);
  }
  const users = await cognito.listUsers(pool);
  expect(users).toHaveLength(EVENTS);
  expect(new Set(users.map((u) => u.Username)).size).toBe(EVENTS);
  expect(kafka.read(topics.dlq)).toHaveLength(0);
  expect(kafka.read(topics.failed)).toHaveLength(0);
});
