import type { OutboundMessage } from '../events/message.ts';
import type { PersonalDataMask } from '../events/personal-data.port.ts';
import type { UserProvisioningFailedEvent } from '../events/schema-types.generated.ts';
import type { MessageReader, MessageWriter } from './replay.port.ts';
import type { ReplayOptions, ReplayTopics } from './replay-options.ts';
import { formatHeader, formatLine, formatSummary, type ReplaySummary } from './report.ts';
import { peekRequestId } from './request-id.ts';
import { selectDeadLetter, selectFailed, unchanged, type Candidate, type Selection, type SkipReason } from './select.ts';

export interface ReplayDeps {
  readonly reader: MessageReader;
  readonly writer: MessageWriter;
  readonly isFailedEvent: (event: unknown) => event is UserProvisioningFailedEvent;
  readonly print: (line: string) => void;
  /** Hashes personal data (keys are usually usernames) unless the operator opted in. */
  readonly personal: PersonalDataMask;
  /** Aborted on SIGINT or SIGTERM: the message in hand is finished, then the summary printed. */
  readonly signal?: AbortSignal;
}

type Resolved = { readonly kind: 'send'; readonly message: OutboundMessage } | { readonly kind: 'skip'; readonly why: SkipReason };

/**
 * Reads the failed-event or dead-letter topic in the range and sends each matching request
 * again to the input topic, unchanged, so it keeps its id and idempotency holds. Prints one line
 * per matching message and a summary; a dry run sends nothing.
 */
export async function replay(options: ReplayOptions, topics: ReplayTopics, deps: ReplayDeps): Promise<ReplaySummary> {
  const topic = options.from === 'failed' ? topics.failed : topics.dlq;
  const summary: ReplaySummary = {
    from: options.from,
    dryRun: options.dryRun,
    read: 0,
    matched: 0,
    sent: 0,
    skipped: 0,
    byCause: new Map(),
    skippedBy: new Map(),
    interrupted: false,
  };
  // A request that failed again after an earlier replay has two failed events: sending it once is enough.
  const chosen = new Set<string>();
  deps.print(formatHeader(options.from, topic, topics.requested, options.dryRun));

  for await (const message of deps.reader.readTopicRange(topic, options.range)) {
    if (deps.signal?.aborted === true) {
      summary.interrupted = true;
      break;
    }
    summary.read += 1;
    const selection = options.from === 'failed' ? selectFailed(message, options, deps.isFailedEvent) : selectDeadLetter(message, options);
    if (selection.kind !== 'ignored') {
      const { candidate } = selection;
      summary.matched += 1;
      increment(summary.byCause, candidate.cause);
      const resolved = candidate.requestId !== undefined && chosen.has(candidate.requestId)
        ? { kind: 'skip' as const, why: 'duplicate' as const }
        : await resolve(selection, deps.reader);
      if (resolved.kind === 'skip') {
        summary.skipped += 1;
        increment(summary.skippedBy, resolved.why);
        deps.print(formatLine('skipped', options.from, candidate, deps.personal, { skip: resolved.why }));
      } else {
        if (candidate.requestId !== undefined) chosen.add(candidate.requestId);
        await send(resolved.message, candidate);
        summary.sent += 1;
      }
    }
    if (options.limit !== undefined && summary.matched >= options.limit) break;
  }
  for (const line of formatSummary(summary)) deps.print(line);
  return summary;

  async function send(message: OutboundMessage, candidate: Candidate): Promise<void> {
    if (options.dryRun) {
      deps.print(formatLine('would-send', options.from, candidate, deps.personal));
      return;
    }
    const to = await deps.writer.send(topics.requested, message);
    deps.print(formatLine('sent', options.from, candidate, deps.personal, { to }));
  }
}

async function resolve(selection: Exclude<Selection, { kind: 'ignored' }>, reader: MessageReader): Promise<Resolved> {
  switch (selection.kind) {
    case 'skip':
      return { kind: 'skip', why: selection.why };
    case 'send':
      return { kind: 'send', message: selection.message };
    case 'fetch': {
      const { candidate } = selection;
      const original = await reader.fetchMessage(candidate.source);
      // Gone with retention or compaction: never make a request up from the failed event.
      if (original === undefined) return { kind: 'skip', why: 'original-gone' };
      // A topic deleted and created again reuses offsets: only the very request is sent.
      if (peekRequestId(original) !== candidate.requestId) return { kind: 'skip', why: 'original-mismatch' };
      return { kind: 'send', message: unchanged(original) };
    }
  }
}

function increment<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
