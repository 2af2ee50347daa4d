// The invariants every fault scenario ends with, written once:
//  (a) every input has answers of exactly one kind, the kind it should have (created, failed or
//      dead letter), and every answer belongs to an input;
//  (b) all copies of an answer are the same event: dead letters and failed events byte for byte;
//      created events in everything but `alreadyExisted`, which the contract lets a redelivery
//      turn from false to true (README, "What the outcomes promise"), so at most one copy says
//      false: only the call that created the user can;
//  (c) Cognito (moto) holds exactly the users of the good requests, and each created event
//      names the user Cognito holds (same sub);
//  (d) no user was created twice: one successful AdminCreateUser per username at the fault
//      proxy, none for a request that should fail, and one user per username in moto;
//  (e) no secret (the SASL password, any temporary password) in any log line the services
//      printed, any event or header they published, or any metric scrape;
//  (f) for every key, the last copy the test's consumer reads answers the key's last request:
//      a late copy of an older answer would tell consumers an older story last;
//  (g) no service published an outcome for a partition it no longer owned, where the scenario
//      watched the group's assignments (./ownership.ts).
// An input is matched to its answers by request id (by key for a message that is no event), so a
// key may carry several requests.
import type { UserType } from '@aws-sdk/client-cognito-identity-provider';
import { expect, inject } from 'vitest';
import type { UserCreatedEvent } from '../support/events.ts';
import type { ReadMessage } from '../support/kafka-test-client.ts';
import { answerId, KINDS, PASSWORD_MARKER, type FaultRun, type Kind } from './fault-run.ts';
import { publishesForLostPartitions } from './ownership.ts';

export interface InvariantReport {
  readonly violations: {
    readonly a: string[];
    readonly b: string[];
    readonly c: string[];
    readonly d: string[];
    readonly e: string[];
    readonly f: string[];
    readonly g: string[];
  };
  readonly figures: {
    readonly eventsIn: Record<Kind | 'total', number>;
    /** Inputs answered, by the kind of their answer. */
    readonly outcomesOut: Record<Kind, number>;
    /** Messages published, copies included. */
    readonly messagesOut: Record<Kind, number>;
    /** Answers published more than once (redeliveries). */
    readonly redeliveredCopies: number;
    readonly usersInCognito: number;
    readonly duplicates: number;
    readonly losses: number;
    readonly secretsFound: number;
    readonly scannedCharacters: number;
    /** Keys whose last copy read answers an older request than the key's last. */
    readonly lateCopies: number;
    /** Null where the scenario did not watch the group's assignments. */
    readonly publishesForLostPartitions: number | null;
  };
}

interface Answer {
  readonly kind: Kind;
  readonly message: ReadMessage;
}

