// Cognito's limits and the schemas' (Ajv counts maxLength the same way) count characters as
// code points: not UTF-16 units, not bytes, not grapheme clusters.

export function characterCount(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** The text's first `count` characters; the whole text when it is no longer. */
export function firstCharacters(text: string, count: number): string {
  let end = 0;
  let taken = 0;
  for (const character of text) {
    if (taken === count) break;
    end += character.length;
    taken++;
  }
  return text.slice(0, end);
}
