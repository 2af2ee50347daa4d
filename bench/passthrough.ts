// The yardstick of the raw scenario: kafkajs consuming the input and producing every message
// unchanged to the created topic, nothing else. It is given the best kafkajs pattern (a whole
// batch in one send, the same idempotent acks=all producer as the service, offsets committed
// after the send), so the ratio measures what the service adds over Kafka itself.
// Configured by the environment the bench passes; prints "ready" once consuming.
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { hideNegativeTimeoutWarning } from '../src/adapters/kafka/negative-timeout-warning.ts';
import { readyUntilSignal, required } from './bench-env.ts';

const input = required('TOPIC_REQUESTED');
const output = required('TOPIC_CREATED');
hideNegativeTimeoutWarning();
const kafka = new Kafka({ clientId: 'bench-passthrough', brokers: required('KAFKA_BROKERS').split(','), logLevel: logLevel.ERROR });
const consumer = kafka.consumer({ groupId: required('KAFKA_GROUP_ID') });
const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });

await producer.connect();
await consumer.connect();
await consumer.subscribe({ topic: input, fromBeginning: true });
await consumer.run({
  partitionsConsumedConcurrently: 16,
  eachBatch: async ({ batch }) => {
    if (batch.messages.length === 0) return;
    await producer.send({
      topic: output,
      acks: -1,
      messages: batch.messages.map((message) => ({ key: message.key, value: message.value, headers: message.headers ?? {} })),
    });
  },
});
readyUntilSignal(async () => {
  await consumer.disconnect();
  await producer.disconnect();
});
