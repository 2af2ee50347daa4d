// npm run bench [-- --smoke] [--scenario NAME] [--events N] [--out PATH] [--timeout-s S] [--brokers HOST:PORT]
//                 [--contender service|baseline|passthrough] [--service-env NAME=VALUE ...] [--traces]
//                 [--tracing-cost PAIRS]
//
// --traces runs the service with tracing on at 100 % sampling (OTEL_TRACES_SAMPLER=always_on),
// exporting to an OTLP/HTTP receiver in this process that counts and drops the spans: compare its
// CPU per event with a run without. --tracing-cost N does that comparison: the service alone, N
// runs without tracing and N with, alternated on one broker so that a noisy machine weighs on
// both alike, then the median CPU per event of each and their ratio.
//
// Starts its own Kafka broker (scripts/kafka.sh on KAFKA_PORT, default 28092) unless --brokers
// names one, runs each scenario's contenders one after another, prints a table and writes the
// rows as JSON. Exits non-zero only when the run itself breaks (a contender that cannot start or
// crashes, a smoke run that times out), never on the figures: the machine may be noisy.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchKafka } from './bench-kafka.ts';
import { killAll } from './child-registry.ts';
import { benchEvents } from './events.ts';
import { startKafka, type Broker } from './infrastructure.ts';
import { round, runContender, type BenchRow, type ContenderRun, type RunContext } from './run-contender.ts';
import { FULL, SMOKE, type Scenario } from './scenarios.ts';
import { startOtlpReceiver, type OtlpReceiver } from '../test/support/otlp-receiver.ts';
import { formatTable } from './table.ts';

const root = new URL('../', import.meta.url).pathname;

const { values: args } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    scenario: { type: 'string' },
    contender: { type: 'string' },
    events: { type: 'string' },
    out: { type: 'string' },
    'timeout-s': { type: 'string' },
    brokers: { type: 'string' },
    // For experiments (e.g. COGNITO_RATE_BURST=1); recorded in every service row.
    'service-env': { type: 'string', multiple: true, default: [] },
    traces: { type: 'boolean', default: false },
    'tracing-cost': { type: 'string' },
  },
});

const pairs = args['tracing-cost'] === undefined ? undefined : positive('--tracing-cost', args['tracing-cost']);
if (pairs !== undefined && (args.traces || (args.contender ?? 'service') !== 'service')) usage('--tracing-cost runs the service with and without tracing itself: no --traces, no other --contender');
const catalogue = args.smoke ? SMOKE : FULL;
const scenarios = selectScenarios(catalogue);
const timeoutMs = positive('--timeout-s', args['timeout-s'] ?? (args.smoke ? '90' : '600')) * 1000;
if (args.contender !== undefined && !['service', 'baseline', 'passthrough'].includes(args.contender)) {
  usage(`--contender is one of service, baseline, passthrough, got ${args.contender}`);
}
// A smoke run does not overwrite the last full run's results.
const outPath = resolve(root, args.out ?? (args.smoke ? 'bench/results/smoke.json' : 'bench/results/latest.json'));

let broker: Broker | undefined;
const stopBroker = async () => {
  const running = broker;
  broker = undefined;
  await running?.stop();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killAll();
    void stopBroker().finally(() => process.exit(130));
  });
}

