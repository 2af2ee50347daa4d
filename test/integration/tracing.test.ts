// The spans the service exports over OTLP/HTTP to a receiver in this process, one trace per
// request: a created request, one retried twice after TooManyRequests, a failed one and dead
// letters; the outcome's traceparent and the ClientMetadata Cognito received, checked against them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import { json } from '../support/kafka-test-client.ts';
import { startOtlpReceiver, SPAN_KIND, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.ts';
import { createdFor, failedFor } from '../support/outcomes.ts';
import type { ServiceProcess } from '../support/service-process.ts';
import { useTestStack } from '../support/test-stack.ts';

const stack = useTestStack({ service: false });
let receiver: OtlpReceiver;
let service: ServiceProcess;
/** ClientMetadata of every AdminCreateUser call, by username, in the order the proxy saw them. */
const clientMetadata = new Map<string, Record<string, string>[]>();

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  stack.proxy.inject({
    operation: 'AdminCreateUser',
    match: (call) => {
      const username = String(call.body['Username']);
      clientMetadata.set(username, [...(clientMetadata.get(username) ?? []), (call.body['ClientMetadata'] ?? {}) as Record<string, string>]);
      return false;
    },
    fault: { kind: 'error', type: 'NeverSent' },
  });
  service = await stack.startService({
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_SERVICE_NAME: 'user-provisioner-under-test',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    RETRY_MIN_DELAY_MS: '20',
    RETRY_MAX_DELAY_MS: '100',
  });
});
afterAll(() => receiver.close());

const inputTrace = () => ({ traceId: randomUUID().replaceAll('-', ''), spanId: randomUUID().replaceAll('-', '').slice(0, 16) });
const traceparentOf = (span: { traceId: string; spanId: string }) => `00-${span.traceId}-${span.spanId}-01`;

/** The spans of one trace, once its process span and `count` spans in all are exported. */
async function traceOf(traceId: string, count: number): Promise<ReceivedSpan[]> {
  return stack.kafka.waitFor(`${count} spans of trace ${traceId}`, () => {
    const spans = receiver.spans.filter((span) => span.traceId === traceId);
    return spans.length >= count && spans.some((span) => span.kind === SPAN_KIND.consumer) ? spans : undefined;
  });
}

