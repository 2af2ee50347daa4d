#!/usr/bin/env node
// The package's command: `user-provisioner [start]` runs the service (what `npm start` does);
// `user-provisioner replay ...` sends failed requests or dead letters to the input topic again.
// From a clone it runs the TypeScript sources (Node 24 strips the types); from a build, dist/.
import { existsSync } from 'node:fs';

const entries = { start: 'main', replay: 'replay/main' };
const verb = process.argv[2] ?? 'start';
if (verb === 'help' || verb === '--help' || verb === '-h') {
  process.stdout.write('Usage: user-provisioner [start]    run the service\n       user-provisioner replay ...   see user-provisioner replay --help\n');
  process.exit(0);
}
if (!Object.hasOwn(entries, verb)) {
  process.stderr.write(`user-provisioner: unknown command "${verb}"; commands: ${Object.keys(entries).join(', ')}\n`);
  process.exit(2);
}
const entry = entries[verb];
const built = new URL(`../dist/${entry}.js`, import.meta.url);
const { main } = await import(existsSync(built) ? built.href : new URL(`../src/${entry}.ts`, import.meta.url).href);
if (verb === 'start') await main();
else await main(process.argv.slice(3));
