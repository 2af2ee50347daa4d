// Wires `user-provisioner replay`: the Kafka adapter, the schemas and the terminal. The only
// file of src/replay that knows adapters.
import { createKafkaLog } from '../adapters/kafka/topic-log.ts';
import { createLogger, personalData } from '../adapters/logger.ts';
import { ConfigError, loadKafkaConfig, type KafkaConfig } from '../config.ts';
import { compileValidators } from '../events/schemas.ts';
import { parseReplayArgs, USAGE, UsageError, type ParsedArgs } from './parse-args.ts';
import { MissingPartitionError, MissingTopicError } from './replay.port.ts';
import { replay } from './replay.ts';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

export async function main(args: readonly string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let parsed: ParsedArgs;
  try {
    parsed = parseReplayArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageError(error.message);
  }
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  let config: KafkaConfig;
  try {
    config = loadKafkaConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return configurationError(error.message);
  }

  const { options } = parsed;
  // Log lines (kafkajs warnings) go to stderr: stdout is the report.
  const logger = createLogger({ level: config.logLevel, destination: process.stderr });
  const kafka = createKafkaLog({ kafka: config.kafka, region: config.awsRegion, logger });
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // The first signal finishes the message in hand and prints the summary; a second one exits.
    if (interrupt.signal.aborted) process.exit(EXIT_FAILED);
    process.stderr.write(`user-provisioner replay: ${signal}: stopping after the message in hand\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await kafka.checkTopics([config.topics.requested, options.from === 'failed' ? config.topics.failed : config.topics.dlq]);
    const summary = await replay(options, config.topics, {
      reader: kafka,
      writer: kafka,
      isFailedEvent: compileValidators().failed,
      print: (line) => process.stdout.write(`${line}\n`),
      personal: personalData(config.logPersonalData),
      signal: interrupt.signal,
    });
    if (summary.interrupted) process.exitCode = EXIT_FAILED;
  } catch (error) {
    if (error instanceof MissingTopicError) {
      configurationError(`${topicVariable(config, error.topic)}: ${error.message}`);
    } else if (error instanceof MissingPartitionError) {
      usageError(`--partition ${error.partition}: ${error.message}`);
    } else {
      logger.error({ err: error }, 'replay failed');
      process.stderr.write(`user-provisioner replay: failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT_FAILED;
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await kafka.close();
  }
}

function usageError(message: string): void {
  process.stderr.write(`user-provisioner replay: ${message} (see user-provisioner replay --help)\n`);
  process.exitCode = EXIT_USAGE;
}

/** The same line, and exit code, as the service gives for its environment. */
function configurationError(message: string): void {
  process.stderr.write(`user-provisioner: configuration error: ${message}\n`);
  process.exitCode = EXIT_USAGE;
}

function topicVariable(config: KafkaConfig, topic: string): string {
  if (topic === config.topics.requested) return 'TOPIC_REQUESTED';
  if (topic === config.topics.failed) return 'TOPIC_FAILED';
  if (topic === config.topics.dlq) return 'TOPIC_DLQ';
  return 'topic';
}

if (import.meta.main) {
  await main();
}
