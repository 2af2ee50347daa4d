import { describe, expect, it } from 'vitest';
import { parseReplayArgs, UsageError, USAGE } from '../../../src/replay/parse-args.ts';
import type { ReplayOptions } from '../../../src/replay/replay-options.ts';

function parsed(args: string[]): ReplayOptions {
  const result = parseReplayArgs(args);
  if (result.kind !== 'replay') throw new Error(`expected options for ${args.join(' ')}`);
  return result.options;
}

function usageError(args: string[]): string {
  try {
    parseReplayArgs(args);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`expected a UsageError for ${args.join(' ')}`);
}

describe('parseReplayArgs', () => {
  it('reads the smallest command with every default', () => {
    expect(parsed(['--from', 'failed'])).toEqual({
      from: 'failed',
      reasons: new Set(),
      errorClasses: new Set(),
      requestIds: new Set(),
      range: { partition: undefined, fromOffset: undefined, toOffset: undefined },
      limit: undefined,
      dryRun: false,
    });
  });

  it('reads every flag, repeated or comma-separated', () => {
    expect(parsed([
      '--from=failed', '--reason', 'retries-exhausted,rejected', '--reason', 'conflict', '--request-id', 'a,b', '--request-id', 'c',
      '--partition', '3', '--from-offset', '007', '--to-offset', '12', '--limit', '50', '--dry-run',
    ])).toEqual({
      from: 'failed',
      reasons: new Set(['retries-exhausted', 'rejected', 'conflict']),
      errorClasses: new Set(),
      // An id is taken whole: ids may contain commas.
      requestIds: new Set(['a,b', 'c']),
      range: { partition: 3, fromOffset: '7', toOffset: '12' },
      limit: 50,
      dryRun: true,
    });
    expect(parsed(['--from', 'dlq', '--error-class', 'oversized', '--error-class', 'processing-error']).errorClasses)
      .toEqual(new Set(['oversized', 'processing-error']));
  });

  it('answers --help and -h with the usage, which names every flag', () => {
    expect(parseReplayArgs(['--help'])).toEqual({ kind: 'help' });
    expect(parseReplayArgs(['-h', '--from', 'nonsense'])).toEqual({ kind: 'help' });
    for (const flag of ['--from', '--reason', '--error-class', '--request-id', '--partition', '--from-offset', '--to-offset', '--limit', '--dry-run']) {
      expect(USAGE).toContain(flag);
    }
    expect(USAGE).toContain('retries-exhausted');
    expect(USAGE).toContain('not-json');
  });

  it.each([
    [[], '--from is required: failed or dlq'],
    [['--from', 'topic'], '--from "topic" is not failed or dlq'],
    [['--from', 'failed', '--from', 'dlq'], '--from is given 2 times'],
    [['--from', 'failed', '--frm', 'x'], "Unknown option '--frm'"],
    [['--from', 'failed', 'extra'], "Unexpected argument 'extra'"],
    [['--from', 'failed', '--reason', 'retries-exhuasted'], '--reason "retries-exhuasted" is not one of invalid-event, pool-not-allowed, rejected, conflict, retries-exhausted, limit-exceeded'],
    [['--from', 'dlq', '--error-class', 'bad'], '--error-class "bad" is not one of'],
    [['--from', 'dlq', '--reason', 'rejected'], '--reason applies to --from failed'],
    [['--from', 'failed', '--error-class', 'oversized'], '--error-class applies to --from dlq'],
    [['--from', 'failed', '--partition', '-1'], "Option '--partition' argument is ambiguous"],
    [['--from', 'failed', '--partition', 'one'], '--partition "one" is not a whole number'],
    [['--from', 'failed', '--partition', '2147483648'], '--partition 2147483648 is outside 0..2147483647'],
    [['--from', 'failed', '--from-offset', '5'], '--from-offset and --to-offset need --partition'],
    [['--from', 'failed', '--partition', '0', '--to-offset', '1.5'], '--to-offset "1.5" is not an offset'],
    [['--from', 'failed', '--partition', '0', '--from-offset', '9', '--to-offset', '3'], '--from-offset 9 is after --to-offset 3'],
    [['--from', 'failed', '--limit', '0'], '--limit 0 is outside'],
    [['--from', 'failed', '--request-id', ''], '--request-id is empty'],
    [['--from', 'failed', '--dry-run=yes'], "Option '--dry-run' does not take an argument"],
  ])('rejects %j', (args, message) => {
    expect(usageError(args)).toContain(message);
  });
});
