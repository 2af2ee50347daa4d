// Shared by the model's tests: call the model the way the HTTP front does and inspect its errors.
import { expect } from 'vitest';
import type { CognitoErrorType } from './errors.ts';
import { isCognitoError } from './errors.ts';
import { CognitoModel } from './model.ts';
import type { PoolDefinition, PoolFaults } from './pool-config.ts';

export type Attributes = Record<string, string>;

export function poolWith(definition: PoolDefinition = {}, faults: PoolFaults = {}): { model: CognitoModel; poolId: string } {
  const model = new CognitoModel();
  return { model, poolId: model.createPool(definition, faults).Id };
}

export function createUser(model: CognitoModel, poolId: string, Username: string, attributes: Attributes = {}, extra: Record<string, unknown> = {}) {
  const UserAttributes = Object.entries(attributes).map(([Name, Value]) => ({ Name, Value }));
  return model.call('AdminCreateUser', { UserPoolId: poolId, Username, UserAttributes, ...extra }).answer as { User: { Username: string; Attributes: { Name: string; Value: string }[] } };
}

export function getUser(model: CognitoModel, poolId: string, Username: string) {
  return model.call('AdminGetUser', { UserPoolId: poolId, Username }).answer as { Username: string; UserAttributes: { Name: string; Value: string }[] };
}

/** Runs `call` and asserts it fails as Cognito would: the error type and, when given, the exact message. */
export function expectCognitoError(call: () => unknown, type: CognitoErrorType, message?: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(isCognitoError(thrown), `expected ${type}, got ${String(thrown)}`).toBe(true);
  if (!isCognitoError(thrown)) return;
  expect(thrown.type).toBe(type);
  if (message !== undefined) expect(thrown.message).toBe(message);
}

export const attribute = (user: { Attributes?: { Name: string; Value: string }[]; UserAttributes?: { Name: string; Value: string }[] }, name: string) =>
  (user.Attributes ?? user.UserAttributes ?? []).find((a) => a.Name === name)?.Value;
