// One scenario's run: its inputs (good requests, invalid ones and messages that are no event, each
// with a key of its own, or good requests several to a key), every service process it started,
// the metric scrapes it took, and a tracker that notes when each input's first answer was seen,
// for the recovery figures.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { inject } from 'vitest';
import { requestEvent, structured } from '../support/events.ts';
import type { OutgoingMessage, ReadMessage } from '../support/kafka-test-client.ts';
import type { ServiceProcess } from '../support/service-process.ts';
import type { TestStack } from '../support/test-stack.ts';
import { AssignmentWatch, partitionOwners } from './ownership.ts';
import { STALL_MS } from './scale.ts';
import { serviceEnv } from './service-env.ts';

export type Kind = 'created' | 'failed' | 'dlq';
export const KINDS: readonly Kind[] = ['created', 'failed', 'dlq'];

/** In every temporary password: a scan for it finds any password, whole or cut after it. */
export const PASSWORD_MARKER = 'Fault-Canary-';

export interface Input {
  /** What its answers carry: the request id of an event, the key of a message that is no event. */
  readonly id: string;
  readonly key: string;
  readonly expected: Kind;
  /** The request id, for the inputs that are events. */
  readonly requestId?: string;
  readonly username?: string;
  readonly password?: string;
  readonly message: OutgoingMessage;
}

/** One input in INVALID_EVERY is an invalid request, one in DLQ_EVERY no event at all. */
const INVALID_EVERY = 20;
const DLQ_EVERY = 40;
const PRODUCE_BATCH = 200;

export class FaultRun {
  readonly scenario: string;
  readonly stack: TestStack;
  readonly inputs: readonly Input[];
  readonly services: ServiceProcess[] = [];
  readonly scrapes: string[] = [];
  /** The client id each service has in the group, for the ownership check. */
  readonly clientIds = new Map<ServiceProcess, string>();
  /** The group's assignments through the run, once watchAssignments() was called. */
  assignments: AssignmentWatch | undefined;
  readonly started = Date.now();
  readonly #byKey: ReadonlyMap<string, readonly Input[]>;
  /** When each input's first answer was seen by the test's consumer, by input id. */
  readonly #firstSeen = new Map<string, { at: number; topic: Kind }>();
  readonly #readUpTo: Record<Kind, number> = { created: 0, failed: 0, dlq: 0 };
  readonly #ticker: NodeJS.Timeout;
  #serviceCount = 0;