function only(spans: readonly ReceivedSpan[], predicate: (span: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const found = spans.filter(predicate);
  expect(found, what).toHaveLength(1);
  return found[0] as ReceivedSpan;
}

const childrenOf = (spans: readonly ReceivedSpan[], parent: ReceivedSpan) => spans.filter((span) => span.parentSpanId === parent.spanId);

describe('one trace per request', () => {
  it('a created request: process, AdminCreateUser after its limiter wait, and the outcome publish, the outcome and ClientMetadata carrying the service spans', async () => {
    const input = inputTrace();
    const username = `traced-${randomUUID().slice(0, 6)}`;
    const event = requestEvent({ username, attributes: { email: `${username}@example.com` } }, { traceparent: traceparentOf(input) });
    await stack.kafka.produce(stack.topics.requested, [structured(event)]);
    const created = await createdFor(stack.kafka, stack.topics, event.id);
    const spans = await traceOf(input.traceId, 3);
    // The exporter's default encoding.
    expect([...receiver.contentTypes]).toEqual(['application/json']);

    const process = only(spans, (span) => span.kind === SPAN_KIND.consumer, 'one process span');
    expect(process).toMatchObject({ name: `process ${stack.topics.requested}`, parentSpanId: input.spanId, serviceName: 'user-provisioner-under-test' });
    expect(process.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': stack.topics.requested,
      'messaging.destination.partition.id': '0',
      'messaging.consumer.group.name': `user-provisioner-${stack.topics.requested}`,
      'cloudevents.event_id': event.id,
      'user_provisioner.outcome': 'created',
      'user_provisioner.attempts': 1,
    });
    expect(typeof process.attributes['messaging.kafka.offset']).toBe('number');
    expect(childrenOf(spans, process).map((span) => span.name).sort()).toEqual(['CognitoIdentityProvider.AdminCreateUser', `send ${stack.topics.created}`]);
    const call = only(spans, (span) => span.kind === SPAN_KIND.client, 'one Cognito call');
    expect(call.attributes).toMatchObject({ 'rpc.system': 'aws-api', 'rpc.service': 'CognitoIdentityProvider', 'rpc.method': 'AdminCreateUser', 'user_provisioner.attempt': 1, 'user_provisioner.quota_category': 'user-creation' });
    expect(typeof call.attributes['user_provisioner.limiter.wait_ms']).toBe('number');
    expect(call.status).not.toBe(2);
    const publish = only(spans, (span) => span.kind === SPAN_KIND.producer, 'one publish');
    expect(publish.attributes).toMatchObject({ 'messaging.destination.name': stack.topics.created, 'messaging.operation.type': 'send' });

    // The service's own context goes on: to the outcome (attribute and header) and to the triggers.
    expect(created.traceparent).toBe(traceparentOf(process));
    const [message] = stack.kafka.read(stack.topics.created).filter((m) => (json(m) as { id: string }).id === created.id);
    expect(message?.headers['traceparent']).toBe(traceparentOf(process));
    expect(clientMetadata.get(username)).toEqual([{ traceparent: traceparentOf(call) }]);

    // No personal data in any span; every log line of the request carries its trace.
    expect(JSON.stringify(spans)).not.toContain(username);
    const lines = service.logs.filter((line) => line['requestId'] === event.id);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ trace_id: input.traceId, span_id: process.spanId });
  });

  it('a request retried twice after TooManyRequests: a Cognito span per attempt, throttled ones marked, each attempt telling the triggers its own span', async () => {
    const input = inputTrace();
    const username = `throttled-${randomUUID().slice(0, 6)}`;
    stack.proxy.inject({ operation: 'AdminCreateUser', match: (call) => call.body['Username'] === username, times: 2, fault: { kind: 'error', type: 'TooManyRequestsException', message: 'Rate exceeded' } });
    const event = requestEvent({ username }, { traceparent: traceparentOf(input) });
    await stack.kafka.produce(stack.topics.requested, [structured(event)]);
    const created = await createdFor(stack.kafka, stack.topics, event.id);
    const spans = await traceOf(input.traceId, 5);

    const process = only(spans, (span) => span.kind === SPAN_KIND.consumer, 'one process span');
    expect(process.attributes).toMatchObject({ 'user_provisioner.outcome': 'created', 'user_provisioner.attempts': 3 });
    const calls = spans.filter((span) => span.kind === SPAN_KIND.client).sort((a, b) => Number(a.attributes['user_provisioner.attempt']) - Number(b.attributes['user_provisioner.attempt']));
    expect(calls.map((span) => [span.parentSpanId, span.attributes['user_provisioner.attempt'], span.attributes['error.type'], span.attributes['http.response.status_code'], span.status])).toEqual([
      [process.spanId, 1, 'TooManyRequestsException', 400, 2],
      [process.spanId, 2, 'TooManyRequestsException', 400, 2],
      [process.spanId, 3, undefined, undefined, 0],
    ]);
    // Each attempt waited for a token of its own.
    for (const call of calls) expect(typeof call.attributes['user_provisioner.limiter.wait_ms']).toBe('number');
    expect(created.traceparent).toBe(traceparentOf(process));
    expect(clientMetadata.get(username)).toEqual(calls.map((span) => ({ traceparent: traceparentOf(span) })));
  });

  it("a request whose clientMetadata sets traceparent keeps it; a failed one's span is an error naming the broken rule", async () => {
    const input = inputTrace();
    const username = `own-context-${randomUUID().slice(0, 6)}`;
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const kept = requestEvent({ username, clientMetadata: { traceparent: own } }, { traceparent: traceparentOf(input) });
    // A username with a space breaks the schema's pattern: a failed outcome, no Cognito call.
    const invalidTrace = inputTrace();
    const invalid = requestEvent({ username: 'has a space' }, { traceparent: traceparentOf(invalidTrace) });
    await stack.kafka.produce(stack.topics.requested, [structured(kept), structured(invalid)]);
    await createdFor(stack.kafka, stack.topics, kept.id);
    expect(clientMetadata.get(username)).toEqual([{ traceparent: own }]);

    const failed = await failedFor(stack.kafka, stack.topics, invalid.id);
    const spans = await traceOf(invalidTrace.traceId, 2);
    const process = only(spans, (span) => span.kind === SPAN_KIND.consumer, 'one process span');
    expect(process).toMatchObject({ parentSpanId: invalidTrace.spanId, status: 2 });
    expect(process.attributes).toMatchObject({ 'user_provisioner.outcome': 'failed', 'user_provisioner.reason': 'invalid-event' });
    const rules = failed.data.violations?.map((violation) => violation.rule) ?? [];
    expect(rules.length).toBeGreaterThan(0);
    expect(process.events.map((e) => e.attributes['user_provisioner.violation.rule'])).toEqual(rules);
    expect(spans.filter((span) => span.kind === SPAN_KIND.client)).toEqual([]);
    only(spans, (span) => span.kind === SPAN_KIND.producer && span.attributes['messaging.destination.name'] === stack.topics.failed, 'the failed outcome published');
    expect(failed.traceparent).toBe(traceparentOf(process));
  });

  it('dead letters: a span parented to a valid traceparent header, a new trace when there is none', async () => {
    const input = inputTrace();
    const key = `dead-${randomUUID().slice(0, 6)}`;
    await stack.kafka.produce(stack.topics.requested, [
      { key, value: 'not json', headers: { traceparent: traceparentOf(input) } },
      { key: `${key}-untraced`, value: 'not json either', headers: {} },
    ]);
    await stack.kafka.waitFor('two dead letters', () => (stack.kafka.read(stack.topics.dlq).filter((m) => m.key?.startsWith(key)).length >= 2 ? true : undefined));
    const spans = await traceOf(input.traceId, 2);
    const process = only(spans, (span) => span.kind === SPAN_KIND.consumer, 'one process span');
    expect(process).toMatchObject({ parentSpanId: input.spanId, status: 2 });
    expect(process.attributes).toMatchObject({ 'user_provisioner.outcome': 'dead_letter', 'user_provisioner.reason': 'not-json' });
    const letter = only(spans, (span) => span.kind === SPAN_KIND.producer, 'the dead letter published');
    expect(letter).toMatchObject({ name: `send ${stack.topics.dlq}`, parentSpanId: process.spanId });
    expect(letter.attributes).toMatchObject({ 'user_provisioner.dead_letter.error_class': 'not-json' });

    const untraced = await stack.kafka.waitFor('the untraced dead letter exported', () => receiver.spans.find((span) =>
      span.kind === SPAN_KIND.consumer && span.attributes['user_provisioner.outcome'] === 'dead_letter' && span.traceId !== input.traceId && span.parentSpanId === undefined));
    expect(untraced.attributes).toMatchObject({ 'user_provisioner.reason': 'not-json' });
  });
});

describe('metrics join the trace', () => {
  it('an OpenMetrics scrape shows trace ids as exemplars of the end-to-end and Cognito call histograms', async () => {
    const port = service.metricsPort;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { accept: 'application/openmetrics-text;version=1.0.0' } })).text();
    const traced = new Set(receiver.spans.map((span) => span.traceId));
    for (const histogram of ['user_provisioner_end_to_end_latency_seconds_bucket', 'user_provisioner_cognito_call_duration_seconds_bucket']) {
      const exemplars = [...text.matchAll(new RegExp(`^${histogram}\\{[^}]*\\} \\d+ # \\{trace_id="([0-9a-f]{32})",span_id="[0-9a-f]{16}"\\}`, 'gm'))].map((match) => match[1]);
      expect(exemplars.length, histogram).toBeGreaterThan(0);
      for (const traceId of exemplars) expect(traced.has(traceId ?? '')).toBe(true);
    }
  });
});
