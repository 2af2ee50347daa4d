// Property-based: generated bad input (test/support/arbitraries.ts) through the decoder and the
// provisioning rules, with an in-memory directory. Each input carries its expected answer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_HEADERS, deadLetter } from '../../../src/events/dead-letter.ts';
import { createRequestDecoder, type Decoded } from '../../../src/events/decode-request.ts';
import { encodeOutcome, type OutcomeEvent } from '../../../src/events/encode-outcome.ts';
import type { OutboundMessage } from '../../../src/events/message.ts';
import { compileValidators } from '../../../src/events/schemas.ts';
import type { Outcome } from '../../../src/provisioning/outcome.ts';
import { provisionUser } from '../../../src/provisioning/provision-user.ts';
import {
  amplifyingInput, anyMessage, badInput, goodRequest, isQuoteOf, MARKER_PASSWORD, RAW_CANARY, type LabelledMessage,
} from '../../support/arbitraries.ts';
import { anInboundMessage, POOL } from '../../support/builders.ts';
import { FakeDirectory } from '../../support/fakes/fake-directory.ts';
import { InlineCalls } from '../../support/fakes/inline-calls.ts';

const validators = compileValidators();
// Small, so that oversized input is cheap to generate; the size property below uses the default.
const MAX_MESSAGE_BYTES = 16 * 1024;
const DEFAULT_MAX_MESSAGE_BYTES = 262_144;
/** Kafka's default max.message.bytes: the broker refuses a larger answer, and the input never gets one. */
const KAFKA_MAX_MESSAGE_BYTES = 1_048_588;
// What the service says in its own words is printable ASCII; anything else was quoted from the input.
const OWN_WORDS = /^[\x20-\x7e]+$/;

interface Answer {
  readonly decoded: Decoded;
  readonly outcome: Outcome | undefined;
  /** The failed or created event, or the dead letter. */
  readonly published: OutcomeEvent | OutboundMessage;
  readonly directory: FakeDirectory;
}

/** What the service does with one message, short of Kafka: decode, provision, encode. */
async function answer(input: Pick<LabelledMessage, 'value' | 'headers'>, maxMessageBytes = MAX_MESSAGE_BYTES): Promise<Answer> {
  const decode = maxMessageBytes === MAX_MESSAGE_BYTES ? decodeSmall : decodeDefault;
  const message = anInboundMessage({ value: input.value, headers: input.headers });
  const decoded = decode(message);
  const directory = new FakeDirectory();
  if (decoded.kind === 'dead-letter') {
    return { decoded, outcome: undefined, published: deadLetter(message, decoded.errorClass, decoded.message), directory };
  }
  const outcome: Outcome = decoded.kind === 'invalid'
    ? { kind: 'invalid', userPoolId: decoded.userPoolId, violations: decoded.violations }
    : await provisionUser(decoded.request, { directory, calls: new InlineCalls(), pools: { defaultUserPoolId: POOL, allowedUserPoolIds: new Set([POOL]) }, now: () => 0 });
  const context = decoded.kind === 'invalid' ? decoded : { ...decoded.request };
  const published = encodeOutcome(outcome, { ...context, key: message.key, origin: { topic: message.topic, partition: message.partition, offset: message.offset } });
  return { decoded, outcome, published, directory };
}

const decodeSmall = createRequestDecoder({ validators, maxMessageBytes: MAX_MESSAGE_BYTES });
const decodeDefault = createRequestDecoder({ validators, maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES });

function expectWellFormed(decoded: Decoded): void {
  if (decoded.kind === 'dead-letter') expect(decoded.message).toMatch(OWN_WORDS);
  if (decoded.kind !== 'invalid') return;
  expect(decoded.violations.length).toBeGreaterThan(0);
  for (const violation of decoded.violations) {
    expect(violation.field).not.toBe('');
    expect(violation.rule).not.toBe('');
    expect(violation.message).toMatch(OWN_WORDS);
  }
}

