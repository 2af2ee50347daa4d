// Property-based: the AdminCreateUser rules over generated requests, including names and
// usernames no example-based test would think of.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRequest } from '../../../src/provisioning/check-request.ts';
import type { DeliveryMedium, MessageAction } from '../../../src/provisioning/request.ts';
import { customAttributeName, RAW_CANARY, unprefixedAttributeName } from '../../support/arbitraries.ts';
import { aRequest } from '../../support/builders.ts';

const STANDARD = ['email', 'email_verified', 'given_name', 'phone_number', 'phone_number_verified', 'preferred_username', 'updated_at'];
// Values carry the canary: no message may quote them.
const anyText = fc.string({ unit: 'binary', maxLength: 40 });
const anyValue = fc.oneof(anyText.map((text) => `${text}${RAW_CANARY}`), fc.constantFrom('true', 'TRUE', 'false', ''));
const anyMap = fc.dictionary(fc.oneof(anyText, fc.constantFrom(...STANDARD)), anyValue, { maxKeys: 8 });
const anyRequest = fc.record({
  username: fc.string({ unit: 'binary', maxLength: 140 }),
  attributes: anyMap,
  validationData: anyMap,
  messageAction: fc.constantFrom<MessageAction | undefined>('RESEND', 'SUPPRESS', undefined),
  desiredDeliveryMediums: fc.option(fc.subarray<DeliveryMedium>(['SMS', 'EMAIL'], { minLength: 1 }), { nil: undefined }),
}).map((fields) => aRequest(fields));

describe('checkRequest (property-based)', () => {
  it('never throws, and names a field and a rule for each violation, in its own words', () => {
    fc.assert(
      fc.property(anyRequest, (request) => {
        for (const violation of checkRequest(request)) {
          expect(violation.field).toMatch(/^data\./);
          expect(violation.rule).toMatch(/^[a-z-]+$/);
          expect(violation.message).toMatch(/^[\x20-\x7e]+$/);
          expect(violation.message).not.toContain(RAW_CANARY);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('names every attribute that is neither standard nor custom:, lookalikes included, and no other', () => {
    fc.assert(
      fc.property(fc.uniqueArray(unprefixedAttributeName(), { minLength: 1, maxLength: 5 }), fc.uniqueArray(customAttributeName(), { maxLength: 5 }), (wrong, custom) => {
        const attributes = Object.fromEntries([...wrong, ...custom, 'email', 'given_name'].map((name) => [name, 'v']));
        const named = checkRequest(aRequest({ attributes })).filter((v) => v.rule === 'attribute-name').map((v) => v.field);
        expect(named.sort()).toEqual(wrong.map((name) => `data.attributes.${name}`).sort());
      }),
      { numRuns: 1000 },
    );
  });

  it('counts a username in characters, not UTF-16 units: 1 to 128 of any letter pass', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.constantFrom('a', '\u00e9', '\u0430', '\u{1d41a}', '\u{1f600}'), (length, letter) => {
        const broken = checkRequest(aRequest({ username: letter.repeat(length) })).some((v) => v.field === 'data.username');
        expect(broken).toBe(length < 1 || length > 128);
      }),
      { numRuns: 500 },
    );
  });
});
