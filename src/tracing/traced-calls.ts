import { SpanKind, SpanStatusCode, context, createContextKey, type Attributes, type Tracer } from '@opentelemetry/api';
import type { DirectoryCalls } from '../provisioning/directory-calls.port.ts';
import { DirectoryError } from '../provisioning/errors.ts';
import type { Limiter } from '../resilience/limiter.port.ts';

/** How long a call waited for its token: set by tracedLimiter, read by the call's span. */
interface LimiterWait {
  readonly category: string;
  readonly queuedAhead: number;
  readonly waitedMs: number;
}

const LIMITER_WAIT = createContextKey('user-provisioner rate limiter wait');

/**
 * A client span around each attempt of a Cognito call (AWS SDK conventions: rpc.system aws-api),
 * after the rate limiter granted its token, with that wait among its attributes. It is the active
 * span while the call runs, so the request's ClientMetadata carries it to the triggers.
 */
export function tracedDirectoryCalls(calls: DirectoryCalls, tracer: Tracer, region: string): DirectoryCalls {
  return {
    run(operation, call, budget, handBack) {
      let attempt = 0;
      return calls.run(operation, (signal) => {
        attempt += 1;
        const attributes: Attributes = {
          'rpc.system': 'aws-api',
          'rpc.service': 'CognitoIdentityProvider',
          'rpc.method': operation,
          'cloud.region': region,
          'user_provisioner.attempt': attempt,
          // Counted across the request's operations: the retry budget (RETRY_MAX_ATTEMPTS) spends these.
          'user_provisioner.request_attempt': budget.attempts,
        };
        const wait = context.active().getValue(LIMITER_WAIT) as LimiterWait | undefined;
        if (wait !== undefined) {
          attributes['user_provisioner.quota_category'] = wait.category;
          attributes['user_provisioner.limiter.queued_ahead'] = wait.queuedAhead;
          attributes['user_provisioner.limiter.wait_ms'] = Math.round(wait.waitedMs * 1000) / 1000;
        }
        return tracer.startActiveSpan(`CognitoIdentityProvider.${operation}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
          try {
            return await call(signal);
          } catch (error) {
            // The name and status only: Cognito's messages may quote the username.
            const name = error instanceof DirectoryError ? error.code : error instanceof Error ? error.name : 'Error';
            span.setAttribute('error.type', name);
            if (error instanceof DirectoryError && error.httpStatus !== undefined) span.setAttribute('http.response.status_code', error.httpStatus);
            span.setStatus({ code: SpanStatusCode.ERROR, message: name });
            throw error;
          } finally {
            span.end();
          }
        });
      }, budget, handBack);
    },
  };
}

/**
 * Measures each wait on the rate limiter, from the call's arrival to its token, for the span of
 * the call it held back (a span of its own would be a quarter more spans per request for one
 * number). The call runs in the context it came from, not in the one that granted the token.
 */
export function tracedLimiter(limiter: Limiter): Limiter {
  return {
    throttled: (category) => limiter.throttled(category),
    stats: (category) => limiter.stats(category),
    stop: () => limiter.stop(),
    schedule(category, task, signal) {
      const arrived = performance.now();
      const queuedAhead = limiter.stats(category).queued;
      const caller = context.active();
      return limiter.schedule(category, () => {
        const wait: LimiterWait = { category, queuedAhead, waitedMs: performance.now() - arrived };
        return context.with(caller.setValue(LIMITER_WAIT, wait), task);
      }, signal);
    },
  };
}