function expectAsLabelled(input: LabelledMessage, { decoded, outcome, directory }: Answer): void {
  const { expected, label } = input;
  const said = decoded.kind === 'dead-letter' ? `dead letter ${decoded.errorClass}` : JSON.stringify(outcome);
  const context = `${label}: expected ${JSON.stringify(expected)}, got ${said}`;
  if (expected.outcome === 'dead-letter') {
    expect(decoded.kind === 'dead-letter' ? decoded.errorClass : decoded.kind, context).toBe(expected.errorClass);
    return;
  }
  if (expected.outcome === 'failed' && expected.reason === 'invalid-event' && expected.by === 'schema') {
    // The decoder answers these itself, before any rule or pool is looked at.
    expect(decoded.kind, context).toBe('invalid');
    if (decoded.kind === 'invalid') expect(isQuoteOf(decoded.requestId, input.requestId ?? ''), `${context}: request id`).toBe(true);
  } else {
    expect(decoded.kind, context).toBe('request');
    if (decoded.kind === 'request') expect(decoded.request.requestId, context).toBe(input.requestId);
  }
  if (expected.outcome === 'created') {
    expect(outcome?.kind, context).toBe('created');
    expect(directory.createRequests, context).toHaveLength(1);
    return;
  }
  expect(directory.createRequests, `${context}: no directory call`).toHaveLength(0);
  if (expected.reason === 'pool-not-allowed') {
    expect(outcome, context).toEqual({ kind: 'pool_not_allowed', userPoolId: expected.userPoolId });
    return;
  }
  expect(outcome?.kind, context).toBe('invalid');
  const fields = outcome?.kind === 'invalid' ? outcome.violations.map((v) => v.field) : [];
  expect(fields.some((field) => isQuoteOf(field, expected.field)), `${context}: names ${expected.field}`).toBe(true);
}

/** Every string a consumer or an operator could see: the published value and headers. */
function visibleText(published: Answer['published']): string {
  if ('event' in published) return JSON.stringify(published.message);
  // A dead letter's value and input headers are the input unchanged, by contract: only what the service adds counts.
  const own = Object.values(DEAD_LETTER_HEADERS).map((name) => String(published.headers[name]));
  return own.join('\n');
}

const labelled = fc.oneof({ arbitrary: badInput({ maxMessageBytes: MAX_MESSAGE_BYTES }), weight: 19 }, { arbitrary: goodRequest(), weight: 1 });

describe('decoding generated input (property-based)', () => {
  it('answers every input the way its label says, with an outcome event its schema accepts', async () => {
    await fc.assert(
      fc.asyncProperty(labelled, async (input) => {
        const result = await answer(input);
        expectAsLabelled(input, result);
        expectWellFormed(result.decoded);
        if ('event' in result.published) {
          const validate = result.published.topic === 'created' ? validators.created : validators.failed;
          expect(validate(result.published.event), JSON.stringify(validate.errors)).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('never repeats the temporary password or quotes raw input in what it publishes', async () => {
    await fc.assert(
      fc.asyncProperty(labelled, async (input) => {
        const { decoded, published } = await answer(input);
        const text = visibleText(published);
        expect(text).not.toContain(MARKER_PASSWORD);
        expect(text).not.toContain(RAW_CANARY);
        // The decoded request holds the password only inside a Secret.
        expect(JSON.stringify(decoded)).not.toContain(MARKER_PASSWORD);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on any message at all, and says something well formed about it', async () => {
    await fc.assert(
      fc.asyncProperty(anyMessage(), async (message) => {
        const { decoded, published } = await answer(message);
        expectWellFormed(decoded);
        if ('event' in published && published.topic === 'failed') expect(validators.failed(published.event)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps a failed event well under Kafka\'s message limit, however many fields the input breaks', async () => {
    await fc.assert(
      fc.asyncProperty(amplifyingInput({ maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES }), async (input) => {
        const result = await answer(input, DEFAULT_MAX_MESSAGE_BYTES);
        expectAsLabelled(input, result);
        if (!('event' in result.published)) throw new Error(`${input.label}: expected a failed event`);
        const { value } = result.published.message;
        const size = typeof value === 'string' ? Buffer.byteLength(value) : value?.length ?? 0;
        expect(size, `${input.label}: a ${input.value?.length ?? 0}-byte input gave a ${size}-byte failed event`).toBeLessThan(KAFKA_MAX_MESSAGE_BYTES / 4);
      }),
      { numRuns: 12 },
    );
  });
});