  /** `requestsPerKey` above 1: good requests only, that many in a row for each key (one username), each its own request id. */
  constructor(stack: TestStack, scenario: string, events: number, options: { requestsPerKey?: number } = {}) {
    this.stack = stack;
    this.scenario = scenario;
    this.inputs = makeInputs(scenario, events, stack.pool, options.requestsPerKey ?? 1);
    const byKey = new Map<string, Input[]>();
    for (const input of this.inputs) byKey.set(input.key, [...(byKey.get(input.key) ?? []), input]);
    this.#byKey = byKey;
    // Frequent, so a first sighting is timed to within the watch consumer's own delay.
    this.#ticker = setInterval(() => this.#update(), 50);
    stack.cleanup.add(this.#ticker, (ticker) => clearInterval(ticker));
  }

  get counts(): Record<Kind, number> {
    return { created: 0, failed: 0, dlq: 0, ...tally(this.inputs.map((input) => input.expected)) };
  }

  topicOf(kind: Kind): string {
    return this.stack.topics[kind === 'created' ? 'created' : kind === 'failed' ? 'failed' : 'dlq'];
  }

  /** Produces inputs [from, to) in order, in batches. */
  async produce(from = 0, to = this.inputs.length): Promise<void> {
    for (let start = from; start < to; start += PRODUCE_BATCH) {
      const batch = this.inputs.slice(start, Math.min(to, start + PRODUCE_BATCH)).map((input) => input.message);
      await this.stack.kafka.produce(this.stack.topics.requested, batch);
    }
  }

  /** A service of the suite (SASL_SSL, shared quota), kept for the scans and figures. */
  async startService(env: Readonly<Record<string, string>> = {}, options: { waitForReady?: boolean } = {}): Promise<ServiceProcess> {
    const clientId = `${this.scenario}-${++this.#serviceCount}`;
    const group = this.assignments === undefined ? {} : { KAFKA_GROUP_ID: this.assignments.groupId };
    const service = await this.stack.startService(serviceEnv({ KAFKA_CLIENT_ID: clientId, ...group, ...env }), options);
    this.services.push(service);
    this.clientIds.set(service, clientId);
    return service;
  }

  /** Records the group's assignments from the broker from now on; call before starting services (they join the watched group). */
  async watchAssignments(): Promise<void> {
    this.assignments = await AssignmentWatch.start(inject('kafkaBrokers').split(','), `user-provisioner-${this.scenario}-${randomUUID().slice(0, 6)}`, this.stack.topics.requested);
    this.stack.cleanup.add(this.assignments, (watch) => watch.stop());
  }

  /** A /metrics scrape, kept for the secret scan; undefined when the service does not answer. */
  async scrape(service: ServiceProcess): Promise<string | undefined> {
    try {
      const text = await service.metrics();
      this.scrapes.push(text);
      return text;
    } catch {
      return undefined;
    }
  }

  /** Inputs with at least one answer. */
  answered(kind?: Kind): number {
    this.#update();
    if (kind === undefined) return this.#firstSeen.size;
    let count = 0;
    for (const seen of this.#firstSeen.values()) if (seen.topic === kind) count++;
    return count;
  }

  /** Waits until `count` inputs have an answer, as long as answers keep coming. */
  async waitForAnswered(count: number, options: { stallMs?: number; while?: () => void } = {}): Promise<void> {
    const stallMs = options.stallMs ?? STALL_MS;
    let last = -1;
    let progressAt = Date.now();
    for (;;) {
      options.while?.();
      const now = this.answered();
      if (now >= count) return;
      if (now !== last) {
        last = now;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > stallMs) {
        const missing = this.inputs.filter((input) => !this.#firstSeen.has(input.id));
        throw new Error(
          `${this.scenario}: no new answer for ${stallMs / 1000} s with ${now} of ${count} answered; `
          + `${missing.length} inputs unanswered, e.g. ${missing.slice(0, 5).map((input) => `${input.key} (${input.expected})`).join(', ')}`,
        );
      }
      await sleep(100);
    }
  }

  /**
   * Milliseconds from `since` to the first outcome `service` logged after it (one that `match`
   * accepts, if given), from the service's own log time; waits for it.
   */
  async firstOutcomeLoggedAfter(service: ServiceProcess, since: number, match?: (line: OutcomeLine) => boolean, stallMs = STALL_MS): Promise<number> {
    const deadline = Date.now() + stallMs;
    let cursor = 0;
    for (;;) {
      const found = outcomeLoggedAfter(service, since, match, cursor);
      if (found.at !== undefined) return found.at - since;
      cursor = found.cursor;
      if (Date.now() > deadline) throw new Error(`${this.scenario}: the service logged no such outcome within ${stallMs / 1000} s`);
      await sleep(50);
    }
  }

  /** Milliseconds from `since` to the first answer seen after it for an input not answered before (of `kind`, if given). */
  async recoveryAfter(since: number, kind?: Kind, stallMs = STALL_MS): Promise<number> {
    const deadline = Date.now() + stallMs;
    for (;;) {
      this.#update();
      let first: number | undefined;
      for (const seen of this.#firstSeen.values()) {
        if (seen.at > since && (kind === undefined || seen.topic === kind) && (first === undefined || seen.at < first)) first = seen.at;
      }
      if (first !== undefined) return first - since;
      if (Date.now() > deadline) throw new Error(`${this.scenario}: no new ${kind ?? ''} answer within ${stallMs / 1000} s after the fault ended`);
      await sleep(50);
    }
  }

  /**
   * Waits until the test's consumer has read everything on the outcome topics (their end
   * offsets), so the checks see every copy the services published.
   */
  async readEverything(timeoutMs = 60_000): Promise<void> {
    const admin = await this.#admin();
    try {
      const deadline = Date.now() + timeoutMs;
      for (const kind of KINDS) {
        const topic = this.topicOf(kind);
        const end = (await admin.fetchTopicOffsets(topic)).reduce((sum, partition) => sum + Number(partition.high), 0);
        while (this.stack.kafka.read(topic).length < end) {
          if (Date.now() > deadline) throw new Error(`the test consumer read ${this.stack.kafka.read(topic).length} of ${end} messages on ${topic}`);
          await sleep(100);
        }
      }
    } finally {
      await admin.disconnect();
    }
    this.#update();
  }

  /** The input topic's partitions a service of this run holds in `groupId` now, as the coordinator tells. */
  async partitionsHeldBy(service: ServiceProcess, groupId: string): Promise<number[]> {
    const admin = await this.#admin();
    try {
      const owners = await partitionOwners(admin, groupId, this.stack.topics.requested);
      const clientId = this.clientIds.get(service);
      return [...owners].filter(([, owner]) => owner === clientId).map(([partition]) => partition).sort((a, b) => a - b);
    } finally {
      await admin.disconnect();
    }
  }

  /** The inputs of a key, in the order they were produced. */
  inputsOf(key: string | null): readonly Input[] {
    return key === null ? [] : this.#byKey.get(key) ?? [];
  }

  get wallTimeS(): number {
    return round((Date.now() - this.started) / 1000);
  }

  async #admin(): Promise<Admin> {
    const admin = new Kafka({ clientId: 'user-provisioner-faults', brokers: inject('kafkaBrokers').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    return admin;
  }

  #update(): void {
    const now = Date.now();
    for (const kind of KINDS) {
      const messages = this.stack.kafka.read(this.topicOf(kind));
      for (let index = this.#readUpTo[kind]; index < messages.length; index++) {
        const message = messages[index];
        const id = message === undefined ? undefined : answerId(kind, message);
        if (id !== undefined && !this.#firstSeen.has(id)) this.#firstSeen.set(id, { at: now, topic: kind });
      }
      this.#readUpTo[kind] = messages.length;
    }
  }
}

/** The fields of the service's `outcome` log line that the scenarios look at. */
export interface OutcomeLine {
  readonly time: string;
  /** created, already_existed, failed, dead_letter */
  readonly outcome: string;
  readonly partition: number;
}

/** Every outcome `service` logged, from line `cursor` on. */
export function outcomesLogged(service: ServiceProcess, cursor = 0): OutcomeLine[] {
  return service.stdout.slice(cursor).flatMap((line) => (line.includes('"msg":"outcome"') ? [JSON.parse(line) as OutcomeLine] : []));
}

/** The time of the first outcome `service` logged after `since`, looking from line `cursor` on. */
export function outcomeLoggedAfter(service: ServiceProcess, since: number, match?: (line: OutcomeLine) => boolean, cursor = 0): { at: number | undefined; cursor: number } {
  const lines = service.stdout;
  for (let index = cursor; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (!line.includes('"msg":"outcome"')) continue;
    const record = JSON.parse(line) as OutcomeLine;
    const at = Date.parse(record.time);
    if (at > since && (match === undefined || match(record))) return { at, cursor: index };
  }
  return { at: undefined, cursor: lines.length };
}

/**
 * The answer a message on an outcome topic gives: the request id of a created or failed event, the
 * key of a dead letter (its input was no event).
 */
export function answerId(kind: Kind, message: ReadMessage): string | undefined {
  if (kind === 'dlq') return message.key ?? undefined;
  const requestId = (JSON.parse(message.value?.toString('utf8') ?? 'null') as { data?: { requestId?: unknown } } | null)?.data?.requestId;
  return typeof requestId === 'string' ? requestId : undefined;
}

function makeInputs(scenario: string, events: number, pool: string, requestsPerKey: number): Input[] {
  const run = randomUUID().slice(0, 6);
  return Array.from({ length: events }, (_, index): Input => {
    if (requestsPerKey > 1) {
      // The same user asked for again: the first request creates it, the others find it (already existed).
      const group = Math.floor(index / requestsPerKey);
      const username = `${scenario}-${run}-${group}`;
      const password = `${PASSWORD_MARKER}${randomUUID().slice(0, 13)}!Aa1`;
      const event = requestEvent({ userPoolId: pool, username, temporaryPassword: password, attributes: { email: `${username}@example.com`, given_name: `Given ${group}` } });
      return { id: event.id, key: username, expected: 'created', requestId: event.id, username, password, message: structured(event) };
    }
    if (index % DLQ_EVERY === DLQ_EVERY - 1) {
      // Not JSON: a dead letter, answered without Cognito.
      const key = `${scenario}-garbage-${index}`;
      return { id: key, key, expected: 'dlq', message: { key, value: `{"specversion":"1.0","id":"${run}-${index}", cut off`, headers: { 'content-type': 'application/cloudevents+json' } } };
    }
    const username = `${scenario}-${run}-${index}`;
    const password = `${PASSWORD_MARKER}${randomUUID().slice(0, 13)}!Aa1`;
    if (index % INVALID_EVERY === INVALID_EVERY - 3) {
      // email_verified without an email: invalid-event, never a Cognito call.
      const event = requestEvent({ userPoolId: pool, username, temporaryPassword: password, attributes: { email_verified: 'true' } });
      return { id: event.id, key: username, expected: 'failed', requestId: event.id, username, password, message: structured(event) };
    }
    const event = requestEvent({ userPoolId: pool, username, temporaryPassword: password, attributes: { email: `${username}@example.com`, given_name: `Given ${index}` } });
    return { id: event.id, key: username, expected: 'created', requestId: event.id, username, password, message: structured(event) };
  });
}

export function tally<T extends string>(values: readonly T[]): Partial<Record<T, number>> {
  const counts: Partial<Record<T, number>> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
