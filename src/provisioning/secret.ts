import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * Holds a secret (the temporary password) so that no accidental path can print it:
 * JSON.stringify, string interpolation and util.inspect all see "[redacted]".
 * Only the directory adapter calls reveal(), to put it on the wire.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** Replaces every occurrence of the secret in a text (a message from elsewhere). */
  scrub(text: string): string {
    return this.#value.length > 0 ? text.split(this.#value).join(REDACTED) : text;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
