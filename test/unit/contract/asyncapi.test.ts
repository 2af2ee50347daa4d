import { readdirSync, readFileSync } from 'node:fs';
import { fromFile, Parser } from '@asyncapi/parser';
import { Ajv2020, type AnySchema } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config.ts';

// The published event contract (schemas/asyncapi.yaml) against the code: it must parse, name
// the topics the service uses, point its payloads at the JSON Schemas the service validates
// with, and every example in it must be valid against the schema of its message.

const schemasDir = new URL('../../../schemas/', import.meta.url);
const documentPath = new URL('asyncapi.yaml', schemasDir).pathname;
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;
interface Ref { readonly $ref: string }
interface RawExample { readonly name: string; readonly headers?: Ref; readonly payload: Ref }
interface RawMessage {
  readonly name: string;
  readonly contentType: string;
  readonly headers: Ref;
  readonly payload: Ref | Json;
  readonly examples?: readonly RawExample[];
}
interface RawDocument {
  readonly channels: Record<string, { address: string; messages: Record<string, Ref> }>;
  readonly components: { messages: Record<string, RawMessage>; schemas: Record<string, Json> };
}

const raw = parse(readFileSync(documentPath, 'utf8')) as RawDocument;

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, schemasDir), 'utf8')) as unknown;
}

/** Resolves a `./file.json#/pointer` reference relative to schemas/. */
function resolveFileRef(ref: string): unknown {
  const [file = '', pointer = ''] = ref.split('#');
  let value = readJson(file);
  for (const part of pointer.split('/').filter((p) => p !== '')) {
    value = (value as Json)[part];
  }
  return value;
}

function localSchema(ref: Ref): Json {
  const name = ref.$ref.replace('#/components/schemas/', '');
  const schema = raw.components.schemas[name];
  if (schema === undefined) throw new Error(`no components.schemas.${name}`);
  return schema;
}

/** The same Ajv setup as src/events/schemas.ts, with every schema file of schemas/ loaded. */
function payloadValidators(): Ajv2020 {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true }));
  for (const file of readdirSync(schemasDir).filter((f) => f.endsWith('.json'))) {
    ajv.addSchema(readJson(file) as AnySchema, file);
  }
  return ajv;
}

describe('schemas/asyncapi.yaml', () => {
  let diagnostics: { severity: number; code: string | number; message: string; path: (string | number)[] }[] = [];
  let messageCount = 0;

  beforeAll(async () => {
    const parsed = await fromFile(new Parser(), documentPath).parse();
    diagnostics = parsed.diagnostics;
    messageCount = parsed.document?.allMessages().length ?? 0;
  });

  it('parses with @asyncapi/parser without errors or warnings', () => {
    // Severity 0 is an error, 1 a warning; information (such as "3.1.0 exists") is fine.
    const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    expect(problems).toEqual([]);
    expect(messageCount).toBe(Object.keys(raw.components.messages).length);
  });

  it('describes the four topics under the names the service uses by default', () => {
    const config = loadConfig({ KAFKA_BROKERS: 'kafka:9092', AWS_REGION: 'us-east-1', USER_POOL_ID: 'us-east-1_Example1' });
    const addresses = Object.values(raw.channels).map((channel) => channel.address).sort();
    expect(addresses).toEqual(Object.values(config.topics).sort());
  });

  it('takes every payload from the JSON Schemas the service validates with', () => {
    const schemaFiles = new Set(
      Object.values(raw.components.messages)
        .map((message) => (typeof message.payload['$ref'] === 'string' ? message.payload['$ref'].split('#')[0] : undefined))
        .filter((file) => file !== undefined),
    );
    const served = readdirSync(schemasDir).filter((f) => f.endsWith('.json')).map((f) => `./${f}`);
    expect([...schemaFiles].sort()).toEqual(served.sort());
  });

  it('has examples for every message, and uses every file in schemas/examples', () => {
    const used = new Set<string>();
    for (const [name, message] of Object.entries(raw.components.messages)) {
      expect(message.examples?.length ?? 0, `${name} has no example`).toBeGreaterThan(0);
      for (const example of message.examples ?? []) {
        for (const ref of [example.payload, example.headers]) {
          if (ref !== undefined) used.add(ref.$ref.split('#')[0] ?? '');
        }
      }
    }
    const files = readdirSync(new URL('examples/', schemasDir)).map((f) => `./examples/${f}`);
    expect([...used].sort()).toEqual(files.sort());
  });

  const ajv = payloadValidators();
  for (const [name, message] of Object.entries(raw.components.messages)) {
    for (const example of message.examples ?? []) {
      it(`${name}: example "${example.name}" is valid against the message's payload and headers`, () => {
        const payloadRef = message.payload['$ref'];
        const validatePayload = typeof payloadRef === 'string'
          ? ajv.getSchema(payloadRef.replace(/^\.\//, ''))
          : ajv.compile(message.payload);
        if (validatePayload === undefined) throw new Error(`${name}: payload ${String(payloadRef)} not found`);
        const payload = resolveFileRef(example.payload.$ref);
        expect(validatePayload(payload), JSON.stringify(validatePayload.errors)).toBe(true);

        if (example.headers !== undefined) {
          const validateHeaders = ajv.compile(localSchema(message.headers));
          const headers = resolveFileRef(example.headers.$ref);
          expect(validateHeaders(headers), JSON.stringify(validateHeaders.errors)).toBe(true);
        }
      });
    }
  }

  it('rejects an example that breaks its schema (the check can fail)', () => {
    const example = structuredClone(resolveFileRef('./examples/user.created.v1.json')) as { data: Json };
    delete example.data['sub'];
    const validate = ajv.getSchema('user.created.v1.json');
    expect(validate?.(example)).toBe(false);
  });
});
