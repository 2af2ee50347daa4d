// The kafkajs client both Kafka adapters build: SASL/TLS, logging, the one producer, message conversion.
import { createRequire } from 'node:module';
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import {
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type KafkaMessage,
  type LogEntry,
  type Message,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { Config } from '../../config.ts';
import type { InboundMessage, OutboundMessage } from '../../events/message.ts';
import type { Logger } from '../logger.ts';
import { hideNegativeTimeoutWarning } from './negative-timeout-warning.ts';

/** Every send waits for all in-sync replicas. */
export const ACKS_ALL = -1;

export function newKafkaClient(config: Config['kafka'], region: string | undefined, logger: Logger): Kafka {
  if (config.sasl?.mechanism === 'aws' && region === undefined) throw new Error('MSK IAM needs a region to sign its tokens');
  hideNegativeTimeoutWarning();
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    ssl: config.ssl,
    ...(config.sasl ? { sasl: saslOptions(config.sasl, region ?? '') } : {}),
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => (entry: LogEntry) => logKafka(logger, entry),
  });
}

/** The idempotent producer, one request on the wire so a retry cannot reorder messages. */
export function newProducer(kafka: Kafka, options: { allowAutoTopicCreation?: boolean } = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    ...options,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** The kafkajs SASL settings for a configured mechanism (exported for its unit test). */
export function saslOptions(sasl: NonNullable<Config['kafka']['sasl']>, region: string): SASLOptions {
  switch (sasl.mechanism) {
    case 'aws':
      // MSK IAM: a token signed with the default AWS credential chain, renewed by kafkajs.
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
      };
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
  }
}

export function toKafkaMessage(message: OutboundMessage): Message {
  return { key: message.key, value: message.value, headers: { ...message.headers } };
}

export function toInbound(topic: string, partition: number, message: KafkaMessage): InboundMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key,
    value: message.value,
    headers: message.headers ?? {},
    timestamp: message.timestamp,
  };
}

function logKafka(logger: Logger, entry: LogEntry): void {
  // Keep kafkajs's fields but never its whole config (it could carry SASL credentials).
  const { message, timestamp: _timestamp, sasl: _sasl, ...fields } = entry.log as Record<string, unknown> & { message: string };
  logger.child({ component: 'kafkajs', namespace: entry.namespace })[kafkaLogLevel(entry)](fields, message);
}

// kafkajs logs a broker's error answer at error level by its text alone; its own error table
// says which answers it retries (a coordinator still loading at start, say), and those it recovers from.
const retriableAnswers = new Set(
  (createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: { message: string; retriable: boolean }[] }).errorCodes
    .filter((code) => code.retriable)
    .map((code) => code.message),
);

// The consumer's crash on such an answer (Kafka 4.1's coordinator loading at the first JoinGroup) and
// its own restart after any crash: kafkajs's consumer/index.js onCrash logs both at error. The crash
// line of an answer it does not retry stays an error.
const RETRIED_CRASH = /^Crash: KafkaJSProtocolError: (.*)$/;
const RESTART = /^Restarting the consumer in \d+ms$/;

/** The level of a kafkajs log line: a retried broker answer is a warning, not an error that pages someone. */
export function kafkaLogLevel({ level, log }: Pick<LogEntry, 'level' | 'log'>): 'error' | 'warn' | 'debug' {
  if (level !== KafkaLogLevel.ERROR) return level === KafkaLogLevel.WARN ? 'warn' : 'debug';
  const { error: answer, message } = log as Record<string, unknown>;
  if (typeof answer === 'string' && retriableAnswers.has(answer)) return 'warn';
  if (typeof message !== 'string') return 'error';
  const crash = RETRIED_CRASH.exec(message)?.[1];
  return RESTART.test(message) || (crash !== undefined && retriableAnswers.has(crash)) ? 'warn' : 'error';
}
