// Wires the adapters to the pipeline and runs the service. The only file that knows them all.
import { Registry } from 'prom-client';
import { createCognitoDirectory } from './adapters/cognito-directory.ts';
import { startHttpServer } from './adapters/http-server.ts';
import { createKafkaTransport } from './adapters/kafka/transport.ts';
import { createLogger, personalData, type Logger } from './adapters/logger.ts';
import { createPrometheusMetrics } from './adapters/prometheus-metrics.ts';
import { startTracing } from './adapters/tracing.ts';
import { createRedisTokenSources } from './adapters/redis/token-source.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createRequestDecoder } from './events/decode-request.ts';
import type { InboundMessage } from './events/message.ts';
import { compileValidators } from './events/schemas.ts';
import { handleMessage, type MessageHandlerDeps, type OutputTopic } from './pipeline/handle-message.ts';
import { ServiceHealth } from './pipeline/health.ts';
import { InFlightSlots } from './pipeline/in-flight-slots.ts';
import { reportPoolConfiguration } from './pipeline/pool-configuration-report.ts';
import { processBatch } from './pipeline/process-batch.ts';
import { Quarantine, feedingQuarantine, stopConsumption } from './pipeline/quarantine.ts';
import { shutdownSequence } from './pipeline/shutdown.ts';
import { SystemicPause, pauseConsumption } from './pipeline/systemic-pause.ts';
import { PoolConfigurations } from './provisioning/pool-configurations.ts';
import { provisionUser } from './provisioning/provision-user.ts';
import { DEFAULT_ADAPTATION } from './resilience/adaptive-rate.ts';
import { createDirectoryCalls } from './resilience/directory-calls.ts';
import { QUOTA_CATEGORIES, perQuotaCategory } from './resilience/limiter.port.ts';
import { LocalTokenSource } from './resilience/local-token-source.ts';
import { createTokenQueueLimiter, localTokenSources } from './resilience/token-queue-limiter.ts';
import { activeTraceparent } from './tracing/traceparent.ts';
import { tracedDirectoryCalls, tracedLimiter } from './tracing/traced-calls.ts';
import { tuning } from './tuning.ts';

/** Exit 2 is a configuration error, any other non-zero exit a crash (README, exit codes). */
const EXIT_CONFIG_ERROR = 2;

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`user-provisioner: configuration error: ${error.message}\n`);
    process.exitCode = EXIT_CONFIG_ERROR;
    return;
  }
  const logger = createLogger({ level: config.logLevel });
  try {
    await run(config, logger, env);
  } catch (error) {
    logger.fatal({ err: error }, 'crashed');
    process.exit(1);
  }
}

