// FAULTS_SCALE: `full` (the default) runs the sizes of the issue, `ci` a shorter run that keeps
// every scenario.

export interface Scale {
  readonly name: 'full' | 'ci';
  /** Input messages per scenario. */
  readonly events: number;
  /** SIGKILLs in the crash scenario. */
  readonly kills: number;
  /** How long Cognito is unreachable or answers 5xx. */
  readonly outageMs: number;
  /** How long the systemic fault (NotAuthorizedException) lasts before it is fixed. */
  readonly systemicMs: number;
}

const SCALES: Record<Scale['name'], Scale> = {
  full: { name: 'full', events: 2_000, kills: 10, outageMs: 30_000, systemicMs: 20_000 },
  ci: { name: 'ci', events: 400, kills: 4, outageMs: 10_000, systemicMs: 8_000 },
};

function readScale(value: string | undefined): Scale {
  const name = value === undefined || value === '' ? 'full' : value;
  if (name !== 'full' && name !== 'ci') throw new Error(`FAULTS_SCALE must be full or ci, got "${name}"`);
  return SCALES[name];
}

export const SCALE = readScale(process.env['FAULTS_SCALE']);

/** No new outcome for this long means something is stuck: stop waiting and report what is missing. */
export const STALL_MS = 150_000;
