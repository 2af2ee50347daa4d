// Prints one closing line for CI, "N passed, N failed, N skipped", from the JSON reports that
// `npm run test:unit`, `test:deploy`, `test:integration`, `test:integration:containers` (the same
// suite, its Kafka and moto as containers), `test:container` and `test:faults` write under
// .cache/test-results/. CI runs them all, so a missing report counts as a failure.
import { existsSync, readFileSync } from 'node:fs';

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const root = new URL('../.cache/test-results/', import.meta.url);
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const suite of ['unit', 'deploy', 'integration', 'integration-containers', 'container', 'faults']) {
  const file = new URL(`${suite}.json`, root);
  if (!existsSync(file)) {
    console.log(`${suite}: no report (the suite did not run)`);
    totals.failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  console.log(`${suite}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
