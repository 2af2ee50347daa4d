// Prints one closing line for CI, "N passed, N failed, N skipped", from the JSON reports that
// `npm run test:unit`, `test:deploy`, `test:integration`, `test:integration:containers` (the same
// suite, its Kafka and moto as containers: CI runs it on Kafka 4), `test:container` and
// `test:faults` write under .cache/test-results/. CI runs them all, so a missing report counts as a
// failure; `test:integration:kafka4` (the jar path on Kafka 4) is counted when it ran.
import { existsSync, readFileSync } from 'node:fs';

interface Report {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const root = new URL('../.cache/test-results/', import.meta.url);
const totals = { passed: 0, failed: 0, skipped: 0 };
const required = ['unit', 'deploy', 'integration', 'integration-containers', 'container', 'faults'];
for (const suite of [...required, 'integration-kafka4']) {
  const file = new URL(`${suite}.json`, root);
  if (!existsSync(file)) {
    if (!required.includes(suite)) continue;
    console.log(`${suite}: no report (the suite did not run)`);
    totals.failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  // A file whose beforeAll throws reports its tests as skipped, none failed: the run still failed.
  const failed = report.numFailedTests > 0 || report.success ? report.numFailedTests : 1;
  console.log(`${suite}: ${report.numPassedTests} passed, ${failed} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
  totals.passed += report.numPassedTests;
  totals.failed += failed;
  totals.skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
