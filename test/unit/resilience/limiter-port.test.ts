import { describe, expect, it } from 'vitest';
import { QUOTA_CATEGORIES, perQuotaCategory } from '../../../src/resilience/limiter.port.ts';

describe('quota categories', () => {
  it('are the two Cognito meters the limiter keeps apart', () => {
    expect(QUOTA_CATEGORIES).toEqual(['user-creation', 'user-read']);
  });

  it('perQuotaCategory makes exactly one value for each, from its own category', () => {
    expect(perQuotaCategory((category) => `bucket:${category}`)).toEqual({ 'user-creation': 'bucket:user-creation', 'user-read': 'bucket:user-read' });
  });
});
