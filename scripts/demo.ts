// `npm run demo`: starts the local stack (scripts/stack.ts: Kafka in KRaft mode from Maven
// Central, moto as Cognito from PyPI) on 9092 and 5000 (KAFKA_PORT, MOTO_PORT), runs the service
// against them, feeds it the example events of schemas/examples and prints what comes out. The
// stack is left running; `npm run stack:down` stops it.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CognitoIdentityProviderClient, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { Kafka, logLevel } from 'kafkajs';
import { hideNegativeTimeoutWarning } from '../src/adapters/kafka/negative-timeout-warning.ts';
import { localPorts, startKafka, startMoto } from './stack.ts';


const root = new URL('../', import.meta.url).pathname;
const example = (name: string) => JSON.parse(readFileSync(`${root}schemas/examples/${name}.json`, 'utf8')) as Record<string, unknown> & { data: Record<string, unknown> };

console.log('Starting Kafka and moto (the first run downloads them)...');
const ports = localPorts();
const { brokers } = await startKafka({ port: ports.kafka, progress: true });
const { endpoint } = await startMoto({ port: ports.moto, progress: true });
const credentials = { accessKeyId: 'demo', secretAccessKey: 'demo' };
const cognito = new CognitoIdentityProviderClient({ endpoint, region: 'us-east-1', credentials });
const pool = (await cognito.send(new CreateUserPoolCommand({
  PoolName: 'user-provisioner-demo',
  Schema: [{ Name: 'employee_id', AttributeDataType: 'String', Mutable: true }],
}))).UserPool?.Id;
if (pool === undefined) throw new Error('moto created no pool');
console.log(`Kafka at ${brokers}, moto at ${endpoint}, user pool ${pool}`);

const service = spawn(process.execPath, [`${root}src/main.ts`], {
  env: {
    ...process.env,
    KAFKA_BROKERS: brokers,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    COGNITO_ENDPOINT: endpoint,
    USER_POOL_ID: pool,
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const metricsPort = process.env['METRICS_PORT'] ?? '9464';
for (let ready = false; !ready;) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  if (service.exitCode !== null) throw new Error(`the service exited with ${service.exitCode}`);
  ready = await fetch(`http://127.0.0.1:${metricsPort}/readyz`).then((r) => r.ok, () => false);
}
console.log(`The service is ready: http://127.0.0.1:${metricsPort}/metrics\n`);

// The examples, with fresh ids so that every run is a new request.
const structured = example('user.requested.v1.structured');
const invalid = example('user.requested.v1.invalid');
const jdoe = { ...structured, id: randomUUID() };
const rroe = { ...structured, id: randomUUID(), data: { ...structured.data, username: 'rroe', attributes: { email: 'rroe@example.com', given_name: 'Richard' } } };
const asmith = { ...invalid, id: randomUUID() };
const asStructured = (event: typeof jdoe) => ({ key: String(event.data['username']), value: JSON.stringify(event), headers: { 'content-type': 'application/cloudevents+json' } });
hideNegativeTimeoutWarning();
const kafka = new Kafka({ clientId: 'user-provisioner-demo', brokers: [brokers], logLevel: logLevel.NOTHING });
const producer = kafka.producer();
await producer.connect();
await producer.send({
  topic: 'user-requested',
  messages: [
    asStructured(jdoe),
    // Binary mode: the attributes travel as ce_* headers and the value is the data alone.
    {
      key: 'rroe',
      value: JSON.stringify(rroe.data),
      headers: { 'content-type': 'application/json', ce_specversion: '1.0', ce_id: rroe.id, ce_source: 'urn:example:workday', ce_type: 'user.requested.v1' },
    },
    asStructured(asmith),
    { key: 'garbage', value: 'this is not an event' },
  ],
});
await producer.disconnect();
console.log('Sent 3 requests (structured, binary mode, invalid) and one message that is no event.\n');

const ids = new Set<string>([jdoe.id, rroe.id, asmith.id]);
const consumer = kafka.consumer({ groupId: `demo-reader-${randomUUID()}` });
await consumer.connect();
await consumer.subscribe({ topics: ['user-created', 'user-provisioning-failed', 'user-requested.dlq'], fromBeginning: true });
let seen = 0;
await new Promise<void>((resolve) => {
  void consumer.run({
    eachMessage: ({ topic, message }) => {
      const text = message.value?.toString() ?? '';
      if (topic === 'user-requested.dlq') {
        if (message.key?.toString() !== 'garbage' || text !== 'this is not an event') return Promise.resolve();
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        console.log(`--- ${topic} (key ${message.key.toString()})\n${JSON.stringify(headers, null, 2)}\n`);
      } else {
        const event = JSON.parse(text) as { data: { requestId: string } };
        if (!ids.has(event.data.requestId)) return Promise.resolve();
        console.log(`--- ${topic} (key ${message.key?.toString() ?? ''})\n${JSON.stringify(event, null, 2)}\n`);
      }
      if (++seen === 4) resolve();
      return Promise.resolve();
    },
  });
});
await consumer.disconnect();

service.kill('SIGTERM');
await new Promise((resolve) => service.once('exit', resolve));
cognito.destroy();
console.log('The service stopped. Kafka and moto are still running: `npm run stack:down` stops them.');
