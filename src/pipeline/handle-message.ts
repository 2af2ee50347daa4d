import { trace } from '@opentelemetry/api';
import type { Decoded } from '../events/decode-request.ts';
import { deadLetter } from '../events/dead-letter.ts';
import { encodeOutcome, type OutcomeContext } from '../events/encode-outcome.ts';
import { headerText, type InboundMessage, type OutboundMessage } from '../events/message.ts';
import type { PersonalDataMask } from '../events/personal-data.port.ts';
import type { Outcome } from '../provisioning/outcome.ts';
import { SystemicError } from '../provisioning/errors.ts';
import type { ProvisionRequest } from '../provisioning/request.ts';
import { MessageTrace, type MessageTracing } from '../tracing/message-trace.ts';
import type { OutcomeLabel, PipelineMetrics } from './metrics.port.ts';

export type OutputTopic = 'created' | 'failed' | 'dlq';

export interface OutcomeLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface MessageHandlerDeps {
  readonly decode: (message: InboundMessage) => Decoded;
  /** Rejects with the signal's reason once the signal aborts. */
  readonly provision: (request: ProvisionRequest, signal?: AbortSignal) => Promise<Outcome>;
  /** Resolves once the broker has acknowledged the message. */
  readonly publish: (topic: OutputTopic, message: OutboundMessage) => Promise<void>;
  readonly metrics: PipelineMetrics;
  readonly log: OutcomeLog;
  /** Hashes personal data unless the operator opted in. */
  readonly personal: PersonalDataMask;
  readonly now?: () => number;
  /** The spans of each message; without, the API's no-op tracer (the trace context still goes on). */
  readonly tracing?: HandlerTracing;
}

export interface HandlerTracing extends MessageTracing {
  /** The topic each output goes to, named by the producer spans. */
  readonly destinations: Readonly<Record<OutputTopic, string>>;
}

const UNTRACED: HandlerTracing = {
  tracer: trace.getTracer('user-provisioner'),
  consumerGroup: '',
  destinations: { created: 'created', failed: 'failed', dlq: 'dlq' },
};

/**
 * One input message to exactly one acknowledged outcome: a created event, a failed event or a
 * dead letter. Throws only for infrastructure: a SystemicError (the caller pauses and calls
 * again), the hand-back (`signal`: shutdown or the partition revoked), or a publish the broker did
 * not acknowledge. Once `signal` has aborted nothing more is published.
 */
