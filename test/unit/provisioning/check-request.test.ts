import { describe, expect, it } from 'vitest';
import { checkRequest } from '../../../src/provisioning/check-request.ts';
import type { ProvisionRequest } from '../../../src/provisioning/request.ts';
import { aRequest } from '../../support/builders.ts';

function rulesOf(request: ProvisionRequest): { field: string; rule: string }[] {
  return checkRequest(request).map(({ field, rule }) => ({ field, rule }));
}

describe('checkRequest', () => {
  it('accepts a valid request', () => {
    expect(checkRequest(aRequest())).toEqual([]);
  });

  describe('username length, counted in characters (code points)', () => {
    it('accepts 128 emoji (256 UTF-16 units, 512 bytes)', () => {
      const username = '😀'.repeat(128);
      expect(username.length).toBe(256);
      expect(checkRequest(aRequest({ username }))).toEqual([]);
    });

    it('rejects 129 emoji', () => {
      expect(rulesOf(aRequest({ username: '😀'.repeat(129) }))).toEqual([{ field: 'data.username', rule: 'username-length' }]);
    });

    it('accepts 1 and 128 ASCII characters, rejects 0 and 129', () => {
      expect(checkRequest(aRequest({ username: 'a' }))).toEqual([]);
      expect(checkRequest(aRequest({ username: 'a'.repeat(128) }))).toEqual([]);
      expect(rulesOf(aRequest({ username: '' }))).toEqual([{ field: 'data.username', rule: 'username-length' }]);
      expect(rulesOf(aRequest({ username: 'a'.repeat(129) }))).toEqual([{ field: 'data.username', rule: 'username-length' }]);
    });

    it('says how long the username was, without quoting it', () => {
      const [violation] = checkRequest(aRequest({ username: 'x'.repeat(129) }));
      expect(violation?.message).toContain('129');
      expect(violation?.message).not.toContain('xxx');
    });
  });

  describe('attribute name and value lengths', () => {
    it('accepts a 32-character name and a 2048-character value in attributes', () => {
      const name = `custom:${'n'.repeat(25)}`;
      expect(name.length).toBe(32);
      expect(checkRequest(aRequest({ attributes: { email: 'a@b.c', [name]: 'v'.repeat(2048) } }))).toEqual([]);
    });

    it('rejects a 33-character attribute name', () => {
      const name = `custom:${'n'.repeat(26)}`;
      expect(rulesOf(aRequest({ attributes: { email: 'a@b.c', [name]: 'v' } }))).toEqual([
        { field: `data.attributes.${name}`, rule: 'attribute-name-length' },
      ]);
    });

    it('rejects a 2049-character attribute value', () => {
      expect(rulesOf(aRequest({ attributes: { email: 'a@b.c', given_name: 'v'.repeat(2049) } }))).toEqual([
        { field: 'data.attributes.given_name', rule: 'attribute-value-length' },
      ]);
    });

    it('counts characters, not UTF-16 units, in values', () => {
      expect(checkRequest(aRequest({ attributes: { email: 'a@b.c', given_name: '😀'.repeat(2048) } }))).toEqual([]);
      expect(rulesOf(aRequest({ attributes: { email: 'a@b.c', given_name: '😀'.repeat(2049) } }))).toEqual([
        { field: 'data.attributes.given_name', rule: 'attribute-value-length' },
      ]);
    });

    it('applies the same limits to validationData, naming its field', () => {
      const longName = 'n'.repeat(33);
      expect(rulesOf(aRequest({ validationData: { [longName]: 'v', hr_system: 'w'.repeat(2049) } }))).toEqual([
        { field: `data.validationData.${longName}`, rule: 'attribute-name-length' },
        { field: 'data.validationData.hr_system', rule: 'attribute-value-length' },
      ]);
    });

    it('accepts validationData names that are not user attributes', () => {
      expect(checkRequest(aRequest({ validationData: { hr_system: 'workday' } }))).toEqual([]);
    });
  });

  describe('attribute names a client may set', () => {
    it('accepts standard and custom: attributes', () => {
      expect(checkRequest(aRequest({ attributes: { email: 'a@b.c', locale: 'en', 'custom:employee_id': 'E1' } }))).toEqual([]);
    });

    it('rejects a non-standard name without the custom: prefix', () => {
      expect(rulesOf(aRequest({ attributes: { email: 'a@b.c', employee_id: 'E1' } }))).toEqual([
        { field: 'data.attributes.employee_id', rule: 'attribute-name' },
      ]);
    });

    it('rejects sub, which is Cognito\'s own', () => {
      expect(rulesOf(aRequest({ attributes: { email: 'a@b.c', sub: 'x' } }))).toEqual([{ field: 'data.attributes.sub', rule: 'attribute-name' }]);
    });

    it('rejects the bare prefix custom:', () => {
      expect(rulesOf(aRequest({ attributes: { email: 'a@b.c', 'custom:': 'x' } }))).toEqual([{ field: 'data.attributes.custom:', rule: 'attribute-name' }]);
    });
  });

  describe('email-required', () => {
    it('requires email when email_verified is true, in any case', () => {
      for (const verified of ['true', 'True', 'TRUE']) {
        expect(rulesOf(aRequest({ attributes: { email_verified: verified } }))).toEqual([{ field: 'data.attributes.email', rule: 'email-required' }]);
      }
    });

    it('does not require email when email_verified is false', () => {
      expect(checkRequest(aRequest({ attributes: { email_verified: 'false' } }))).toEqual([]);
    });

    it('requires email when EMAIL is a desired medium', () => {
      expect(rulesOf(aRequest({ attributes: { phone_number: '+15555550100' }, messageAction: undefined, desiredDeliveryMediums: ['EMAIL'] }))).toEqual([
        { field: 'data.attributes.email', rule: 'email-required' },
      ]);
    });

    it('is satisfied by an email attribute', () => {
      expect(checkRequest(aRequest({ attributes: { email: 'a@b.c', email_verified: 'true' }, messageAction: undefined, desiredDeliveryMediums: ['EMAIL'] }))).toEqual([]);
    });
  });

  describe('phone-number-required', () => {
    it('requires phone_number when phone_number_verified is true, in any case', () => {
      for (const verified of ['true', 'tRuE']) {
        expect(rulesOf(aRequest({ attributes: { email: 'a@b.c', phone_number_verified: verified } }))).toEqual([
          { field: 'data.attributes.phone_number', rule: 'phone-number-required' },
        ]);
      }
    });

    it('requires phone_number when SMS is an explicit medium', () => {
      const violations = checkRequest(aRequest({ attributes: { email: 'a@b.c' }, messageAction: undefined, desiredDeliveryMediums: ['SMS', 'EMAIL'] }));
      expect(violations.map(({ field, rule }) => ({ field, rule }))).toEqual([{ field: 'data.attributes.phone_number', rule: 'phone-number-required' }]);
      expect(violations[0]?.message).toContain('desired delivery medium');
    });

    it('requires phone_number when SMS is the default medium: no mediums given and a message is sent', () => {
      const violations = checkRequest(aRequest({ attributes: { email: 'a@b.c' }, messageAction: undefined, desiredDeliveryMediums: undefined }));
      expect(violations.map(({ field, rule }) => ({ field, rule }))).toEqual([{ field: 'data.attributes.phone_number', rule: 'phone-number-required' }]);
      expect(violations[0]?.message).toContain('default delivery medium');
    });

    it('does not require phone_number under SUPPRESS without explicit mediums', () => {
      expect(checkRequest(aRequest({ attributes: { email: 'a@b.c' }, messageAction: 'SUPPRESS', desiredDeliveryMediums: undefined }))).toEqual([]);
    });

    it('does not require phone_number for RESEND, which uses the destination the user already has', () => {
      expect(checkRequest(aRequest({ attributes: {}, messageAction: 'RESEND', desiredDeliveryMediums: undefined }))).toEqual([]);
      expect(checkRequest(aRequest({ attributes: {}, messageAction: 'RESEND', desiredDeliveryMediums: ['SMS'] }))).toEqual([]);
    });

    it('is satisfied by a phone_number attribute', () => {
      expect(checkRequest(aRequest({ attributes: { phone_number: '+15555550100' }, messageAction: undefined }))).toEqual([]);
    });
  });

  it('reports several violations at once', () => {
    const violations = rulesOf(aRequest({
      username: 'u'.repeat(200),
      attributes: { employee_id: 'E1', email_verified: 'true', given_name: 'g'.repeat(3000) },
      validationData: { ['n'.repeat(40)]: 'v' },
      messageAction: undefined,
      desiredDeliveryMediums: ['EMAIL', 'SMS'],
    }));
    expect(violations).toEqual(expect.arrayContaining([
      { field: 'data.username', rule: 'username-length' },
      { field: 'data.attributes.employee_id', rule: 'attribute-name' },
      { field: 'data.attributes.given_name', rule: 'attribute-value-length' },
      { field: `data.validationData.${'n'.repeat(40)}`, rule: 'attribute-name-length' },
      { field: 'data.attributes.email', rule: 'email-required' },
      { field: 'data.attributes.phone_number', rule: 'phone-number-required' },
    ]));
    expect(violations).toHaveLength(6);
  });

  it('gives both reasons when email is required twice over', () => {
    const [violation] = checkRequest(aRequest({ attributes: { email_verified: 'true' }, messageAction: undefined, desiredDeliveryMediums: ['EMAIL'] }));
    expect(violation?.message).toContain('email_verified is true');
    expect(violation?.message).toContain('EMAIL is a desired delivery medium');
  });
});
