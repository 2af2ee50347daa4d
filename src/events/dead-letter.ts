import { definedHeaders, type InboundMessage, type OutboundMessage } from './message.ts';

export const DEAD_LETTER_HEADERS = {
  topic: 'dlq-source-topic',
  partition: 'dlq-source-partition',
  offset: 'dlq-source-offset',
  errorClass: 'dlq-error-class',
  errorMessage: 'dlq-error-message',
} as const;

/**
 * The input message unchanged (key, value, headers), plus headers saying where it came from
 * and why it could not be read. The error message is the service's own words, never a quote
 * of the input.
 */
export function deadLetter(message: InboundMessage, errorClass: string, errorMessage: string): OutboundMessage {
  return {
    key: message.key,
    value: message.value,
    headers: {
      ...definedHeaders(message.headers),
      [DEAD_LETTER_HEADERS.topic]: message.topic,
      [DEAD_LETTER_HEADERS.partition]: String(message.partition),
      [DEAD_LETTER_HEADERS.offset]: message.offset,
      [DEAD_LETTER_HEADERS.errorClass]: errorClass,
      [DEAD_LETTER_HEADERS.errorMessage]: errorMessage,
    },
  };
}
