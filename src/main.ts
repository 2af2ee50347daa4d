// Wires the adapters to the pipeline and runs the service. The only file that knows them all.
import { Registry } from 'prom-client';
import { createCognitoDirectory } from './adapters/cognito-directory.ts';
import { startHttpServer } from './adapters/http-server.ts';
import { createKafkaTransport } from './adapters/kafka/transport.ts';
import { createLogger, personalData, type Logger } from './adapters/logger.ts';
import { createPrometheusMetrics } from './adapters/prometheus-metrics.ts';
import { createRedisTokenSources } from './adapters/redis-token-source.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createRequestDecoder } from './events/decode-request.ts';
import { compileValidators } from './events/schemas.ts';
import { handleMessage, type OutputTopic } from './pipeline/handle-message.ts';
import { ServiceHealth } from './pipeline/health.ts';
import { InFlightSlots } from './pipeline/in-flight-slots.ts';
import type { PipelineMetrics } from './pipeline/metrics.port.ts';
import { Quarantine } from './pipeline/quarantine.ts';
import { processBatch } from './pipeline/process-batch.ts';
import { SystemicPause } from './pipeline/systemic-pause.ts';
import { DirectoryError, type SystemicError } from './provisioning/errors.ts';
import { provisionUser } from './provisioning/provision-user.ts';
import { DEFAULT_ADAPTATION } from './resilience/adaptive-rate.ts';
import { createDirectoryCalls } from './resilience/directory-calls.ts';
import { LocalTokenSource } from './resilience/local-token-source.ts';
import { createTokenQueueLimiter, localTokenSources } from './resilience/token-queue-limiter.ts';

export const EXIT_CONFIG_ERROR = 2;
const PROBE_USERNAME = 'user-provisioner-probe';

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
    await run(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, 'crashed');
    process.exit(1);
  }
}

