/** A required environment variable of a bench contender process. */
export function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    process.stderr.write(`${name} is required\n`);
    process.exit(2);
  }
  return value;
}
