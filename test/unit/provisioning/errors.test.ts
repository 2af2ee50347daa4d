import { describe, expect, it } from 'vitest';
import { classifyError, DirectoryError, errorCodeLabel, isDirectoryError, SystemicError } from '../../../src/provisioning/errors.ts';

describe('classifyError', () => {
  it.each([
    ['TooManyRequestsException', 'transient'],
    ['InternalErrorException', 'transient'],
    ['UnexpectedLambdaException', 'transient'],
    ['LimitExceededException', 'limit'],
    ['InvalidParameterException', 'permanent'],
    ['InvalidPasswordException', 'permanent'],
    ['UserLambdaValidationException', 'permanent'],
    ['AliasExistsException', 'permanent'],
    ['PreconditionNotMetException', 'permanent'],
    ['UnsupportedUserStateException', 'permanent'],
    ['UserNotFoundException', 'permanent'],
    ['UsernameExistsException', 'permanent'],
    ['CodeDeliveryFailureException', 'permanent'],
    ['NotAuthorizedException', 'systemic'],
    ['ResourceNotFoundException', 'systemic'],
    ['InvalidSmsRoleAccessPolicyException', 'systemic'],
    ['InvalidSmsRoleTrustRelationshipException', 'systemic'],
    ['OperationNotEnabledException', 'systemic'],
    ['InvalidLambdaResponseException', 'systemic'],
    ['CredentialsProviderError', 'systemic'],
  ] as const)('classifies %s as %s', (name, kind) => {
    expect(classifyError(name)).toBe(kind);
  });

  it('goes by the name before the status', () => {
    expect(classifyError('TooManyRequestsException', 400)).toBe('transient');
    expect(classifyError('LimitExceededException', 400)).toBe('limit');
    expect(classifyError('UnexpectedLambdaException', 400)).toBe('transient');
    expect(classifyError('NotAuthorizedException', 400)).toBe('systemic');
    expect(classifyError('InvalidParameterException', 500)).toBe('permanent');
  });

  describe('falls back on the HTTP status for unknown names', () => {
    it.each([500, 502, 503, 504, 429])('%i is transient', (status) => {
      expect(classifyError('SomethingNew', status)).toBe('transient');
    });

    it.each([401, 403])('%i is systemic', (status) => {
      expect(classifyError('SomethingNew', status)).toBe('systemic');
    });

    it.each([400, 404, 409, 413])('%i is permanent', (status) => {
      expect(classifyError('SomethingNew', status)).toBe('permanent');
    });

    it('treats no status at all (a network failure) as transient', () => {
      expect(classifyError('SomethingNew')).toBe('transient');
    });
  });

  it('does not mistake names inherited by every object for known exceptions', () => {
    expect(classifyError('constructor', 400)).toBe('permanent');
    expect(classifyError('toString', 503)).toBe('transient');
    expect(classifyError('__proto__', 403)).toBe('systemic');
  });
});

describe('errorCodeLabel', () => {
  it('keeps known exception names', () => {
    expect(errorCodeLabel('TooManyRequestsException')).toBe('TooManyRequestsException');
    expect(errorCodeLabel('NotAuthorizedException')).toBe('NotAuthorizedException');
    for (const name of ['LimitExceededException', 'CodeDeliveryFailureException', 'UnexpectedLambdaException', 'InvalidLambdaResponseException']) {
      expect(errorCodeLabel(name)).toBe(name);
    }
  });

  it('keeps HttpNNN codes (a bounded set)', () => {
    expect(errorCodeLabel('Http502')).toBe('Http502');
  });

  it('folds anything else to Other', () => {
    expect(errorCodeLabel('SomethingNew')).toBe('Other');
    expect(errorCodeLabel('Http5020')).toBe('Other');
    expect(errorCodeLabel('HttpError')).toBe('Other');
    expect(errorCodeLabel('')).toBe('Other');
  });

  it('folds names inherited by every object to Other', () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) expect(errorCodeLabel(name)).toBe('Other');
  });
});

describe('DirectoryError', () => {
  it('classifies itself from its code and status', () => {
    const error = new DirectoryError('SomethingNew', 'boom', { httpStatus: 403 });
    expect(error.kind).toBe('systemic');
    expect(error.code).toBe('SomethingNew');
    expect(error.httpStatus).toBe(403);
    expect(error.name).toBe('DirectoryError');
    expect(isDirectoryError(error)).toBe(true);
    expect(isDirectoryError(new Error('boom'))).toBe(false);
  });

  it('keeps its cause', () => {
    const cause = new Error('socket hang up');
    expect(new DirectoryError('NetworkError', 'x', { cause }).cause).toBe(cause);
  });
});

describe('SystemicError', () => {
  it('carries the code, the pool and the directory error as its cause', () => {
    const cause = new DirectoryError('NotAuthorizedException', 'Access token has expired');
    const error = new SystemicError(cause, 'us-east-1_Example1');
    expect(error).toMatchObject({ name: 'SystemicError', code: 'NotAuthorizedException', userPoolId: 'us-east-1_Example1', cause });
    expect(error.message).toBe('NotAuthorizedException: Access token has expired');
  });
});
