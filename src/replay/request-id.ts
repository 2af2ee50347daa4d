import { headerText, type InboundMessage } from '../events/message.ts';

/**
 * The CloudEvents id of a message, in either binding mode, when it has one: what identifies a
 * request without decoding (or validating) the rest of it. Dead letters often have none.
 */
export function peekRequestId(message: Pick<InboundMessage, 'value' | 'headers'>): string | undefined {
  const binary = headerText(message.headers, 'ce_id');
  if (binary !== undefined) return binary === '' ? undefined : binary;
  if (message.value === null || message.value.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(message.value.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const id = (parsed as Record<string, unknown>)['id'];
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}
