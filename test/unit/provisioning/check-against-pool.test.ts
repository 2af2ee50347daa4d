import { describe, expect, it } from 'vitest';
import { checkAgainstPool } from '../../../src/provisioning/check-against-pool.ts';
import type { PasswordPolicy } from '../../../src/provisioning/directory.port.ts';
import { Secret } from '../../../src/provisioning/secret.ts';
import { aRequest, POOL } from '../../support/builders.ts';
import { aPoolAttribute, aPoolConfiguration } from '../../support/fakes/fake-directory.ts';

const STRICT: PasswordPolicy = { minimumLength: 12, requireUppercase: true, requireLowercase: true, requireNumbers: true, requireSymbols: true };
const rules = (violations: readonly { field: string; rule: string }[]) => violations.map(({ field, rule }) => ({ field, rule }));

describe('checkAgainstPool', () => {
  it('accepts what a pool created with defaults accepts', () => {
    expect(checkAgainstPool(aRequest(), aPoolConfiguration(POOL))).toEqual([]);
  });

  it('names a custom attribute outside the schema (undefined-custom-attribute), standard ones never', () => {
    const request = aRequest({ attributes: { email: 'a@example.com', 'custom:badge': 'x', 'custom:employee_id': 'E-1', 'dev:custom:tier': 'gold' } });
    expect(rules(checkAgainstPool(request, aPoolConfiguration(POOL)))).toEqual([
      { field: 'data.attributes.custom:badge', rule: 'undefined-custom-attribute' },
      { field: 'data.attributes.dev:custom:tier', rule: 'undefined-custom-attribute' },
    ]);
    const withTier = aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('dev:custom:tier', { developerOnly: true })] });
    expect(rules(checkAgainstPool(aRequest({ attributes: { 'dev:custom:tier': 'gold' } }), withTier))).toEqual([]);
  });

  it('names each attribute the schema requires and the request lacks (required-by-pool), never sub', () => {
    const pool = aPoolConfiguration(POOL, { extraAttributes: [aPoolAttribute('email', { required: true }), aPoolAttribute('family_name', { required: true })] });
    expect(rules(checkAgainstPool(aRequest({ attributes: { email: 'a@example.com' } }), pool))).toEqual([
      { field: 'data.attributes.family_name', rule: 'required-by-pool' },
    ]);
  });

  describe('email or phone number as username', () => {
    const byEmail = aPoolConfiguration(POOL, { usernameAttributes: ['email'], extraAttributes: [aPoolAttribute('email', { required: true })] });
    const byEither = aPoolConfiguration(POOL, { usernameAttributes: ['email', 'phone_number'] });

    it('requires the username to be an email address, which then stands for the required email', () => {
      expect(checkAgainstPool(aRequest({ username: 'Jane.Doe@example.com', attributes: {} }), byEmail)).toEqual([]);
      const violations = checkAgainstPool(aRequest({ username: 'jdoe', attributes: { email: 'jdoe@example.com' } }), byEmail);
      expect(rules(violations)).toEqual([{ field: 'data.username', rule: 'username-attribute' }]);
      expect(violations[0]?.message).not.toContain('jdoe');
    });

    it('takes an E.164 number where the pool also signs in by phone', () => {
      expect(checkAgainstPool(aRequest({ username: '+4930123456' }), byEither)).toEqual([]);
      expect(rules(checkAgainstPool(aRequest({ username: '030 123456' }), byEither))).toEqual([{ field: 'data.username', rule: 'username-attribute' }]);
    });
  });

  describe('temporary password', () => {
    const strict = aPoolConfiguration(POOL, { passwordPolicy: STRICT });

    it('accepts a password that meets every part of the policy, and any password when the policy is unknown', () => {
      expect(checkAgainstPool(aRequest({ temporaryPassword: new Secret('Tmp-Secret-9f2c') }), strict)).toEqual([]);
      expect(checkAgainstPool(aRequest({ temporaryPassword: new Secret('x') }), aPoolConfiguration(POOL))).toEqual([]);
    });

    it('names each part of the policy the password breaks, on data.temporaryPassword, never quoting it', () => {
      const password = 'short';
      const violations = checkAgainstPool(aRequest({ temporaryPassword: new Secret(password) }), strict);
      expect(violations.map((v) => v.rule)).toEqual(['password-minimum-length', 'password-requires-uppercase', 'password-requires-numbers', 'password-requires-symbols']);
      expect(violations.every((v) => v.field === 'data.temporaryPassword')).toBe(true);
      expect(JSON.stringify(violations)).not.toContain(password);
    });

    it('counts a space inside the password as a symbol, as Cognito does', () => {
      expect(checkAgainstPool(aRequest({ temporaryPassword: new Secret('Tmp Secret 9f2c') }), strict)).toEqual([]);
    });
  });
});
