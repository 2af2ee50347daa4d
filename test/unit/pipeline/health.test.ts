import { describe, expect, it } from 'vitest';
import { ServiceHealth } from '../../../src/pipeline/health.ts';

describe('ServiceHealth', () => {
  it('is live but not ready while starting', () => {
    const health = new ServiceHealth();
    expect(health.describe()).toEqual({ state: 'starting', ready: false, live: true });
  });

  it('is ready only while consuming normally', () => {
    const health = new ServiceHealth();
    health.consuming();
    expect(health.ready).toBe(true);
    health.paused('NotAuthorizedException');
    expect(health.describe()).toEqual({ state: 'paused', ready: false, live: true, pausedBecause: 'NotAuthorizedException' });
    health.consuming();
    expect(health.describe()).toEqual({ state: 'consuming', ready: true, live: true });
  });

  it('stays not ready once stopping, whatever is reported after', () => {
    const health = new ServiceHealth();
    health.consuming();
    health.stopping();
    health.consuming();
    health.paused('NotAuthorizedException');
    expect(health.state).toBe('stopping');
    expect(health.ready).toBe(false);
    expect(health.live).toBe(true);
  });

  it('is neither live nor ready once the consumer died', () => {
    const health = new ServiceHealth();
    health.consuming();
    health.died('KafkaJSNumberOfRetriesExceeded');
    expect(health.describe()).toEqual({ state: 'consuming', ready: false, live: false, deadBecause: 'KafkaJSNumberOfRetriesExceeded' });
  });

  it('names each pool served with the static checks only, and stays ready', () => {
    const health = new ServiceHealth();
    health.consuming();
    health.poolConfiguration('us-east-1_Example1', false, 'AccessDeniedException');
    expect(health.describe()).toEqual({
      state: 'consuming',
      ready: true,
      live: true,
      poolConfigurationUnavailable: { 'us-east-1_Example1': 'AccessDeniedException: checked with the static rules only' },
    });
    health.poolConfiguration('us-east-1_Example1', true, undefined);
    expect(health.describe()).toEqual({ state: 'consuming', ready: true, live: true });
  });
});
