import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { InboundMessage } from '../events/message.ts';
import type { Violation } from '../provisioning/request.ts';
import { formatTraceparent, parseTraceparent } from './traceparent.ts';

/** What the message spans need beyond the message: where the tracer is and the consumer group. */
export interface MessageTracing {
  readonly tracer: Tracer;
  readonly consumerGroup: string;
}

// Spans hold no personal data: no message key, username or email; request and pool ids are not.
const MAX_VIOLATION_EVENTS = 10;

/**
 * The consumer `process` span of one input message (OpenTelemetry messaging conventions),
 * parented to the input's trace context when it has a valid one and a new trace otherwise.
 */
export class MessageTrace {
  readonly #tracing: MessageTracing;
  readonly #span: Span;
  readonly #context: Context;
  readonly #input: string | undefined;

  constructor(tracing: MessageTracing, message: InboundMessage, input: string | undefined, startTime: number) {
    this.#tracing = tracing;
    this.#input = input;
    const remote = parseTraceparent(input);
    const parent = remote === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, remote);
    this.#span = tracing.tracer.startSpan(`process ${message.topic}`, {
      kind: SpanKind.CONSUMER,
      startTime,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.operation.name': 'process',
        'messaging.destination.name': message.topic,
        'messaging.destination.partition.id': String(message.partition),
        'messaging.kafka.offset': Number(message.offset),
        'messaging.consumer.group.name': tracing.consumerGroup,
        'messaging.message.body.size': message.value?.length ?? 0,
        ...(input !== undefined && remote === undefined ? { 'user_provisioner.trace_context': 'malformed' } : {}),
      },
    }, parent);
    this.#context = trace.setSpan(parent, this.#span);
  }

  /** Runs `work` with the process span active: log lines, limiter and Cognito spans join it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return context.with(this.#context, work);
  }

  /**
   * The trace context the outcome carries on: the service's own span, a child of the input's.
   * Without an SDK the span is the input's context itself, so the input's text goes on unchanged.
   */
  outcomeTraceparent(): string | undefined {
    const own = this.#span.spanContext();
    const passedThrough = !this.#span.isRecording() && own.spanId === parseTraceparent(this.#input)?.spanId;
    if (passedThrough || !trace.isSpanContextValid(own)) return this.#input;
    return formatTraceparent(own);
  }

  request(requestId: string, mode: string): void {
    this.#span.setAttributes({ 'cloudevents.event_id': requestId, 'cloudevents.event_type': 'user.requested.v1', 'user_provisioner.cloudevents_mode': mode });
  }

  /** One event per broken rule, naming the rule and the field (never its value). */
  violations(violations: readonly Violation[]): void {
    for (const { rule, field } of violations.slice(0, MAX_VIOLATION_EVENTS)) {
      this.#span.addEvent('validation failed', { 'user_provisioner.violation.rule': rule, 'user_provisioner.violation.field': field });
    }
  }

  /** The outcome's publish as a producer span, child of the process span. */
  async publish<T>(destination: string, attributes: Record<string, string>, send: () => Promise<T>): Promise<T> {
    const span = this.#tracing.tracer.startSpan(`send ${destination}`, {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'send',
        'messaging.destination.name': destination,
        ...attributes,
      },
    }, this.#context);
    try {
      return await send();
    } catch (error) {
      failed(span, error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** How the message ended; a failed outcome or a dead letter marks the span as an error. */
  outcome(label: string, reason: string, details: Record<string, string | number>): void {
    this.#span.setAttributes({ 'user_provisioner.outcome': label, 'user_provisioner.reason': reason, ...details });
    if (label === 'failed' || label === 'dead_letter') this.#span.setStatus({ code: SpanStatusCode.ERROR, message: reason });
  }

  /** The message was not finished: a systemic error, a shutdown, a publish not acknowledged. */
  interrupted(error: unknown): void {
    failed(this.#span, error);
  }

  end(): void {
    this.#span.end();
  }
}

/** The error's name only: Cognito's and Kafka's messages may quote the username. */
function failed(span: Span, error: unknown): void {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const name = typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error';
  span.setAttribute('error.type', name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: name });
}
