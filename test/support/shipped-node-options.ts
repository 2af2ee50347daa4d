// The V8 settings the image starts the service with, for everything else that starts it.
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url).pathname;

/**
 * The Dockerfile's `ENV NODE_OPTIONS`, the one place they are written (a pod's own NODE_OPTIONS
 * replaces them).
 */
export function shippedNodeOptions(): string {
  const dockerfile = readFileSync(`${root}Dockerfile`, 'utf8');
  const value = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile)?.[1];
  if (value === undefined) throw new Error('the Dockerfile sets no ENV NODE_OPTIONS="..."');
  return value;
}
