import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// CPU and memory of contender processes, read from /proc (Linux only, like the bench).

const CLOCK_TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** User plus system CPU time the process has used so far, in ms; undefined once it is gone. */
export function cpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 (utime) and 15 (stime) of proc(5), here at 11 and 12 since field 3 is at 0.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SECOND : undefined;
}

/** Resident set size in MiB; undefined once the process is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

interface RssSample {
  readonly at: number;
  readonly mb: number;
}

/** Samples the resident memory of each process every `intervalMs`, until stopped. */
export class RssSampler {
  readonly #samples = new Map<number, RssSample[]>();
  readonly #timer: NodeJS.Timeout;

  constructor(pids: readonly number[], intervalMs = 250) {
    for (const pid of pids) this.#samples.set(pid, []);
    const sample = () => {
      for (const [pid, samples] of this.#samples) {
        const mb = rssMb(pid);
        if (mb !== undefined) samples.push({ at: Date.now(), mb });
      }
    };
    sample();
    this.#timer = setInterval(sample, intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The highest reading of any one process (not a sum over processes). */
  peakMb(): number | undefined {
    const all = [...this.#samples.values()].flat();
    return all.length === 0 ? undefined : all.reduce((peak, sample) => Math.max(peak, sample.mb), 0);
  }

  /**
   * The peak of any one process in each quarter of [from, to]: flat memory under a long backlog
   * shows as four similar numbers.
   */
  peakByQuarterMb(from: number, to: number): (number | null)[] {
    const span = Math.max(1, to - from);
    const peaks: (number | null)[] = [null, null, null, null];
    for (const { at, mb } of [...this.#samples.values()].flat()) {
      if (at < from || at > to) continue;
      const quarter = Math.min(3, Math.floor(((at - from) / span) * 4));
      peaks[quarter] = Math.max(peaks[quarter] ?? 0, mb);
    }
    return peaks;
  }
}
