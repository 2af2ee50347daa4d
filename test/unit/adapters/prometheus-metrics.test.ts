import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../../src/adapters/prometheus-metrics.ts';
import { RecordingLimiter } from '../../support/fakes/recording-limiter.ts';

function scrape(options: {
  backpressure: boolean;
  lag?: () => Promise<{ topic: string; partition: number; lag: number }[]>;
  poolConfigurations?: () => { userPoolId: string; available: boolean }[];
}) {
  const registry = new Registry();
  const metrics = createPrometheusMetrics(registry, {
    limiter: new RecordingLimiter(),
    backpressure: () => options.backpressure,
    lag: options.lag ?? (() => Promise.resolve([{ topic: 'user-requested', partition: 0, lag: 7 }])),
    ...(options.poolConfigurations !== undefined ? { poolConfigurations: options.poolConfigurations } : {}),
  });
  return { metrics, text: () => registry.metrics() };
}

describe('createPrometheusMetrics', () => {
  it('reports backpressure and a systemic pause as separate reasons', async () => {
    const { metrics, text } = scrape({ backpressure: true });
    metrics.paused('systemic', true);
    const body = await text();
    expect(body).toContain('user_provisioner_consumer_paused{reason="backpressure"} 1');
    expect(body).toContain('user_provisioner_consumer_paused{reason="systemic"} 1');
    metrics.paused('systemic', false);
    expect(await text()).toContain('user_provisioner_consumer_paused{reason="systemic"} 0');
  });

  it('says per pool whether its configuration is known, as it is at each scrape', async () => {
    let available = false;
    const { text } = scrape({ backpressure: false, poolConfigurations: () => [{ userPoolId: 'us-east-1_Example1', available }] });
    expect(await text()).toContain('user_provisioner_pool_configuration_available{user_pool_id="us-east-1_Example1"} 0');
    available = true;
    expect(await text()).toContain('user_provisioner_pool_configuration_available{user_pool_id="us-east-1_Example1"} 1');
  });

  it('reads the lag per partition, and shows none rather than a stale value when the broker fails', async () => {
    const ok = scrape({ backpressure: false });
    expect(await ok.text()).toContain('user_provisioner_consumer_lag{topic="user-requested",partition="0"} 7');
    const failing = scrape({ backpressure: false, lag: () => Promise.reject(new Error('broker down')) });
    expect(await failing.text()).not.toMatch(/user_provisioner_consumer_lag\{/);
  });

  it('counts undelivered invitations from zero, so an increase can be alerted on from the first one', async () => {
    const { metrics, text } = scrape({ backpressure: false });
    expect(await text()).toContain('user_provisioner_invitations_undelivered_total 0');
    metrics.invitationUndelivered();
    expect(await text()).toContain('user_provisioner_invitations_undelivered_total 1');
  });

  it('folds unknown error names so that labels stay bounded', async () => {
    const { metrics, text } = scrape({ backpressure: false });
    metrics.called('AdminCreateUser', 'SomethingNobodyKnowsException', 0.01);
    metrics.called('AdminCreateUser', 'TooManyRequestsException', 0.01);
    const body = await text();
    expect(body).toContain('user_provisioner_cognito_calls_total{operation="AdminCreateUser",result="Other"} 1');
    expect(body).toContain('user_provisioner_cognito_throttled_total{operation="AdminCreateUser"} 1');
  });

  it('exports the Node process metrics unprefixed, as standard dashboards and alerts expect, and the service\'s own prefixed', async () => {
    const families = [...(await scrape({ backpressure: false }).text()).matchAll(/^# TYPE (\w+) /gm)].map((match) => match[1] ?? '');
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_max_seconds']) {
      expect(families).toContain(name);
    }
    expect(families.filter((name) => !/^(process|nodejs)_/.test(name) && !name.startsWith('user_provisioner_'))).toEqual([]);
    expect(families.filter((name) => /^user_provisioner_(process|nodejs)_/.test(name))).toEqual([]);
    // Gauges that prom-client names like counters, which promtool rejects.
    expect(families.filter((name) => /^nodejs_active_\w+_total$/.test(name))).toEqual([]);
  });
});
