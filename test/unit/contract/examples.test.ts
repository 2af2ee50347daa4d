import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { personalData } from '../../../src/adapters/logger.ts';
import { createRequestDecoder } from '../../../src/events/decode-request.ts';
import type { InboundMessage, OutboundMessage } from '../../../src/events/message.ts';
import { compileValidators } from '../../../src/events/schemas.ts';
import { handleMessage, type OutputTopic } from '../../../src/pipeline/handle-message.ts';
import { provisionUser } from '../../../src/provisioning/provision-user.ts';
import { FakeDirectory } from '../../support/fakes/fake-directory.ts';
import { InlineCalls } from '../../support/fakes/inline-calls.ts';
import { RecordingMetrics } from '../../support/fakes/recording-metrics.ts';

// The examples in schemas/examples are one conversation, and the code must hold up its side:
// the structured and binary requests are the same request, and what the service publishes for
// the requests (and for a message that is no event) is exactly the outcome examples.

const POOL = 'us-east-1_Example1';
type Json = Record<string, unknown>;
interface MessageExample { headers: Record<string, string>; payload: unknown }

function example(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../schemas/examples/${name}.json`, import.meta.url), 'utf8')) as unknown;
}

function inbound(value: string, headers: Record<string, string>, offset: string, key: string): InboundMessage {
  return {
    topic: 'user-requested',
    partition: 0,
    offset,
    key: Buffer.from(key),
    value: Buffer.from(value),
    headers: Object.fromEntries(Object.entries(headers).map(([name, text]) => [name, Buffer.from(text)])),
    timestamp: '1795338000000',
  };
}

const structuredHeaders = { 'content-type': 'application/cloudevents+json' };
const decode = createRequestDecoder({ validators: compileValidators(), maxMessageBytes: 262_144 });

/** Runs one message through the real handler with a fake Cognito; returns what it published. */
async function publishedFor(message: InboundMessage, createdAt = new Date(0)) {
  const directory = new FakeDirectory({ now: () => createdAt });
  const published: { topic: OutputTopic; message: OutboundMessage }[] = [];
  await handleMessage(message, {
    decode,
    provision: (request) => provisionUser(request, { directory, calls: new InlineCalls(), pools: { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) } }),
    publish: (topic, outbound) => {
      published.push({ topic, message: outbound });
      return Promise.resolve();
    },
    metrics: new RecordingMetrics(),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    personal: personalData(false),
  });
  expect(published).toHaveLength(1);
  const [only] = published;
  if (only === undefined) throw new Error('nothing published');
  return { topic: only.topic, key: only.message.key?.toString(), headers: only.message.headers, value: String(only.message.value) };
}

describe('the examples in schemas/examples', () => {
  it('the binary example is the structured request in binary mode', () => {
    const structured = decode(inbound(JSON.stringify(example('user.requested.v1.structured')), structuredHeaders, '0', 'jdoe'));
    const binary = example('user.requested.v1.binary') as MessageExample;
    const decodedBinary = decode(inbound(JSON.stringify(binary.payload), binary.headers, '0', 'jdoe'));
    expect(structured.kind).toBe('request');
    expect(decodedBinary).toEqual({ ...structured, mode: 'binary' });
  });

  it('the service answers the structured request with the created example', async () => {
    const created = example('user.created.v1') as { data: { sub: string; createdAt: string } };
    const out = await publishedFor(
      inbound(JSON.stringify(example('user.requested.v1.structured')), structuredHeaders, '0', 'jdoe'),
      new Date(created.data.createdAt),
    );
    // The fake directory makes up its own sub; everything else must be what the code emits.
    const event = JSON.parse(out.value.replaceAll(/00000000-0000-4000-8000-\d{12}/g, created.data.sub)) as unknown;
    expect({ topic: out.topic, key: out.key, event }).toEqual({ topic: 'created', key: 'jdoe', event: created });
    expect(out.headers['traceparent']).toBe((example('user.requested.v1.structured') as Json)['traceparent']);
  });

  it('the service answers the invalid request with the failed example', async () => {
    const failed = example('user.provisioning-failed.v1') as { data: { source: { offset: string } } };
    const out = await publishedFor(inbound(JSON.stringify(example('user.requested.v1.invalid')), structuredHeaders, failed.data.source.offset, 'asmith'));
    expect({ topic: out.topic, key: out.key, event: JSON.parse(out.value) as unknown }).toEqual({ topic: 'failed', key: 'asmith', event: failed });
  });

  it('the service turns a message that is no event into the dead-letter example', async () => {
    const deadLetter = example('user-requested.dlq') as MessageExample;
    const { origin } = deadLetter.headers;
    const out = await publishedFor(inbound(String(deadLetter.payload), { origin: origin ?? '' }, deadLetter.headers['dlq-source-offset'] ?? '', 'garbage'));
    const headers = Object.fromEntries(Object.entries(out.headers).map(([name, value]) => [name, String(value)]));
    expect({ topic: out.topic, value: out.value, headers }).toEqual({ topic: 'dlq', value: deadLetter.payload, headers: deadLetter.headers });
  });
});