let receiver: OtlpReceiver | undefined;
const rows: BenchRow[] = [];
const timelines: Record<string, ContenderRun['timeline']> = {};
try {
  let brokers = args.brokers;
  if (brokers === undefined) {
    // Below Linux's ephemeral range (32768 and up), where a client socket could hold it already.
    const port = Number(process.env['KAFKA_PORT'] ?? 28092);
    process.stderr.write(`bench: starting Kafka on 127.0.0.1:${port}\n`);
    broker = await startKafka(port);
    brokers = broker.brokers;
  }
  if (args.contender === undefined || args.contender === 'service' || pairs !== undefined) {
    // The service runs as it ships, from dist/: built from the sources as they are now.
    process.stderr.write('bench: building dist/ (npm run build)\n');
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const context = {
    kafka: new BenchKafka(brokers),
    brokers,
    redisPort: Number(process.env['REDIS_PORT'] ?? 28379),
    timeoutMs,
    serviceEnv: { ...parseServiceEnv(args['service-env']), ...(await tracingEnv()) },
    serviceVersion: serviceVersion(),
  };
  if (pairs !== undefined) {
    await measureTracingCost(pairs, context);
  } else {
    for (const scenario of scenarios) {
      const events = benchEvents(scenario.name, scenario.events);
      for (const contender of scenario.contenders.filter((name) => args.contender === undefined || name === args.contender)) {
        process.stderr.write(`bench: ${scenario.name}/${contender}: ${events.length} events, ${scenario.partitions} partition(s), ${scenario.replicas} process(es)\n`);
        const run = await runContender(scenario, contender, events, context);
        rows.push(run.row);
        if (run.timeline.length > 0) timelines[`${scenario.name}/${contender}`] = run.timeline;
        process.stderr.write(`bench: ${scenario.name}/${contender}: ${run.row.status}\n`);
      }
    }
  }
} finally {
  // A safety net: every contender and Redis was stopped already, unless something threw midway.
  killAll();
  await stopBroker();
  await receiver?.close();
}
if (receiver !== undefined) process.stderr.write(`bench: the OTLP receiver got ${receiver.count} spans\n`);

addPassthroughRatios(rows);
console.log(formatTable(rows, scenarios));
if (pairs !== undefined) console.log(tracingCost(rows));
await mkdir(dirname(outPath), { recursive: true });
await writeFile(outPath, `${JSON.stringify(rows, null, 2)}\n`);
// The service's own metrics over time, to explain the figures; kept apart from the rows.
await writeFile(outPath.replace(/(\.json)?$/, '.timeline.json'), `${JSON.stringify(timelines)}\n`);
console.log(`\nwrote ${outPath}`);

const broken = rows.filter((row) => row.status === 'error' || (args.smoke && row.status !== 'ok'));
if (broken.length > 0) {
  process.stderr.write(`bench: the run broke: ${broken.map((row) => `${row.scenario}/${row.contender} ${row.status}`).join(', ')}\n`);
  process.exitCode = 1;
}

/** With --traces, the variables that turn the service's tracing on. */
async function tracingEnv(): Promise<Record<string, string>> {
  return args.traces ? receiverEnv() : {};
}

/** Tracing on at 100 % sampling, to a receiver started here (once) that counts and drops the spans. */
async function receiverEnv(): Promise<Record<string, string>> {
  receiver ??= await startOtlpReceiver({ keep: false });
  return { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_TRACES_SAMPLER: 'always_on' };
}

/** --tracing-cost: the service without and with tracing, alternated, `pairs` times per scenario. */
async function measureTracingCost(pairs: number, context: RunContext): Promise<void> {
  const traced = { ...context, serviceEnv: { ...context.serviceEnv, ...(await receiverEnv()) } };
  for (const scenario of scenarios) {
    const events = benchEvents(scenario.name, scenario.events);
    for (let pair = 1; pair <= pairs; pair++) {
      for (const [label, runContext] of [['off', context], ['on', traced]] as const) {
        process.stderr.write(`bench: ${scenario.name}/service, tracing ${label} (${pair} of ${pairs})\n`);
        const run = await runContender(scenario, 'service', events, runContext);
        rows.push(run.row);
        if (run.row.status !== 'ok') throw new Error(`${scenario.name}/service with tracing ${label}: ${run.row.status}`);
      }
    }
  }
}

/** --tracing-cost: per scenario, the median CPU per event without and with tracing, and their ratio. */
function tracingCost(all: readonly BenchRow[]): string {
  const lines = ['', 'tracing cost (median CPU ms per event; each run in the JSON rows):'];
  for (const scenario of new Set(all.map((row) => row.scenario))) {
    const cpu = (traced: boolean) => all
      .filter((row) => row.scenario === scenario && (row.service_env?.['OTEL_EXPORTER_OTLP_ENDPOINT'] !== undefined) === traced)
      .map((row) => row.cpu_ms_per_event ?? Number.NaN);
    const [offRuns, onRuns] = [cpu(false), cpu(true)];
    const [off, on] = [median(offRuns), median(onRuns)];
    lines.push(`  ${scenario}: off ${off.toFixed(3)} [${offRuns.join(', ')}], on ${on.toFixed(3)} [${onRuns.join(', ')}]: ${((on / off - 1) * 100).toFixed(1)} % more`);
  }
  return lines.join('\n');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] ?? Number.NaN : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function parseServiceEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(pair);
    if (!match?.[1] || match[2] === undefined) usage(`--service-env takes NAME=VALUE, got ${pair}`);
    env[match[1]] = match[2];
  }
  return env;
}

/** The commit the service ran from, marked when src/ had uncommitted changes. */
function serviceVersion(): string {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+uncommitted` : commit;
  } catch {
    return 'unknown';
  }
}

function selectScenarios(all: readonly Scenario[]): Scenario[] {
  const chosen = args.scenario === undefined ? [...all] : all.filter((scenario) => scenario.name === args.scenario);
  if (chosen.length === 0) usage(`unknown scenario ${args.scenario ?? ''}; one of: ${all.map((scenario) => scenario.name).join(', ')}`);
  if (args.events === undefined) return chosen;
  const events = positive('--events', args.events);
  return chosen.map((scenario) => ({ ...scenario, events }));
}

function positive(option: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) usage(`${option} must be a positive whole number, got ${value}`);
  return parsed;
}

function usage(problem: string): never {
  process.stderr.write(`bench: ${problem}\n`);
  process.exit(2);
}

/** In `raw`, each contender's events/s over the pass-through's on the same broker. */
function addPassthroughRatios(all: BenchRow[]): void {
  for (const row of all) {
    const passthrough = all.find((other) => other.scenario === row.scenario && other.contender === 'passthrough');
    if (!passthrough || row === passthrough) continue;
    row.ratio_to_passthrough =
      row.events_per_s !== null && passthrough.events_per_s !== null ? round(row.events_per_s / passthrough.events_per_s, 3) : null;
  }
}
