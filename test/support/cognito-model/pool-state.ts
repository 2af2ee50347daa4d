// A pool as the model holds it: its configuration, its users, its scripted faults and today's emails.
import type { PoolFaults, UserPoolType } from './pool-config.ts';
import { UserDirectory } from './user-directory.ts';

export class PoolState {
  readonly config: UserPoolType;
  readonly users: UserDirectory;
  /** Epoch seconds. */
  readonly createdAt: number;
  faults: PoolFaults = {};
  #emailDay = '';
  #emailsSent = 0;

  constructor(config: UserPoolType, createdAt: number) {
    this.config = config;
    this.users = new UserDirectory(config);
    this.createdAt = createdAt;
  }

  /** Emails sent on the UTC day of `at` (epoch ms). AWS does not say when its day starts: UTC is a guess. */
  emailsSentOn(at: number): number {
    return this.#emailDay === utcDay(at) ? this.#emailsSent : 0;
  }

  countEmail(at: number): void {
    this.#emailsSent = this.emailsSentOn(at) + 1;
    this.#emailDay = utcDay(at);
  }
}

const utcDay = (at: number) => new Date(at).toISOString().slice(0, 10);
