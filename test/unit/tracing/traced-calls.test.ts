import { ROOT_CONTEXT, SpanKind, context, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DirectoryError } from '../../../src/provisioning/errors.ts';
import type { Limiter, QuotaCategory } from '../../../src/resilience/limiter.port.ts';
import { tracedDirectoryCalls, tracedLimiter } from '../../../src/tracing/traced-calls.ts';
import { activeTraceparent } from '../../../src/tracing/traceparent.ts';
import { RecordingLimiter } from '../../support/fakes/recording-limiter.ts';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('test');
const manager = new AsyncLocalStorageContextManager();

beforeAll(() => void context.setGlobalContextManager(manager.enable()));
afterAll(() => {
  manager.disable();
  context.disable();
});
beforeEach(() => exporter.reset());

/** A limiter that grants its tokens later, from a context of its own, as the token queue does. */
class LateLimiter extends RecordingLimiter {
  readonly #granted: (() => void)[] = [];

  override schedule<T>(category: QuotaCategory, task: () => Promise<T>): Promise<T> {
    this.scheduled.push(category);
    return new Promise<T>((resolve, reject) => this.#granted.push(() => void task().then(resolve, reject)));
  }

  grantAllFrom(granting: Context): void {
    context.with(granting, () => this.#granted.splice(0).forEach((start) => start()));
  }
}

describe('tracedLimiter', () => {
  it("runs the call in its caller's context, not the granting one, and gives the call's span its wait and quota category", async () => {
    const limiter = new LateLimiter();
    const traced: Limiter = tracedLimiter(limiter);
    const calls = tracedDirectoryCalls({
      run: (_operation, call, budget) => traced.schedule('user-creation', () => {
        budget.attempts++;
        return call(undefined);
      }),
    }, tracer, 'eu-west-1');
    const caller = tracer.startSpan('process');
    const other = tracer.startSpan('another message');
    const seen = context.with(trace.setSpan(ROOT_CONTEXT, caller), () => calls.run('AdminCreateUser', () => Promise.resolve(trace.getActiveSpan()), { attempts: 0, startedAt: 0 }));
    limiter.grantAllFrom(trace.setSpan(ROOT_CONTEXT, other));
    const active = await seen;
    const [call] = exporter.getFinishedSpans();
    expect(call?.name).toBe('CognitoIdentityProvider.AdminCreateUser');
    expect(active?.spanContext().spanId).toBe(call?.spanContext().spanId);
    expect(call?.parentSpanContext?.spanId).toBe(caller.spanContext().spanId);
    expect(call?.attributes).toMatchObject({ 'user_provisioner.quota_category': 'user-creation', 'user_provisioner.limiter.queued_ahead': 0 });
    expect(typeof call?.attributes['user_provisioner.limiter.wait_ms']).toBe('number');
  });
});

describe('tracedDirectoryCalls', () => {
  it('makes one client span per attempt, active while it runs, with the attempt, and the error name and HTTP status of a failure', async () => {
    // Retries like the real loop: again after a transient failure.
    const calls = tracedDirectoryCalls({
      async run(_operation, call, budget) {
        for (;;) {
          budget.attempts++;
          try {
            return await call(undefined);
          } catch (error) {
            if (budget.attempts >= 3) throw error;
          }
        }
      },
    }, tracer, 'eu-west-1');
    const contexts: (string | undefined)[] = [];
    let failures = 2;
    const result = await calls.run('AdminCreateUser', () => {
      contexts.push(activeTraceparent());
      return failures-- > 0 ? Promise.reject(new DirectoryError('TooManyRequestsException', 'Rate exceeded', { httpStatus: 400 })) : Promise.resolve('done');
    }, { attempts: 0, startedAt: 0 });
    expect(result).toBe('done');
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => [span.name, span.kind, span.attributes['user_provisioner.attempt'], span.attributes['error.type'], span.attributes['http.response.status_code']])).toEqual([
      ['CognitoIdentityProvider.AdminCreateUser', SpanKind.CLIENT, 1, 'TooManyRequestsException', 400],
      ['CognitoIdentityProvider.AdminCreateUser', SpanKind.CLIENT, 2, 'TooManyRequestsException', 400],
      ['CognitoIdentityProvider.AdminCreateUser', SpanKind.CLIENT, 3, undefined, undefined],
    ]);
    expect(spans[0]?.attributes).toMatchObject({ 'rpc.system': 'aws-api', 'rpc.service': 'CognitoIdentityProvider', 'rpc.method': 'AdminCreateUser', 'cloud.region': 'eu-west-1' });
    // No limiter in between, no wait to tell.
    expect(spans[0]?.attributes['user_provisioner.limiter.wait_ms']).toBeUndefined();
    expect(contexts).toEqual(spans.map((span) => `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`));
  });
});

describe('the tracing wrappers and the hand-back', () => {
  it('pass the signal of a revoked partition on to the limiter and the call loop they wrap', async () => {
    const handBack = new AbortController();
    const seen: (AbortSignal | undefined)[] = [];
    const limiter = new (class extends RecordingLimiter {
      override schedule<T>(category: QuotaCategory, task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
        seen.push(signal);
        return super.schedule(category, task);
      }
    })();
    await tracedLimiter(limiter).schedule('user-read', () => Promise.resolve(1), handBack.signal);
    const calls = tracedDirectoryCalls({
      run(_operation, call, _budget, signal) {
        seen.push(signal);
        return call(undefined);
      },
    }, tracer, 'eu-west-1');
    await calls.run('AdminGetUser', () => Promise.resolve(1), { attempts: 0, startedAt: 0 }, handBack.signal);
    expect(seen).toEqual([handBack.signal, handBack.signal]);
  });
});
