import { describe, expect, it } from 'vitest';
import { characterCount, firstCharacters } from '../../../src/provisioning/characters.ts';

// 'é' as e + a combining accent is two code points; '😀' is one code point in two UTF-16 units.
const MIXED = 'ae\u0301😀z';

describe('characterCount', () => {
  it('counts code points: a surrogate pair is one, a combining mark one more', () => {
    expect(characterCount('')).toBe(0);
    expect(characterCount('abc')).toBe(3);
    expect(characterCount('😀')).toBe(1);
    expect(characterCount(MIXED)).toBe(5);
  });
});

describe('firstCharacters', () => {
  it('cuts after whole code points, never inside a surrogate pair', () => {
    expect(firstCharacters(MIXED, 4)).toBe('ae\u0301😀');
    expect(firstCharacters(MIXED, 3)).toBe('ae\u0301');
    expect(firstCharacters('😀😀', 1)).toBe('😀');
  });

  it('gives the whole text when it is no longer than the count', () => {
    expect(firstCharacters(MIXED, 5)).toBe(MIXED);
    expect(firstCharacters(MIXED, 50)).toBe(MIXED);
    expect(firstCharacters('abc', 0)).toBe('');
  });
});
