import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/adapters/logger.ts';
import { Secret } from '../../../src/provisioning/secret.ts';

const VALUE = 'Temp-Pa55word!';

function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  // pino writes synchronously to a plain stream's write().
  return { logger: createLogger({ level: 'info', destination }), lines };
}

describe('Secret', () => {
  const secret = new Secret(VALUE);

  it('reveals its value only when asked', () => {
    expect(secret.reveal()).toBe(VALUE);
  });

  it('shows [redacted] to JSON.stringify, at any depth', () => {
    const json = JSON.stringify({ data: { temporaryPassword: secret, list: [secret] } });
    expect(json).not.toContain(VALUE);
    expect(json).toBe('{"data":{"temporaryPassword":"[redacted]","list":["[redacted]"]}}');
  });

  it('shows [redacted] in a template string and String()', () => {
    expect(`password: ${String(secret)}`).toBe('password: [redacted]');
    expect(String(secret)).not.toContain(VALUE);
  });

  it('shows [redacted] to util.inspect, alone and nested', () => {
    expect(inspect(secret)).toBe('[redacted]');
    expect(inspect({ nested: { secret } }, { depth: 10, showHidden: true })).not.toContain(VALUE);
  });

  it('never appears in a pino log line, however it is logged', () => {
    const { logger, lines } = capturedLogger();
    logger.info({ temporaryPassword: secret }, 'as the redacted field');
    logger.info({ request: { password: secret, other: secret } }, 'nested');
    logger.info({ anyName: secret }, 'under a name the redaction paths do not know');
    logger.info('interpolated %s and %o and %j', secret, secret, secret);
    logger.info({ err: new Error(`failed: ${String(secret)}`) }, 'in an error');
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).not.toContain(VALUE);
    expect(lines[2]).toContain('"anyName":"[redacted]"');
  });

  describe('scrub', () => {
    it('replaces every occurrence in a text', () => {
      expect(secret.scrub(`a ${VALUE} b ${VALUE}`)).toBe('a [redacted] b [redacted]');
    });

    it('leaves a text without it unchanged', () => {
      expect(secret.scrub('nothing here')).toBe('nothing here');
    });

    it('treats the value literally, not as a pattern', () => {
      expect(new Secret('a.c*').scrub('abc a.c* abcc')).toBe('abc [redacted] abcc');
    });

    it('does nothing for an empty secret', () => {
      expect(new Secret('').scrub('text')).toBe('text');
    });
  });
});
