#!/usr/bin/env node
// The package's command: `user-provisioner [start]` runs the service (what `npm start` does).
// From a clone it runs the TypeScript sources (Node 24 strips the types); from a build, dist/.
import { existsSync } from 'node:fs';

const verbs = ['start'];
const verb = process.argv[2] ?? 'start';
if (!verbs.includes(verb)) {
  process.stderr.write(`user-provisioner: unknown command "${verb}"; commands: ${verbs.join(', ')}\n`);
  process.exit(2);
}
const built = new URL('../dist/main.js', import.meta.url);
const { main } = await import(existsSync(built) ? built.href : new URL('../src/main.ts', import.meta.url).href);
await main();
