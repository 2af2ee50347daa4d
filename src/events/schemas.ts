import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { UserCreatedEvent, UserProvisioningFailedEvent, UserRequestedEvent } from './schema-types.generated.ts';

// The JSON Schemas in schemas/ are compiled once, at start, and are the run-time truth that the
// generated types mirror.

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

function loadSchema(name: string): object {
  return JSON.parse(readFileSync(new URL(`../../schemas/${name}.json`, import.meta.url), 'utf8')) as object;
}

export interface EventValidators {
  readonly requested: ValidateFunction<UserRequestedEvent>;
  readonly created: ValidateFunction<UserCreatedEvent>;
  readonly failed: ValidateFunction<UserProvisioningFailedEvent>;
}

export function compileValidators(): EventValidators {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }));
  return {
    requested: ajv.compile<UserRequestedEvent>(loadSchema('user.requested.v1')),
    created: ajv.compile<UserCreatedEvent>(loadSchema('user.created.v1')),
    failed: ajv.compile<UserProvisioningFailedEvent>(loadSchema('user.provisioning-failed.v1')),
  };
}

export type SchemaError = ErrorObject;