/** Collects every answer and checks (a)–(g); the scenario stops its services first, so their last lines are scanned too. */
export async function checkInvariants(run: FaultRun): Promise<InvariantReport> {
  await run.readEverything();
  const { stack } = run;
  const violations = { a: [] as string[], b: [] as string[], c: [] as string[], d: [] as string[], e: [] as string[], f: [] as string[], g: [] as string[] };

  const byId = new Map<string, Answer[]>();
  const byKey = new Map<string, Answer[]>();
  for (const kind of KINDS) {
    for (const message of stack.kafka.read(run.topicOf(kind))) {
      const key = message.key ?? '(no key)';
      const answer = { kind, message };
      byKey.set(key, [...(byKey.get(key) ?? []), answer]);
      const id = answerId(kind, message);
      if (id === undefined) violations.a.push(`a ${kind} answer keyed ${key} names no request`);
      else byId.set(id, [...(byId.get(id) ?? []), answer]);
    }
  }

  // (a) one kind per input, the expected one, under the input's key; nothing answered that was not asked.
  let losses = 0;
  const outcomesOut: Record<Kind, number> = { created: 0, failed: 0, dlq: 0 };
  for (const input of run.inputs) {
    const answers = byId.get(input.id) ?? [];
    const kinds = new Set(answers.map((answer) => answer.kind));
    if (answers.length === 0) {
      losses++;
      violations.a.push(`${input.key}: no answer to ${input.id} (expected ${input.expected})`);
      continue;
    }
    for (const kind of kinds) outcomesOut[kind]++;
    if (kinds.size > 1) violations.a.push(`${input.key}: answers of ${kinds.size} kinds: ${[...kinds].join(', ')}`);
    else if (!kinds.has(input.expected)) violations.a.push(`${input.key}: answered ${[...kinds].join()} instead of ${input.expected}`);
    for (const answer of answers) {
      if (answer.message.key !== input.key) violations.a.push(`${input.id}: answered under key ${String(answer.message.key)}, not ${input.key}`);
    }
  }
  const ids = new Set(run.inputs.map((input) => input.id));
  for (const id of byId.keys()) if (!ids.has(id)) violations.a.push(`an answer to ${id}, which no input was`);
  for (const key of byKey.keys()) {
    if (run.inputsOf(key).length === 0) violations.a.push(`an answer keyed ${key}, which no input had`);
  }

  // (b) copies of one answer are the same event; only the call that created a user can say so.
  let redeliveredCopies = 0;
  for (const input of run.inputs) {
    const answers = byId.get(input.id) ?? [];
    for (const kind of KINDS) {
      const copies = answers.filter((answer) => answer.kind === kind);
      if (copies.length < 2) continue;
      redeliveredCopies += copies.length - 1;
      const [first, ...rest] = copies.map((copy) => stableForm(copy));
      for (const [index, copy] of rest.entries()) {
        if (copy !== first) violations.b.push(`${input.key}: copy ${index + 2} of its ${kind} answer differs from the first:\n  ${first}\n  ${copy}`);
      }
    }
  }
  for (const [key, answers] of byKey) {
    const fresh = answers.filter((answer) => answer.kind === 'created' && !(parse(answer.message) as UserCreatedEvent).data.alreadyExisted).length;
    if (fresh > 1) violations.b.push(`${key}: ${fresh} copies say alreadyExisted: false; only the call that created the user can`);
  }

  // (f) the last copy of each key answers its last request (a key's answers share a topic and so a partition, in order).
  let lateCopies = 0;
  for (const [key, answers] of byKey) {
    const last = run.inputsOf(key).at(-1);
    const lastCopy = answers.at(-1);
    if (last === undefined || lastCopy === undefined || answers.some((answer) => answer.kind !== lastCopy.kind)) continue;
    const answered = answerId(lastCopy.kind, lastCopy.message);
    if (answered !== last.id) {
      lateCopies++;
      violations.f.push(`${key}: the last copy read (${lastCopy.kind} ${lastCopy.message.partition}@${lastCopy.message.offset}) answers ${String(answered)}, not the last request ${last.id}`);
    }
  }

  // (g) no outcome from a service for a partition another member held by then.
  await run.assignments?.stop();
  if (run.assignments !== undefined) {
    const members = run.services.map((process) => ({ process, clientId: run.clientIds.get(process) ?? '' }));
    violations.g.push(...publishesForLostPartitions(members, run.assignments.samples));
  }

  // (c) Cognito holds exactly the users asked for, as the created events describe them.
  const users = await stack.cognito.listUsers(stack.pool);
  const usersByName = new Map<string, UserType[]>();
  for (const user of users) usersByName.set(user.Username ?? '', [...(usersByName.get(user.Username ?? '') ?? []), user]);
  const wanted = new Set(run.inputs.filter((input) => input.expected === 'created').map((input) => input.username));
  const usernames = new Map(run.inputs.flatMap((input) => (input.username === undefined ? [] : [[input.username, input] as const])));
  for (const username of wanted) if (username !== undefined && !usersByName.has(username)) violations.c.push(`${username}: not in Cognito`);
  for (const username of usersByName.keys()) if (!wanted.has(username)) violations.c.push(`${username}: in Cognito, but no good request asked for it`);
  for (const input of usernames.values()) {
    const user = usersByName.get(input.username ?? '')?.[0];
    if (user === undefined) continue;
    const sub = user.Attributes?.find((attribute) => attribute.Name === 'sub')?.Value;
    for (const answer of byKey.get(input.key) ?? []) {
      if (answer.kind !== 'created') continue;
      const event = parse(answer.message) as UserCreatedEvent;
      if (event.data.sub !== sub) violations.c.push(`${input.key}: the created event names sub ${event.data.sub}, Cognito holds ${String(sub)}`);
    }
  }

  // (d) no user created twice: at the proxy and in moto.
  const successes = new Map<string, number>();
  for (const call of stack.proxy.calls) {
    if (call.operation !== 'AdminCreateUser' || call.status !== 200 || call.username === undefined) continue;
    successes.set(call.username, (successes.get(call.username) ?? 0) + 1);
  }
  let duplicates = 0;
  for (const [username, input] of usernames) {
    const created = successes.get(username) ?? 0;
    const expected = wanted.has(username) ? 1 : 0;
    if (created > 1) duplicates += created - 1;
    if (created !== expected) violations.d.push(`${input.key}: ${created} successful AdminCreateUser calls at the proxy, expected ${expected}`);
  }
  for (const [username, same] of usersByName) {
    if (same.length > 1) {
      duplicates += same.length - 1;
      violations.d.push(`${username}: ${same.length} users in Cognito`);
    }
  }

  // (e) no secret anywhere the services wrote.
  // The marker is in every temporary password, so one search finds any of them, whole or cut after it.
  const secrets: [string, string][] = [['the SASL password', inject('faultsBroker').scramPassword], ['a temporary password', PASSWORD_MARKER]];
  const places: [string, string][] = [];
  for (const [index, service] of run.services.entries()) {
    places.push([`service ${index + 1} stdout`, service.stdout.join('\n')], [`service ${index + 1} stderr`, service.stderr.join('\n')]);
  }
  for (const kind of KINDS) {
    for (const message of stack.kafka.read(run.topicOf(kind))) {
      // No input that becomes a dead letter carries a secret here, so dead letters' values are scanned too.
      places.push([`${kind} ${message.partition}@${message.offset}`, `${message.key ?? ''}\n${message.value?.toString('utf8') ?? ''}\n${JSON.stringify(message.headers)}`]);
    }
  }
  for (const [index, scrape] of run.scrapes.entries()) places.push([`metric scrape ${index + 1}`, scrape]);
  let scannedCharacters = 0;
  for (const [where, text] of places) {
    scannedCharacters += text.length;
    for (const [what, secret] of secrets) if (text.includes(secret)) violations.e.push(`${what} in ${where}`);
  }

  const counts = run.counts;
  return {
    violations,
    figures: {
      eventsIn: { total: run.inputs.length, created: counts.created, failed: counts.failed, dlq: counts.dlq },
      outcomesOut,
      messagesOut: { created: stack.kafka.read(run.topicOf('created')).length, failed: stack.kafka.read(run.topicOf('failed')).length, dlq: stack.kafka.read(run.topicOf('dlq')).length },
      redeliveredCopies,
      usersInCognito: users.length,
      duplicates,
      losses,
      secretsFound: violations.e.length,
      scannedCharacters,
      lateCopies,
      publishesForLostPartitions: run.assignments === undefined ? null : violations.g.length,
    },
  };
}