async function run(config: Config, logger: Logger, env: NodeJS.ProcessEnv): Promise<void> {
  const rates = { ratePerSecond: config.cognito.rateLimit, burst: config.cognito.rateBurst };
  // With REDIS_URL the quota is one bucket for every replica; without, each replica has its own.
  const shared = config.redisUrl === undefined
    ? undefined
    : createRedisTokenSources({ redisUrl: config.redisUrl, namespace: config.kafka.groupId, ...rates, adaptation: DEFAULT_ADAPTATION, fallback: (share) => new LocalTokenSource(share), logger }, QUOTA_CATEGORIES);
  const limiter = createTokenQueueLimiter(shared?.sources ?? localTokenSources(perQuotaCategory(() => rates)));
  const registry = new Registry();
  // Off (the API's no-op tracer, nothing wrapped) unless the OTEL_* variables name a collector.
  const tracing = startTracing({ env, registry, log: logger });
  const { tracer } = tracing;
  const kafka = createKafkaTransport({ kafka: config.kafka, region: config.cognito.region, logger, partitionsConsumedConcurrently: tuning.kafka.partitionsConsumedConcurrently });
  const slots = new InFlightSlots(config.maxInFlight);
  // Built once the directory calls exist, which report to the metrics.
  const poolStatuses: { of?: PoolConfigurations } = {};
  const metrics = createPrometheusMetrics(registry, {
    limiter,
    backpressure: () => slots.waiting > 0,
    lag: async () => (await kafka.consumerLag(config.topics.requested)).map((p) => ({ topic: config.topics.requested, ...p })),
    poolConfigurations: () => poolStatuses.of?.statuses ?? [],
  });
  const health = new ServiceHealth();
  const http = await startHttpServer({ port: config.metricsPort, registry, health });
  logger.info({ port: http.port }, 'serving /metrics, /healthz and /readyz');

  const shutdown = new AbortController();
  const directory = createCognitoDirectory(config.cognito);
  const untracedCalls = createDirectoryCalls({ limiter: tracing.enabled ? tracedLimiter(limiter) : limiter, retry: config.retry, observer: metrics, signal: shutdown.signal });
  const calls = tracing.enabled ? tracedDirectoryCalls(untracedCalls, tracer, config.cognito.region) : untracedCalls;
  const pools = { defaultUserPoolId: config.cognito.defaultUserPoolId, allowedUserPoolIds: new Set(config.cognito.allowedUserPoolIds) };
  const configurations = new PoolConfigurations({
    directory,
    calls,
    userPoolIds: config.cognito.allowedUserPoolIds,
    settings: tuning.poolConfiguration,
    changed: reportPoolConfiguration({ log: logger, health }),
  });
  poolStatuses.of = configurations;
  const { provenanceAttribute } = config.cognito;
  const topics: Record<OutputTopic, string> = { created: config.topics.created, failed: config.topics.failed, dlq: config.topics.dlq };

  const consumption = { consumer: kafka, topic: config.topics.requested, health, metrics, log: logger };
  const pause = new SystemicPause(pauseConsumption(consumption), tuning.systemicCanary);
  const quarantine = new Quarantine(config.quarantine, stopConsumption({ ...consumption, failureRatio: config.quarantine.failureRatio }));
  const decode = createRequestDecoder({ validators: compileValidators(), maxMessageBytes: config.maxMessageBytes });
  const handlerDeps: MessageHandlerDeps = {
    decode,
    provision: (request, signal) => provisionUser(request, { directory, calls, pools, configurations, provenanceAttribute, ...(tracing.enabled ? { callTraceparent: activeTraceparent } : {}) }, signal),
    publish: (topic, message) => kafka.publish(topics[topic], [message]),
    metrics: feedingQuarantine(metrics, quarantine),
    log: logger,
    personal: personalData(config.logPersonalData),
    tracing: { tracer, consumerGroup: config.kafka.groupId, destinations: topics },
  };
  const handle = async (message: InboundMessage, signal: AbortSignal) => {
    metrics.inFlight(1);
    try {
      await handleMessage(message, handlerDeps, signal);
    } finally {
      metrics.inFlight(-1);
    }
  };

  const stop = shutdownSequence({
    log: logger,
    health,
    pause,
    work: shutdown,
    transport: kafka,
    limiter,
    sharedQuota: shared,
    directory,
    http,
    tracing,
    timeoutMs: config.shutdownTimeoutMs,
    handBackFraction: tuning.shutdownHandBackFraction,
    exit: (code) => process.exit(code),
  });
  process.once('SIGTERM', () => void stop('SIGTERM', 0));
  process.once('SIGINT', () => void stop('SIGINT', 0));
  kafka.onFatal((error) => {
    health.died(error.name);
    logger.fatal({ err: error }, 'the Kafka consumer crashed for good');
    void stop('kafka consumer crashed', 1);
  });

  // After the signal handlers: a start that waits on Cognito still stops cleanly on SIGTERM.
  await configurations.load();
  const provenance = provenanceAttribute === undefined ? undefined : configurations.provenanceProblem(provenanceAttribute);
  if (provenance !== undefined) {
    logger.fatal({ userPoolId: provenance.userPoolId }, `configuration error: PROVENANCE_ATTRIBUTE: ${provenance.problem}`);
    process.exit(EXIT_CONFIG_ERROR);
  }
  await kafka.ensureTopics(config.topics.requested, [config.topics.created, config.topics.failed, config.topics.dlq]);
  await kafka.connect();
  await kafka.consume(config.topics.requested, (batch) =>
    processBatch(batch, { handle, pause, slots, signal: shutdown.signal, heartbeatIntervalMs: config.kafka.heartbeatIntervalMs, halted: () => quarantine.tripped }),
  );
  health.consuming();
  logger.info({ topic: config.topics.requested, groupId: config.kafka.groupId }, 'consuming');
}

if (import.meta.main) {
  await main();
}
