// The lines the command prints: one per matching message, then a summary. They name requests
// and places, never a message value (it may hold a temporary password); keys are usually
// usernames, so they are shown the way the service logs personal data.
import type { MessageOrigin } from '../events/message.ts';
import type { PersonalDataMask } from '../events/personal-data.port.ts';
import type { ReplayFrom } from './replay-options.ts';
import type { Candidate, SkipReason } from './select.ts';

export type Verb = 'would-send' | 'sent' | 'skipped';

export interface ReplaySummary {
  readonly from: ReplayFrom;
  readonly dryRun: boolean;
  read: number;
  matched: number;
  sent: number;
  skipped: number;
  /** Matching messages by failure reason or dead-letter class. */
  readonly byCause: Map<string, number>;
  readonly skippedBy: Map<SkipReason, number>;
  interrupted: boolean;
}

export function formatLine(
  verb: Verb,
  from: ReplayFrom,
  candidate: Candidate,
  personal: PersonalDataMask,
  extra: { readonly to?: MessageOrigin; readonly skip?: SkipReason } = {},
): string {
  const fields = [
    verb,
    `request-id=${candidate.requestId === undefined ? '-' : printable(candidate.requestId)}`,
    `key=${candidate.key === null ? '-' : printable(personal(candidate.key.toString('utf8')) ?? '')}`,
    `${from === 'failed' ? 'reason' : 'error-class'}=${printable(candidate.cause)}`,
    `source=${candidate.source === undefined ? '-' : place(candidate.source)}`,
    `${from === 'failed' ? 'failed-event' : 'dead-letter'}=${place(candidate.via)}`,
  ];
  if (extra.to !== undefined) fields.push(`to=${place(extra.to)}`);
  if (extra.skip !== undefined) fields.push(`skip=${extra.skip}`);
  return fields.join(' ');
}

export function formatHeader(from: ReplayFrom, topic: string, target: string, dryRun: boolean): string {
  const what = from === 'failed' ? 'failed events' : 'dead letters';
  return `replay: ${what} on ${printable(topic)} to ${printable(target)}${dryRun ? ' (dry run: nothing is sent)' : ''}`;
}

export function formatSummary(summary: ReplaySummary): string[] {
  const what = `${summary.from === 'failed' ? 'failed event' : 'dead letter'}${summary.read === 1 ? '' : 's'}`;
  const sent = summary.dryRun ? `${summary.sent} would be sent` : `${summary.sent} sent`;
  const lines = [
    `${summary.interrupted ? 'interrupted' : 'summary'}: ${summary.read} ${what} read, ${summary.matched} matching: ${sent}, ${summary.skipped} skipped`,
  ];
  if (summary.byCause.size > 0) lines.push(`  by ${summary.from === 'failed' ? 'reason' : 'error class'}: ${counts(summary.byCause)}`);
  if (summary.skippedBy.size > 0) lines.push(`  skipped: ${counts(summary.skippedBy)}`);
  return lines;
}

function counts(map: ReadonlyMap<string, number>): string {
  return [...map].sort(([a], [b]) => a.localeCompare(b)).map(([name, count]) => `${printable(name)} ${count}`).join(', ');
}

function place(origin: MessageOrigin): string {
  return `${printable(origin.topic)}/${origin.partition}/${origin.offset}`;
}

const PLAIN = /^[\x21-\x7e]{1,200}$/;

/**
 * Text from messages goes to a terminal: anything but short plain ASCII is quoted and escaped,
 * so no control sequence or line break of the input reaches it.
 */
export function printable(text: string): string {
  if (PLAIN.test(text) && !text.includes('"')) return text;
  const shortened = text.length > 200 ? `${text.slice(0, 200)}…` : text;
  return JSON.stringify(shortened).replace(/[\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
