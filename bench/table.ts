import type { BenchRow } from './run-contender.ts';
import type { Scenario } from './scenarios.ts';

const COLUMNS: readonly [string, (row: BenchRow) => string][] = [
  ['scenario', (r) => r.scenario],
  ['contender', (r) => r.contender],
  ['status', (r) => r.status],
  ['events', (r) => `${r.completed}/${r.events}`],
  ['part', (r) => String(r.partitions)],
  ['repl', (r) => String(r.replicas)],
  ['quota/s', (r) => show(r.quota_rps)],
  ['latency', (r) => (r.latency_ms === null ? '-' : `${r.latency_ms}±${r.latency_jitter_ms ?? 0}`)],
  ['goodput/s', (r) => show(r.goodput_rps)],
  ['util', (r) => show(r.utilization)],
  ['throttled', (r) => show(r.throttled_calls)],
  ['thr %', (r) => (r.throttle_ratio === null ? '-' : (r.throttle_ratio * 100).toFixed(2))],
  ['p50 ms', (r) => show(r.p50_ms)],
  ['p99 ms', (r) => show(r.p99_ms)],
  ['cpu ms/ev', (r) => show(r.cpu_ms_per_event)],
  ['rss MB', (r) => show(r.rss_mb)],
  ['events/s', (r) => show(r.events_per_s)],
];

/** The results as a fixed-width table, with the goals judged beside the service rows. */
export function formatTable(rows: readonly BenchRow[], scenarios: readonly Scenario[]): string {
  const header = [...COLUMNS.map(([name]) => name), 'goal'];
  const body = rows.map((row) => [...COLUMNS.map(([, cell]) => cell(row)), goalVerdict(row, scenarios)]);
  const widths = header.map((name, index) => Math.max(name.length, ...body.map((cells) => cells[index]?.length ?? 0)));
  const line = (cells: readonly string[]) => cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ').trimEnd();
  const lines = [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)];
  for (const row of rows) {
    if (row.ratio_to_passthrough !== undefined) {
      const note = row.ratio_to_passthrough === null ? ' (the pass-through appended everything at one instant: too fast to time at this size)' : '';
      lines.push(`${row.scenario}: ${row.contender} events/s over passthrough events/s = ${show(row.ratio_to_passthrough)}${note}`);
    }
    if (row.scenario === 'backlog' && row.rss_mb_by_quarter.length > 0) {
      lines.push(`${row.scenario}: ${row.contender} peak RSS per quarter of the run (MB): ${row.rss_mb_by_quarter.map(show).join(' / ')}`);
    }
    if (row.error !== undefined) lines.push(`${row.scenario}/${row.contender} error: ${row.error.split('\n').slice(0, 12).join('\n  ')}`);
  }
  return lines.join('\n');
}

function goalVerdict(row: BenchRow, scenarios: readonly Scenario[]): string {
  const goal = scenarios.find((scenario) => scenario.name === row.scenario)?.goal;
  if (row.contender !== 'service' || !goal || row.utilization === null || row.throttle_ratio === null) return '-';
  const misses = [
    ...(row.utilization < goal.minUtilization ? [`util<${goal.minUtilization}`] : []),
    ...(row.throttle_ratio > goal.maxThrottleRatio ? [`thr>${goal.maxThrottleRatio * 100}%`] : []),
  ];
  return misses.length === 0 ? 'met' : `missed: ${misses.join(', ')}`;
}

function show(value: number | null | undefined): string {
  return value === null || value === undefined ? '-' : String(value);
}
