// Each scenario's figures, for the closing note: printed, and gathered in
// .cache/test-results/faults-figures.json (emptied by the suite's global setup). Written before
// the assertions, so a failing run reports its figures too. Times are measured, never asserted.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { InvariantReport } from './invariants.ts';
import { SCALE } from './scale.ts';

export const FIGURES_FILE = new URL('../../.cache/test-results/faults-figures.json', import.meta.url);

export function recordFigures(scenario: string, report: InvariantReport, extra: Record<string, unknown>): void {
  const { figures, violations } = report;
  const entry = {
    scenario,
    scale: SCALE.name,
    ...figures,
    violations: Object.fromEntries(Object.entries(violations).map(([name, list]) => [name, list.length])),
    ...extra,
  };
  mkdirSync(new URL('.', FIGURES_FILE), { recursive: true });
  const all = existsSync(FIGURES_FILE) ? (JSON.parse(readFileSync(FIGURES_FILE, 'utf8')) as Record<string, unknown>) : {};
  all[scenario] = entry;
  writeFileSync(FIGURES_FILE, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`faults figures, ${scenario} (${SCALE.name}): ${JSON.stringify(entry)}`);
}
