import type { ChildProcess } from 'node:child_process';

// Every process the bench starts, so that an interrupted bench (Ctrl-C, a CI timeout) leaves
// none behind: a contender stuck in a long retry would otherwise outlive it.
const live = new Set<ChildProcess>();

export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
}
