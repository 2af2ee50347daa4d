// TLS and SASL/SCRAM end to end. This file starts a broker of its own with a SASL_SSL listener
// (the stack's startKafka with `secure`: a throwaway CA, SCRAM users added at format time) on
// free ports, so its data dir is apart from the suite's shared broker. The service trusts that CA
// only through NODE_EXTRA_CA_CERTS (no code of its own reads a CA), as a deployment would with a
// private CA. Everything it prints, publishes and serves is then scanned for the secrets used.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startKafka } from '../../scripts/stack.ts';
import { Cleanup } from '../support/cleanup.ts';
import { freePorts } from '../support/loopback.ts';
import { CognitoTestClient } from '../support/cognito-test-client.ts';
import { requestEvent, structured } from '../support/events.ts';
import { KafkaTestClient, type Topics } from '../support/kafka-test-client.ts';
import { createdFor, failedFor } from '../support/outcomes.ts';
import { metricValue, ServiceProcess } from '../support/service-process.ts';

type ScramMechanism = 'scram-sha-256' | 'scram-sha-512';

// Random per run, so a match in the scans can only come from this run. The script accepts no
// comma, quote, backslash or whitespace in the SCRAM password; a UUID has none.
const SCRAM_USERNAME = `svc-${randomUUID().slice(0, 8)}`;
const SCRAM_PASSWORD = `Sasl-${randomUUID()}`;
const WRONG_PASSWORD = `Wrong-${randomUUID()}`;

interface SecureBroker {
  readonly brokers: string;
  readonly caFile: string;
}

const cleanup = new Cleanup();
const cognitoEndpoint = inject('cognitoEndpoint');
let broker: SecureBroker;
let cognito: CognitoTestClient;
let pool: string;

beforeAll(async () => {
  broker = await startSecureBroker(cleanup);
  cognito = cleanup.add(new CognitoTestClient(cognitoEndpoint), (client) => client.close());
  pool = await cognito.createPool();
}, 600_000); // The first start may fetch Kafka's jars.

afterAll(() => cleanup.run());

describe.each(['scram-sha-512', 'scram-sha-256'] as const)('the service over SASL_SSL with %s', (mechanism) => {
  it('turns a request produced over TLS and SCRAM into user.created.v1; no secret shows anywhere', async () => {
    const kafka = secureTestClient(mechanism);
    const topics = await kafka.freshTopics();
    await kafka.watch(topics.created, topics.failed, topics.dlq);
    const service = await startService(topics, mechanism, SCRAM_PASSWORD);

    const temporaryPassword = `Tmp-${randomUUID().slice(0, 8)}!Aa1`;
    // Invalid because of the password itself: the failure must name the field, never the value.
    const badTemporaryPassword = `Tmp ${randomUUID().slice(0, 8)} !Aa1`;
    const valid = requestEvent({ userPoolId: pool, username: `tls-${mechanism}`, attributes: { email: 'tls@example.com' }, temporaryPassword });
    const invalid = requestEvent({ userPoolId: pool, username: `tls-bad-${mechanism}`, temporaryPassword: badTemporaryPassword });
    // Not JSON, yet it holds the password: the dead letter keeps the value as it came (the
    // contract says so), but its headers are the service's own words.
    const garbage = { key: `garbage-${mechanism}`, value: `{"data":{"temporaryPassword":"${temporaryPassword}"` };
    await kafka.produce(topics.requested, [structured(valid), structured(invalid), garbage]);

    const created = await createdFor(kafka, topics, valid.id);
    expect(created.data).toMatchObject({ username: `tls-${mechanism}`, userPoolId: pool, userStatus: 'FORCE_CHANGE_PASSWORD', alreadyExisted: false });
    const failed = await failedFor(kafka, topics, invalid.id);
    expect(failed.data).toMatchObject({ reason: 'invalid-event', retryable: false });
    expect(failed.data.violations).toContainEqual(expect.objectContaining({ field: 'data.temporaryPassword' }));
    const [letter] = await kafka.waitForCount(topics.dlq, 1);
    expect(letter?.headers['dlq-error-class']).toBe('not-json');

    const metrics = await service.metrics();
    expect(metricValue(metrics, 'user_provisioner_outcomes_total', { outcome: 'created' })).toBe(1);
    expect(metricValue(metrics, 'user_provisioner_outcomes_total', { outcome: 'failed' })).toBe(1);
    expect(metricValue(metrics, 'user_provisioner_outcomes_total', { outcome: 'dead_letter' })).toBe(1);
    // Stopped before the scan, so the shutdown's log lines are scanned too.
    expect((await service.stop()).code).toBe(0);

    const captured = [
      ...service.stdout,
      ...service.stderr,
      ...[topics.created, topics.failed].flatMap((topic) => kafka.read(topic).map((m) => `${m.value?.toString('utf8') ?? ''}\n${JSON.stringify(m.headers)}`)),
      ...kafka.read(topics.dlq).map((m) => JSON.stringify(m.headers)),
      metrics,
    ].join('\n');
    expect(service.logs.some((line) => line['msg'] === 'consuming')).toBe(true);
    for (const secret of [SCRAM_PASSWORD, temporaryPassword, badTemporaryPassword]) expect(captured).not.toContain(secret);
  });

  it('with a wrong password: never ready, exits 1 naming the SASL failure, and never prints the password', async () => {
    const kafka = secureTestClient(mechanism);
    const topics = await kafka.freshTopics();
    const service = await startService(topics, mechanism, WRONG_PASSWORD, { waitForReady: false });

    // The broker refuses the credentials, kafkajs does not retry that (a non-retriable error),
    // and the service crashes at start-up: a restart with backoff is the orchestrator's job.
    // Until then /readyz must never have said ready. (How many answers it gave before the exit
    // depends on speed, so only their value is checked; the case below holds 503 for seconds.)
    const readiness = await readinessUntilExit(service);
    const exit = await service.exited;
    expect(exit.code).toBe(1);
    expect(readiness.filter((status) => status !== undefined && status !== 503)).toEqual([]);
    const fatal = service.logs.find((line) => line['level'] === 'fatal');
    expect(JSON.stringify(fatal)).toContain('KafkaJSSASLAuthenticationError');

    const captured = [...service.stdout, ...service.stderr].join('\n');
    expect(captured).toContain('authentication failed');
    expect(captured).not.toContain(WRONG_PASSWORD);
  });
});