/** Asserts (a)–(g), each on its own so a failure says which invariant broke (the first 20 violations of each). */
export function expectInvariants(report: InvariantReport): void {
  const { violations } = report;
  expect(violations.a.slice(0, 20), `(a) exactly one kind of answer per input: ${violations.a.length} violations`).toEqual([]);
  expect(violations.b.slice(0, 20), `(b) copies of an answer identical: ${violations.b.length} violations`).toEqual([]);
  expect(violations.c.slice(0, 20), `(c) Cognito holds exactly the expected users: ${violations.c.length} violations`).toEqual([]);
  expect(violations.d.slice(0, 20), `(d) no user created twice: ${violations.d.length} violations`).toEqual([]);
  expect(violations.e.slice(0, 20), `(e) no secret in logs, events, headers or metrics: ${violations.e.length} violations`).toEqual([]);
  expect(violations.f.slice(0, 20), `(f) the last copy of each key answers its last request: ${violations.f.length} violations`).toEqual([]);
  expect(violations.g.slice(0, 20), `(g) no outcome published for a partition the service had lost: ${violations.g.length} violations`).toEqual([]);
}

/** What must be the same in every copy: the key, the headers and the value, minus `alreadyExisted` of a created event. */
function stableForm(answer: Answer): string {
  const { message } = answer;
  const headers = JSON.stringify(Object.entries(message.headers).sort(([a], [b]) => a.localeCompare(b)));
  if (answer.kind !== 'created') return `${message.key ?? ''}\n${headers}\n${message.value?.toString('base64') ?? ''}`;
  const event = parse(message) as { data: Record<string, unknown> };
  const { alreadyExisted: _replay, ...data } = event.data;
  return `${message.key ?? ''}\n${headers}\n${canonical({ ...event, data })}`;
}

function parse(message: ReadMessage): unknown {
  return JSON.parse(message.value?.toString('utf8') ?? 'null');
}

/** JSON with object keys sorted, so two equal events give one string. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
