// The fixture every integration test file starts from: Kafka and Cognito clients, the fault
// proxy in front of moto (or of the stricter Cognito model), a fresh pool and fresh topics, and
// (optionally) the service itself, all released in reverse order after the file's tests, even
// when setup failed half-way.
import { afterAll, beforeAll, expect, inject } from 'vitest';
import { Cleanup } from './cleanup.ts';
import { startCognitoFaultProxy, type CognitoFaultProxy, type ProxyOptions } from './cognito-fault-proxy.ts';
import { startCognitoModelServer, type CognitoModelServer, type ModelCall } from './cognito-model/http-front.ts';
import type { PoolDefinition, PoolFaults } from './cognito-model/pool-config.ts';
import { CognitoTestClient } from './cognito-test-client.ts';
import { KafkaTestClient, type Topics } from './kafka-test-client.ts';
import { ServiceProcess } from './service-process.ts';

export interface StackOptions {
  readonly partitions?: number;
  /** Quota and latency of the fault proxy. */
  readonly proxy?: Omit<ProxyOptions, 'upstream' | 'port'>;
  /** Start one service for the whole file with these extra variables; `false` to start them in the tests. */
  readonly service?: { readonly env?: Readonly<Record<string, string>> } | false;
  /**
   * Cognito as the stricter model (test/support/cognito-model/) instead of moto, with these pools:
   * the first is USER_POOL_ID, all are ALLOWED_USER_POOL_IDS.
   */
  readonly model?: { readonly pools: readonly [ModelPool, ...ModelPool[]] };
}

export interface ModelPool {
  readonly definition?: PoolDefinition;
  readonly faults?: PoolFaults;
}

export class TestStack {
  readonly brokers = inject('kafkaBrokers');
  readonly cognitoEndpoint = inject('cognitoEndpoint');
  readonly cleanup = new Cleanup();
  #kafka: KafkaTestClient | undefined;
  #cognito: CognitoTestClient | undefined;
  #proxy: CognitoFaultProxy | undefined;
  #topics: Topics | undefined;
  #pool: string | undefined;
  #model: CognitoModelServer | undefined;
  #pools: string[] = [];
  #service: ServiceProcess | undefined;

  get kafka(): KafkaTestClient {
    return ready(this.#kafka, 'kafka');
  }

  get cognito(): CognitoTestClient {
    return ready(this.#cognito, 'cognito');
  }

  get proxy(): CognitoFaultProxy {
    return ready(this.#proxy, 'proxy');
  }

  get topics(): Topics {
    return ready(this.#topics, 'topics');
  }

  get pool(): string {
    return ready(this.#pool, 'pool');
  }

  /** The Cognito model, when the stack runs on it. */
  get model(): CognitoModelServer {
    return ready(this.#model, 'model');
  }

  /** The model's pools, in the order of StackOptions.model.pools. */
  get pools(): readonly string[] {
    return this.#pools;
  }

  /** The model's AdminCreateUser calls on one pool (the log holds no request bodies). */
  adminCreateUserCalls(poolId: string): ModelCall[] {
    return this.model.calls.filter((call) => call.operation === 'AdminCreateUser' && call.userPoolId === poolId);
  }

  get service(): ServiceProcess {
    return ready(this.#service, 'service');
  }

  async setUp(options: StackOptions): Promise<void> {
    this.#kafka = this.cleanup.add(new KafkaTestClient(this.brokers), (client) => client.close());
    if (options.model) {
      const model = this.cleanup.add(await startCognitoModelServer(), (server) => server.close());
      this.#model = model;
      this.#pools = options.model.pools.map((pool) => model.model.createPool(pool.definition, pool.faults).Id);
    }
    const upstream = this.#model?.endpoint ?? this.cognitoEndpoint;
    this.#cognito = this.cleanup.add(new CognitoTestClient(upstream), (client) => client.close());
    this.#proxy = this.cleanup.add(await startCognitoFaultProxy({ upstream, ...options.proxy }), (proxy) => proxy.close());
    this.#pool = this.#pools[0] ?? (await this.#cognito.createPool());
    this.#topics = await this.#kafka.freshTopics(options.partitions ?? 1);
    await this.#kafka.watch(this.#topics.created, this.#topics.failed, this.#topics.dlq);
    if (options.service !== false) this.#service = await this.startService(options.service?.env);
  }

  /** A service on this stack's topics and pool, talking to Cognito through the proxy; it must stop with exit 0. */
  async startService(env: Readonly<Record<string, string>> = {}, options: { waitForReady?: boolean } = {}): Promise<ServiceProcess> {
    const service = await ServiceProcess.start({
      brokers: this.brokers,
      cognitoEndpoint: this.proxy.endpoint,
      topics: this.topics,
      userPoolId: this.pool,
      env: this.#pools.length > 1 ? { ALLOWED_USER_POOL_IDS: this.#pools.join(','), ...env } : env,
      ...(options.waitForReady === false ? { waitForReady: false } : {}),
    });
    return this.cleanup.add(service, async (running) => {
      const exit = await running.stop();
      // A process the test killed on purpose is not held to a clean exit.
      if (exit.signal !== 'SIGKILL') expect(exit.code).toBe(0);
    });
  }
}

/** Sets up a TestStack before the tests of the calling file (or describe block) and releases it after. */
export function useTestStack(options: StackOptions = {}): TestStack {
  const stack = new TestStack();
  beforeAll(() => stack.setUp(options));
  afterAll(() => stack.cleanup.run());
  return stack;
}

function ready<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`the test stack's ${name} is not set up (did beforeAll fail?)`);
  return value;
}