async function run(config: Config, logger: Logger): Promise<void> {
  const rates = { ratePerSecond: config.cognito.rateLimit, burst: config.cognito.rateBurst };
  // With REDIS_URL the quota is one bucket for every replica; without, each replica has its own.
  const shared = config.redisUrl === undefined
    ? undefined
    : createRedisTokenSources({ redisUrl: config.redisUrl, namespace: config.kafka.groupId, ...rates, adaptation: DEFAULT_ADAPTATION, fallback: (share) => new LocalTokenSource(share), logger }, ['user-creation', 'user-read']);
  const limiter = createTokenQueueLimiter(shared?.sources ?? localTokenSources({ 'user-creation': rates, 'user-read': rates }));
  const registry = new Registry();
  const kafka = createKafkaTransport({ kafka: config.kafka, region: config.cognito.region, logger, partitionsConsumedConcurrently: 16 });
  const slots = new InFlightSlots(config.maxInFlight);
  const metrics = createPrometheusMetrics(registry, {
    limiter,
    backpressure: () => slots.waiting > 0,
    lag: async () => (await kafka.consumerLag(config.topics.requested)).map((p) => ({ topic: config.topics.requested, ...p })),
  });
  const health = new ServiceHealth();
  const http = await startHttpServer({ port: config.metricsPort, registry, health });
  logger.info({ port: http.port }, 'serving /metrics, /healthz and /readyz');

  const shutdown = new AbortController();
  const directory = createCognitoDirectory(config.cognito);
  const calls = createDirectoryCalls({ limiter, retry: config.retry, observer: metrics, signal: shutdown.signal });
  const pools = { defaultUserPoolId: config.cognito.defaultUserPoolId, allowedUserPoolIds: new Set(config.cognito.allowedUserPoolIds) };
  const topics: Record<OutputTopic, string> = { created: config.topics.created, failed: config.topics.failed, dlq: config.topics.dlq };

  const pause = new SystemicPause(
    {
      paused(error) {
        kafka.pause(config.topics.requested);
        health.paused(error.code);
        metrics.paused('systemic', true);
        logger.error({ errorCode: error.code, userPoolId: error.userPoolId, error: error.message }, 'systemic error: consumption paused until a probe call succeeds');
      },
      resumed() {
        health.consuming();
        metrics.paused('systemic', false);
        kafka.resume(config.topics.requested);
        logger.info('probe call succeeded: consumption resumed');
      },
    },
    { firstDelayMs: 1_000, maxDelayMs: 30_000 },
  );
  const probeFor = (error: SystemicError) => async () => {
    try {
      await limiter.schedule('user-read', () => directory.getUser(error.userPoolId, PROBE_USERNAME));
    } catch (failure) {
      // Any answer but a systemic or transient failure proves the deployment works again.
      if (!(failure instanceof DirectoryError) || failure.kind !== 'permanent') throw failure;
    }
  };

  const quarantine = new Quarantine(config.quarantine, ({ failures, outcomes }) => {
    kafka.pause(config.topics.requested);
    health.quarantined(`${failures} of the last ${outcomes} outcomes failed`);
    metrics.quarantined(true);
    logger.error(
      { failures, outcomes, failureRatio: config.quarantine.failureRatio },
      'quarantined: too many requests fail; consumption stopped until a restart (see docs/runbook.md)',
    );
  });
  // Every outcome also feeds the quarantine's window.
  const observed: PipelineMetrics = {
    ...metrics,
    outcome(outcome, reason) {
      metrics.outcome(outcome, reason);
      quarantine.record(outcome === 'failed' || outcome === 'dead_letter', Date.now());
    },
  };
  const decode = createRequestDecoder({ validators: compileValidators(), maxMessageBytes: config.maxMessageBytes });
  const handlerDeps = {
    decode,
    provision: (request: Parameters<typeof provisionUser>[0]) => provisionUser(request, { directory, calls, pools }),
    publish: (topic: OutputTopic, message: Parameters<typeof kafka.publish>[1][number]) => kafka.publish(topics[topic], [message]),
    metrics: observed,
    log: logger,
    personal: personalData(config.logPersonalData),
    signal: shutdown.signal,
  };
  const handle = async (message: Parameters<typeof handleMessage>[0]) => {
    metrics.inFlight(1);
    try {
      await handleMessage(message, handlerDeps);
    } finally {
      metrics.inFlight(-1);
    }
  };

  let stopping: Promise<void> | undefined;
  const stop = (reason: string, exitCode: number) => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down: finishing or handing back in-flight work');
      health.stopping();
      pause.stop();
      // Past most of the allowance, waiting work is handed back (left uncommitted) instead.
      const handBack = setTimeout(() => shutdown.abort(new Error('shutdown')), config.shutdownTimeoutMs * 0.7).unref();
      const deadline = setTimeout(() => {
        logger.warn('shutdown timeout reached: exiting; unfinished work will be redelivered');
        process.exit(exitCode);
      }, config.shutdownTimeoutMs).unref();
      try {
        await kafka.stop();
        await limiter.stop();
        shared?.close();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
      } finally {
        clearTimeout(handBack);
        clearTimeout(deadline);
        directory.close();
        await http.close();
        logger.info('stopped');
        process.exit(exitCode);
      }
    })();
  };
  process.once('SIGTERM', () => stop('SIGTERM', 0));
  process.once('SIGINT', () => stop('SIGINT', 0));
  kafka.onFatal((error) => {
    health.died(error.name);
    logger.fatal({ err: error }, 'the Kafka consumer crashed for good');
    stop('kafka consumer crashed', 1);
  });

  await kafka.ensureTopics(config.topics.requested, [config.topics.created, config.topics.failed, config.topics.dlq]);
  await kafka.connect();
  await kafka.consume(config.topics.requested, (batch) =>
    processBatch(batch, { handle, pause, probeFor, slots, signal: shutdown.signal, heartbeatIntervalMs: 3_000, halted: () => quarantine.tripped }),
  );
  health.consuming();
  logger.info({ topic: config.topics.requested, groupId: config.kafka.groupId }, 'consuming');
}

if (import.meta.main) {
  await main();
}
