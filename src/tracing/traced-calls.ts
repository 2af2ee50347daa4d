import { SpanKind, SpanStatusCode, context, type Tracer } from '@opentelemetry/api';
import type { DirectoryCalls } from '../provisioning/directory-calls.port.ts';
import { DirectoryError } from '../provisioning/errors.ts';
import type { Limiter } from '../resilience/limiter.port.ts';

/**
 * A client span around each attempt of a Cognito call (AWS SDK conventions: rpc.system aws-api),
 * after the rate limiter granted its token. It is the active span while the call runs, so the
 * request's ClientMetadata carries it to the triggers.
 */
export function tracedDirectoryCalls(calls: DirectoryCalls, tracer: Tracer, region: string): DirectoryCalls {
  return {
    run(operation, call, budget, handBack) {
      let attempt = 0;
      return calls.run(operation, (signal) => {
        attempt += 1;
        const attributes = {
          'rpc.system': 'aws-api',
          'rpc.service': 'CognitoIdentityProvider',
          'rpc.method': operation,
          'cloud.region': region,
          'user_provisioner.attempt': attempt,
          // Counted across the request's operations: the retry budget (RETRY_MAX_ATTEMPTS) spends these.
          'user_provisioner.request_attempt': budget.attempts,
        };
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
 * A span for each wait on the rate limiter, from the call's arrival to its token, naming the quota
 * category. The call itself runs in the context it came from, not in the one that granted it.
 */
export function tracedLimiter(limiter: Limiter, tracer: Tracer): Limiter {
  return {
    throttled: (category) => limiter.throttled(category),
    stats: (category) => limiter.stats(category),
    stop: () => limiter.stop(),
    schedule(category, task, signal) {
      const arrived = performance.now();
      const queuedAhead = limiter.stats(category).queued;
      const caller = context.active();
      return limiter.schedule(category, context.bind(caller, () => {
        const waitedMs = performance.now() - arrived;
        tracer.startSpan('rate limiter wait', {
          startTime: arrived,
          attributes: {
            'user_provisioner.quota_category': category,
            'user_provisioner.limiter.queued_ahead': queuedAhead,
            'user_provisioner.limiter.wait_ms': Math.round(waitedMs * 1000) / 1000,
          },
        }, caller).end();
        return task();
      }), signal);
    },
  };
}