describe('the service without the CA', () => {
  it('does not trust the broker certificate: never ready, and it exits 1 naming the certificate', async () => {
    // The same settings minus NODE_EXTRA_CA_CERTS: proof that TLS verifies the broker.
    const topics = await secureTestClient('scram-sha-512').freshTopics();
    const service = await startService(topics, 'scram-sha-512', SCRAM_PASSWORD, { waitForReady: false, trustCa: false });

    // A TLS failure is a connection error, which kafkajs retries a few times before giving up.
    const readiness = await readinessUntilExit(service);
    expect((await service.exited).code).toBe(1);
    expect(readiness).toContain(503);
    expect(readiness.filter((status) => status !== undefined && status !== 503)).toEqual([]);
    expect(service.stdout.join('\n')).toContain('self-signed certificate in certificate chain');
    expect([...service.stdout, ...service.stderr].join('\n')).not.toContain(SCRAM_PASSWORD);
  });
});

/** A broker of this file's own, with the secure listener, stopped (and its data dir deleted) by `steps`. */
async function startSecureBroker(steps: Cleanup): Promise<SecureBroker> {
  const [port, controllerPort, securePort] = await freePorts(3);
  if (port === undefined || controllerPort === undefined || securePort === undefined) throw new Error('no free ports');
  const kafka = await startKafka({ port, controllerPort, secure: { port: securePort, username: SCRAM_USERNAME, password: SCRAM_PASSWORD } });
  steps.add(kafka, (started) => started.stop());
  if (kafka.secure === undefined) throw new Error('the broker has no SASL_SSL listener');
  return kafka.secure;
}

/** A test client with the settings the service gets, but the CA given directly (NODE_EXTRA_CA_CERTS is read at start). */
function secureTestClient(mechanism: ScramMechanism): KafkaTestClient {
  const credentials = { username: SCRAM_USERNAME, password: SCRAM_PASSWORD };
  const client = new KafkaTestClient(broker.brokers, {
    ssl: { ca: [readFileSync(broker.caFile, 'utf8')] },
    // kafkajs types each mechanism on its own: a union-typed one does not fit.
    sasl: mechanism === 'scram-sha-256' ? { mechanism, ...credentials } : { mechanism, ...credentials },
  });
  return cleanup.add(client, (running) => running.close());
}

async function startService(
  topics: Topics,
  mechanism: ScramMechanism,
  password: string,
  { waitForReady = true, trustCa = true }: { waitForReady?: boolean; trustCa?: boolean } = {},
): Promise<ServiceProcess> {
  const service = await ServiceProcess.start({
    brokers: broker.brokers,
    cognitoEndpoint,
    topics,
    userPoolId: pool,
    env: {
      // The most the service ever logs is what the scans look through.
      LOG_LEVEL: 'trace',
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: SCRAM_USERNAME,
      KAFKA_SASL_PASSWORD: password,
      ...(trustCa ? { NODE_EXTRA_CA_CERTS: broker.caFile } : {}),
    },
    waitForReady,
  });
  return cleanup.add(service, (running) => running.stop());
}

/** Every /readyz answer from the moment the service listens until it exits (undefined: no answer). */
async function readinessUntilExit(service: ServiceProcess, timeoutMs = 90_000): Promise<(number | undefined)[]> {
  let exited = false;
  void service.exited.then(() => {
    exited = true;
  });
  const answers: (number | undefined)[] = [];
  const deadline = Date.now() + timeoutMs;
  while (!exited) {
    if (Date.now() > deadline) throw new Error('the service kept running with a wrong SASL password');
    if (service.metricsPort !== undefined) answers.push(await service.probe('/readyz'));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return answers;
}
