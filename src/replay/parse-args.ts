import { parseArgs } from 'node:util';
import {
  ERROR_CLASS_NAMES,
  FAILURE_REASONS,
  type ReplayFrom,
  type ReplayOptions,
} from './replay-options.ts';

/** A flag that is missing, unknown or malformed: the command prints it and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: user-provisioner replay --from failed|dlq [options]

Sends failed requests or dead letters back to the input topic (TOPIC_REQUESTED) once the cause
is fixed. Each message goes unchanged, so its request id is kept: a request that did become a
user is answered again (alreadyExisted: true), never turned into a second user.

  --from failed        read user.provisioning-failed.v1 events (TOPIC_FAILED) and send each
                       original request again, read back from data.source
  --from dlq           read dead letters (TOPIC_DLQ) and send each without its dlq-* headers
  --reason R           (failed) only this data.reason; repeatable or comma-separated:
                       ${FAILURE_REASONS.join(', ')}
  --error-class C      (dlq) only this dlq-error-class; repeatable or comma-separated:
                       ${ERROR_CLASS_NAMES.join(', ')}
  --request-id ID      only this request id; repeatable
  --partition N        only this partition of the topic read
  --from-offset A      first offset to read (needs --partition)
  --to-offset B        last offset to read, inclusive (needs --partition)
  --limit N            stop after N matching messages
  --dry-run            print what would be sent, send nothing
  -h, --help           print this text

It reads up to the end offsets taken at start, commits no consumer offsets, and prints one
line per matching message (request id, key, where it came from, why it failed; never the
value), then a summary. It needs only the service's KAFKA_* and TOPIC_* variables (and reads
LOG_LEVEL and LOG_PERSONAL_DATA). Exit 0: done; 1: failed or interrupted; 2: a bad flag or
variable.
`;

export type ParsedArgs = { readonly kind: 'help' } | { readonly kind: 'replay'; readonly options: ReplayOptions };

const MAX_PARTITION = 2 ** 31 - 1;
const OFFSET = /^\d{1,19}$/;

export function parseReplayArgs(args: readonly string[]): ParsedArgs {
  let values: Record<string, (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: 'string', multiple: true },
        reason: { type: 'string', multiple: true },
        'error-class': { type: 'string', multiple: true },
        'request-id': { type: 'string', multiple: true },
        partition: { type: 'string', multiple: true },
        'from-offset': { type: 'string', multiple: true },
        'to-offset': { type: 'string', multiple: true },
        limit: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean', multiple: true },
        help: { type: 'boolean', short: 'h', multiple: true },
      },
    }));
  } catch (error) {
    // Node's own wording, up to its advice on positionals, which does not apply here.
    const message = error instanceof Error ? error.message.split('. ')[0] ?? error.message : String(error);
    throw new UsageError(message);
  }
  if (values['help'] !== undefined) return { kind: 'help' };

  const strings = (name: string): string[] => (values[name] ?? []).filter((value) => typeof value === 'string');
  const single = (name: string): string | undefined => {
    const given = strings(name);
    if (given.length > 1) throw new UsageError(`--${name} is given ${given.length} times`);
    return given[0];
  };
  const listed = (name: string): string[] => strings(name).flatMap((value) => value.split(',')).map((item) => item.trim()).filter((item) => item !== '');

  const from = single('from');
  if (from === undefined) throw new UsageError('--from is required: failed or dlq');
  if (from !== 'failed' && from !== 'dlq') throw new UsageError(`--from "${from}" is not failed or dlq`);

  const reasons = oneOfEach('--reason', listed('reason'), FAILURE_REASONS);
  const errorClasses = oneOfEach('--error-class', listed('error-class'), ERROR_CLASS_NAMES);
  if (reasons.size > 0 && from !== 'failed') throw new UsageError('--reason applies to --from failed; dead letters have --error-class');
  if (errorClasses.size > 0 && from !== 'dlq') throw new UsageError('--error-class applies to --from dlq; failed events have --reason');

  const partitionText = single('partition');
  const partition = partitionText === undefined ? undefined : wholeNumber('--partition', partitionText, 0, MAX_PARTITION);
  const fromOffset = offset('--from-offset', single('from-offset'));
  const toOffset = offset('--to-offset', single('to-offset'));
  // Offsets number the messages of one partition: a range over several would mean nothing.
  if ((fromOffset !== undefined || toOffset !== undefined) && partition === undefined) {
    throw new UsageError('--from-offset and --to-offset need --partition: offsets are per partition');
  }
  if (fromOffset !== undefined && toOffset !== undefined && BigInt(fromOffset) > BigInt(toOffset)) {
    throw new UsageError(`--from-offset ${fromOffset} is after --to-offset ${toOffset}`);
  }
  const limitText = single('limit');

  return {
    kind: 'replay',
    options: {
      from: from satisfies ReplayFrom,
      reasons,
      errorClasses,
      requestIds: new Set(listedIds(strings('request-id'))),
      range: { partition, fromOffset, toOffset },
      limit: limitText === undefined ? undefined : wholeNumber('--limit', limitText, 1, Number.MAX_SAFE_INTEGER),
      dryRun: values['dry-run'] !== undefined,
    },
  };
}

function oneOfEach<T extends string>(flag: string, given: readonly string[], allowed: readonly T[]): Set<T> {
  for (const value of given) {
    if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} "${value}" is not one of ${allowed.join(', ')}`);
  }
  return new Set(given as T[]);
}

/** Request ids are taken whole: an id may contain a comma. */
function listedIds(given: readonly string[]): string[] {
  for (const id of given) if (id === '') throw new UsageError('--request-id is empty');
  return [...given];
}

function wholeNumber(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) throw new UsageError(`${flag} "${value}" is not a whole number`);
  if (parsed < min || parsed > max) throw new UsageError(`${flag} ${value} is outside ${min}..${max}`);
  return parsed;
}

function offset(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!OFFSET.test(value) || BigInt(value) > 2n ** 63n - 1n) throw new UsageError(`${flag} "${value}" is not an offset (a whole number)`);
  // "007" and "7" are the same offset: keep one spelling.
  return BigInt(value).toString();
}
