import type { CallBudget, DirectoryCalls } from './directory-calls.port.ts';
import type { Directory, PoolConfiguration } from './directory.port.ts';
import { DirectoryError } from './errors.ts';

/** The pools' configurations as the request checks read them: from memory, never waiting for a call. */
export interface PoolConfigurationSource {
  /** Undefined while the pool's configuration is unknown: the static checks alone then apply. */
  current(userPoolId: string): PoolConfiguration | undefined;
  /** AdminCreateUser refused a parameter: the pool may have changed since it was read. */
  suspect(userPoolId: string): void;
}

export interface PoolConfigurationStatus {
  readonly userPoolId: string;
  readonly available: boolean;
  /** The error code of the read that failed, e.g. AccessDeniedException. */
  readonly because: string | undefined;
}

export interface PoolConfigurationSettings {
  /** A configuration older than this is read again, in the background of the next request. */
  readonly refreshIntervalMs: number;
  /** A suspected configuration is read again no sooner than this after the last read. */
  readonly minimumIntervalMs: number;
}

interface Entry {
  configuration: PoolConfiguration | undefined;
  status: PoolConfigurationStatus;
  readAt: number;
  reading: Promise<void> | undefined;
}

/**
 * Reads each allowed pool's configuration (DescribeUserPool) at start and then rarely: every
 * refresh interval, and soon after AdminCreateUser refused a parameter. A failed read keeps the
 * configuration read before, if any; `changed` hears of every change of availability, so a
 * deployment without cognito-idp:DescribeUserPool is reported once, not once a request.
 */
export class PoolConfigurations implements PoolConfigurationSource {
  readonly #entries = new Map<string, Entry>();
  readonly #directory: Directory;
  readonly #calls: DirectoryCalls;
  readonly #settings: PoolConfigurationSettings;
  readonly #changed: (status: PoolConfigurationStatus) => void;
  readonly #now: () => number;

  constructor(deps: {
    directory: Directory;
    calls: DirectoryCalls;
    userPoolIds: Iterable<string>;
    settings: PoolConfigurationSettings;
    changed: (status: PoolConfigurationStatus) => void;
    now?: () => number;
  }) {
    this.#directory = deps.directory;
    this.#calls = deps.calls;
    this.#settings = deps.settings;
    this.#changed = deps.changed;
    this.#now = deps.now ?? Date.now;
    for (const userPoolId of deps.userPoolIds) {
      this.#entries.set(userPoolId, {
        configuration: undefined,
        status: { userPoolId, available: false, because: 'NotRead' },
        readAt: Number.NEGATIVE_INFINITY,
        reading: undefined,
      });
    }
  }

  /** Reads every pool once; resolves when all reads ended, whether they succeeded or not. */
  async load(): Promise<void> {
    await Promise.all([...this.#entries.keys()].map((userPoolId) => this.#read(userPoolId)));
  }

  current(userPoolId: string): PoolConfiguration | undefined {
    const entry = this.#entries.get(userPoolId);
    if (entry === undefined) return undefined;
    if (this.#now() - entry.readAt >= this.#settings.refreshIntervalMs) void this.#read(userPoolId);
    return entry.configuration;
  }

  suspect(userPoolId: string): void {
    const entry = this.#entries.get(userPoolId);
    if (entry !== undefined && this.#now() - entry.readAt >= this.#settings.minimumIntervalMs) void this.#read(userPoolId);
  }

  /** The first pool read so far that cannot carry the provenance attribute, and why; a pool not read yet is trusted until AdminCreateUser says otherwise. */
  provenanceProblem(attribute: string): { readonly userPoolId: string; readonly problem: string } | undefined {
    for (const [userPoolId, entry] of this.#entries) {
      const problem = entry.configuration === undefined ? undefined : provenanceProblem(attribute, entry.configuration);
      if (problem !== undefined) return { userPoolId, problem };
    }
    return undefined;
  }

  get statuses(): readonly PoolConfigurationStatus[] {
    return [...this.#entries.values()].map((entry) => entry.status);
  }

  /** One read at a time per pool; never rejects. */
  #read(userPoolId: string): Promise<void> {
    const entry = this.#entries.get(userPoolId);
    if (entry === undefined) return Promise.resolve();
    entry.reading ??= this.#readOnce(userPoolId, entry).finally(() => {
      entry.reading = undefined;
    });
    return entry.reading;
  }

  async #readOnce(userPoolId: string, entry: Entry): Promise<void> {
    const budget: CallBudget = { attempts: 0, startedAt: this.#now() };
    let status: PoolConfigurationStatus;
    try {
      entry.configuration = await this.#calls.run('DescribeUserPool', (signal) => this.#directory.describePool(userPoolId, signal), budget);
      status = { userPoolId, available: true, because: undefined };
    } catch (error) {
      // Reads run in the background: a bug or the shutdown's abort is reported, not thrown.
      status = { userPoolId, available: false, because: error instanceof DirectoryError ? error.code : 'Error' };
    }
    entry.readAt = this.#now();
    const before = entry.status;
    entry.status = status;
    if (before.available !== status.available || before.because !== status.because) this.#changed(status);
  }
}

/**
 * Why the pool cannot carry the provenance attribute, or undefined when it can: it must be in
 * the schema as a string. AdminCreateUser writes any attribute of the schema, immutable ones too.
 */
export function provenanceProblem(attribute: string, pool: PoolConfiguration): string | undefined {
  const defined = pool.attributes.get(attribute);
  if (defined === undefined) {
    const developerOnly = attribute.startsWith('custom:') && pool.attributes.get(`dev:${attribute}`)?.developerOnly === true;
    return developerOnly
      ? `${attribute} is developer-only in pool ${pool.userPoolId}: name it dev:${attribute}`
      : `${attribute} is not an attribute of pool ${pool.userPoolId}`;
  }
  if (defined.dataType !== undefined && defined.dataType !== 'String') {
    return `${attribute} is a ${defined.dataType} attribute in pool ${pool.userPoolId}; the request id needs a String`;
  }
  return undefined;
}
