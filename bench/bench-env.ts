/** A required environment variable of a bench contender process. */
export function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`${name} is required\n`);
    process.exit(2);
  }
  return value;
}

/** Prints "ready" (what the bench waits for), then on SIGTERM or SIGINT runs `stop` and exits 0. */
export function readyUntilSignal(stop: () => Promise<void>): void {
  console.log('ready');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void stop().then(() => process.exit(0)));
  }
}