export async function handleMessage(message: InboundMessage, deps: MessageHandlerDeps, signal?: AbortSignal): Promise<void> {
  const now = deps.now ?? Date.now;
  const started = now();
  const spanStart = performance.now();
  const decoded = deps.decode(message);
  deps.metrics.received(message.topic, decoded.mode);
  const origin = { topic: message.topic, partition: message.partition, offset: message.offset };
  const tracing = deps.tracing ?? UNTRACED;
  const span = new MessageTrace(tracing, message, inputTraceparent(decoded, message), spanStart);
  try {
    await span.run(answer);
  } catch (error) {
    span.interrupted(error);
    throw error;
  } finally {
    span.end();
  }

  // The last look before the send. A send that starts before the abort is awaited, and the batch
  // returns only then: kafkajs rejoins the group only after every batch returned (2.2.4,
  // fetchManager.js stop before runner.js joinAndSync), so the partition is still this member's.
  function publish(topic: OutputTopic, outbound: OutboundMessage, attributes: Record<string, string> = {}): Promise<void> {
    signal?.throwIfAborted();
    return span.publish(tracing.destinations[topic], attributes, () => deps.publish(topic, outbound));
  }

  async function answer(): Promise<void> {
    if (decoded.kind === 'dead-letter') {
      await publish('dlq', deadLetter(message, decoded.errorClass, decoded.message), { 'user_provisioner.dead_letter.error_class': decoded.errorClass });
      finish('dead_letter', decoded.errorClass, { errorClass: decoded.errorClass, error: decoded.message }, 'warn');
      return;
    }

    let outcome: Outcome;
    let context: OutcomeContext;
    if (decoded.kind === 'invalid') {
      outcome = { kind: 'invalid', userPoolId: decoded.userPoolId, violations: decoded.violations };
      span.request(decoded.requestId, decoded.mode);
      context = { requestId: decoded.requestId, username: decoded.username, traceparent: span.outcomeTraceparent(), key: message.key, origin };
    } else {
      const { request } = decoded;
      span.request(request.requestId, decoded.mode);
      try {
        outcome = await deps.provision(request, signal);
      } catch (error) {
        // A hand-back returns the message unfinished; a systemic error pauses the consumer.
        if (error instanceof SystemicError || signal?.aborted) throw error;
        // A bug met by one message must not block its partition forever: it becomes a dead
        // letter, which can be sent again once the bug is fixed.
        await publish('dlq', deadLetter(message, 'processing-error', 'the service failed to process this request; see its logs'), { 'user_provisioner.dead_letter.error_class': 'processing-error' });
        deps.log.error({ err: error, requestId: request.requestId, ...origin }, 'unexpected error while provisioning');
        finish('dead_letter', 'processing-error', { requestId: request.requestId, errorClass: 'processing-error' }, 'warn');
        return;
      }
      context = { requestId: request.requestId, username: request.username, traceparent: span.outcomeTraceparent(), key: message.key, origin };
    }

    if (outcome.kind === 'invalid') span.violations(outcome.violations);
    const encoded = encodeOutcome(outcome, context);
    await publish(encoded.topic, encoded.message);
    if (encoded.topic === 'created') {
      const { data } = encoded.event;
      // The user exists, its invitation does not: a success that someone must follow up.
      const undelivered = data.invitationDelivered === false;
      if (undelivered) deps.metrics.invitationUndelivered();
      const fields = { ...describe(data.requestId, context, outcome), ...(undelivered ? { invitationDelivered: false } : {}) };
      finish(data.alreadyExisted ? 'already_existed' : 'created', 'none', fields, undelivered ? 'warn' : 'info');
    } else {
      const { data } = encoded.event;
      finish('failed', data.reason, { ...describe(context.requestId, context, outcome), reason: data.reason, errorCode: data.errorCode, error: hidePersonal(data.message, context.username) }, 'warn');
    }
  }

  function finish(label: OutcomeLabel, reason: string, fields: Record<string, unknown>, level: 'info' | 'warn'): void {
    deps.metrics.outcome(label, reason);
    span.outcome(label, reason, spanDetails(fields));
    const timestamp = Number(message.timestamp);
    if (Number.isFinite(timestamp) && timestamp > 0) deps.metrics.endToEnd(Math.max(0, now() - timestamp) / 1000);
    deps.log[level]({ ...fields, outcome: label, ...origin, durationMs: now() - started }, 'outcome');
  }

  /**
   * Messages from Cognito and its triggers may quote the username: hash it there too. A username
   * of one or two characters identifies nobody, and replacing every "a" in a message would bloat
   * the log line many times over: those are left as they are.
   */
  function hidePersonal(text: string, username: string | undefined): string {
    const shown = deps.personal(username);
    return username === undefined || username.length < 3 || shown === undefined ? text : text.split(username).join(shown);
  }

  function describe(requestId: string, ctx: OutcomeContext, result: Outcome): Record<string, unknown> {
    return {
      requestId,
      username: deps.personal(ctx.username),
      userPoolId: result.userPoolId,
      attempts: 'attempts' in result ? result.attempts : 0,
    };
  }
}


/** The context the input names: the event's (or its header's) for a request, the header's for a dead letter. */
function inputTraceparent(decoded: Decoded, message: InboundMessage): string | undefined {
  return decoded.kind === 'request' ? decoded.request.traceparent
    : decoded.kind === 'invalid' ? decoded.traceparent
    : headerText(message.headers, 'traceparent');
}

/** The outcome's log fields a span may hold: never the username, nor a message that may quote it. */
function spanDetails(fields: Record<string, unknown>): Record<string, string | number> {
  const details: Record<string, string | number> = {};
  if (typeof fields['userPoolId'] === 'string') details['user_provisioner.user_pool_id'] = fields['userPoolId'];
  if (typeof fields['attempts'] === 'number') details['user_provisioner.attempts'] = fields['attempts'];
  if (typeof fields['errorCode'] === 'string') details['error.type'] = fields['errorCode'];
  return details;
}
