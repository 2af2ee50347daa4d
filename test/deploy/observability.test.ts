import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { createPrometheusMetrics } from '../../src/adapters/prometheus-metrics.ts';
import { RecordingLimiter } from '../support/fakes/recording-limiter.ts';
import { repoRoot, runTool } from './manifests.ts';

// The Grafana dashboard and the alert rules query only metrics the service exports, the
// dashboard's PromQL parses (promtool), it covers what an operator watches, and every alert
// has a runbook section in docs/runbook.md.

const read = (path: string) => readFileSync(`${repoRoot}${path}`, 'utf8');

/** The metric families the dashboard and alerts may name: the service's own, and prom-client's unprefixed process metrics. */
const METRICS = [
  ...[
    'events_received_total', 'outcomes_total', 'cognito_calls_total', 'cognito_call_duration_seconds', 'cognito_retries_total',
    'cognito_throttled_total', 'limiter_queued', 'limiter_running', 'limiter_rate_per_second', 'limiter_shared', 'events_in_flight',
    'consumer_paused', 'quarantined', 'end_to_end_latency_seconds', 'consumer_lag',
  ].map((name) => `user_provisioner_${name}`),
  'process_resident_memory_bytes', 'process_cpu_seconds_total',
];

const family = (series: string) => series.replace(/_(bucket|sum|count)$/, '');
const metricsIn = (expression: string) => [...expression.matchAll(/\b(?:user_provisioner|process|nodejs)_[a-z_]+/g)].map((match) => match[0]);

interface Panel { id: number; type: string; title: string; description?: string; datasource?: { uid: string }; targets?: { expr: string; refId: string }[] }
const dashboard = JSON.parse(read('deploy/grafana/dashboards/user-provisioner.json')) as { uid: string; panels: Panel[] };
const panels = dashboard.panels.filter((panel) => panel.type !== 'row');
const dashboardExpressions = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));

interface Rule { alert?: string; record?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }
const rules = (parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: Rule[] }[] }).groups.flatMap((group) => group.rules);
const alerts = rules.filter((rule) => rule.alert !== undefined);

describe('metric names', () => {
  it('the dashboard and the alerts query only the service\'s metrics', () => {
    const used = [...dashboardExpressions.map(({ target }) => target.expr), ...rules.map((rule) => rule.expr)].flatMap(metricsIn).map(family);
    expect(used.filter((name) => !METRICS.includes(name))).toEqual([]);
  });

  it('the service registers every one of them', async () => {
    const registry = new Registry();
    const lag = () => Promise.resolve([{ topic: 'user-requested', partition: 0, lag: 0 }]);
    createPrometheusMetrics(registry, { limiter: new RecordingLimiter(), lag, backpressure: () => false });
    const registered = new Set((await registry.getMetricsAsJSON()).map((metric) => metric.name));
    expect(METRICS.filter((name) => !registered.has(name))).toEqual([]);
  });
});

describe('deploy/grafana/dashboards/user-provisioner.json', () => {
  it('covers throughput, outcomes, quota use, throttles, lag, latency and pauses', () => {
    const used = new Set(dashboardExpressions.flatMap(({ target }) => metricsIn(target.expr)).map(family));
    for (const name of ['events_received_total', 'outcomes_total', 'limiter_rate_per_second', 'cognito_throttled_total', 'consumer_lag', 'end_to_end_latency_seconds', 'cognito_call_duration_seconds', 'consumer_paused']) {
      expect(used, name).toContain(`user_provisioner_${name}`);
    }
  });

  it('has unique panel ids, and every panel a description and the data source variable', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) {
      expect(panel.description, panel.title).toBeTruthy();
      expect(panel.datasource?.uid, panel.title).toBe('${datasource}');
    }
  });

  it('every query is valid PromQL (promtool)', () => {
    // Recording rules are the one thing promtool parses offline; Grafana's variables get values.
    const asRules = dashboardExpressions.map(({ panel, target }) => ({
      record: `dashboard:panel_${panel.id}:${target.refId.toLowerCase()}`,
      expr: target.expr.replaceAll('$__rate_interval', '5m').replaceAll('$job', '.*'),
    }));
    const directory = mkdtempSync(join(tmpdir(), 'dashboard-'));
    try {
      const file = join(directory, 'dashboard.rules.yml');
      writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: asRules }] }));
      expect(() => runTool('promtool', ['check', 'rules', file])).not.toThrow();
      writeFileSync(file, stringify({ groups: [{ name: 'broken', rules: [{ record: 'x:y', expr: 'sum(rate(user_provisioner_outcomes_total[5m])' }] }] }));
      expect(() => runTool('promtool', ['check', 'rules', file])).toThrow(/Command failed/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  const runbook = read('docs/runbook.md');
  const anchors = new Set([...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((match) => (match[1] ?? '').toLowerCase().replaceAll(/[^\w\- ]/g, '').replaceAll(' ', '-')));

  it('alerts on growing lag, throttling, a systemic pause, a failure spike and no progress', () => {
    expect(alerts.map((rule) => rule.alert)).toEqual(expect.arrayContaining([
      'UserProvisionerLagGrowing', 'UserProvisionerThrottled', 'UserProvisionerSystemicPause', 'UserProvisionerFailureRateHigh', 'UserProvisionerNoProgress',
    ]));
  });

  it.each(alerts.map((rule) => [rule.alert ?? '', rule] as const))('%s has a severity, a summary and a runbook section', (name, rule) => {
    expect(['warning', 'critical']).toContain(rule.labels?.['severity']);
    expect(rule.annotations?.['summary']).toBeTruthy();
    expect(rule.annotations?.['description']).toBeTruthy();
    expect(rule.annotations?.['runbook_url']).toBe(`docs/runbook.md#${name.toLowerCase()}`);
    expect(anchors).toContain(name.toLowerCase());
    const section = runbook.split(/^## /m).find((part) => part.startsWith(`${name}\n`)) ?? '';
    expect(section.length, `the runbook section of ${name}`).toBeGreaterThan(400);
  });
});
