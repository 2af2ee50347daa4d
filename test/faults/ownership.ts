// Which service owned which input partition when, as the broker tells it: the group's members and
// their assignments (DescribeGroups), polled through the run; each service has a client id of its
// own, which the broker reports with its member. The services log each outcome (with its input
// partition) once the broker acknowledged it.
//
// An outcome logged by service S for partition P at time t is a publish for a lost partition when
// the latest assignment seen before t gave P to another service. A member that keeps up cannot be
// flagged: kafkajs rejoins only after every batch in hand returned (fetchManager.js stop), so its
// outcomes are all logged before the next generation exists. An expelled member's late outcomes
// are flagged once a poll saw the new owner: the check misses at most a poll interval's worth.
// The services and the test run on one machine: one clock.
import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import type { ServiceProcess } from '../support/service-process.ts';

const POLL_MS = 200;

interface Sample {
  readonly at: number;
  /** Input partition to the client id of the member that holds it. */
  readonly owners: ReadonlyMap<number, string>;
}

export class AssignmentWatch {
  readonly groupId: string;
  readonly #topic: string;
  readonly #admin: Admin;
  readonly #samples: Sample[] = [];
  #running = true;
  readonly #loop: Promise<void>;

  private constructor(admin: Admin, groupId: string, topic: string) {
    this.#admin = admin;
    this.groupId = groupId;
    this.#topic = topic;
    this.#loop = this.#poll();
  }

  static async start(brokers: string[], groupId: string, topic: string): Promise<AssignmentWatch> {
    const admin = new Kafka({ clientId: 'user-provisioner-faults-watch', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    return new AssignmentWatch(admin, groupId, topic);
  }

  /** Each change of the assignment, in order. */
  get samples(): readonly Sample[] {
    return this.#samples;
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    await this.#loop;
    await this.#admin.disconnect();
  }

  async #poll(): Promise<void> {
    while (this.#running) {
      try {
        const owners = await partitionOwners(this.#admin, this.groupId, this.#topic);
        const last = this.#samples.at(-1);
        const changed = last === undefined || last.owners.size !== owners.size || [...owners].some(([partition, owner]) => last.owners.get(partition) !== owner);
        if (owners.size > 0 && changed) this.#samples.push({ at: Date.now(), owners });
      } catch {
        // A poll that failed is one sample fewer.
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

/** Each partition of `topic` the group's members hold now, to the client id of its holder, as the coordinator tells. */
export async function partitionOwners(admin: Admin, groupId: string, topic: string): Promise<Map<number, string>> {
  const { groups } = await admin.describeGroups([groupId]);
  const owners = new Map<number, string>();
  for (const member of groups[0]?.members ?? []) {
    // A member still joining has no assignment yet.
    const decoded = member.memberAssignment.length === 0 ? null : AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    for (const partition of decoded?.assignment[topic] ?? []) owners.set(partition, member.clientId);
  }
  return owners;
}

/** One line per outcome a service logged for an input partition the broker had given another member by then. */
export function publishesForLostPartitions(services: readonly { process: ServiceProcess; clientId: string }[], samples: readonly Sample[]): string[] {
  const violations: string[] = [];
  for (const { process, clientId } of services) {
    for (const line of process.stdout) {
      if (!line.includes('"msg":"outcome"')) continue;
      const record = JSON.parse(line) as { time: string; partition: number };
      const at = Date.parse(record.time);
      const owner = samples.findLast((sample) => sample.at <= at && sample.owners.has(record.partition));
      const holder = owner?.owners.get(record.partition);
      if (holder === undefined || holder === clientId) continue;
      violations.push(`${clientId}: an outcome for partition ${record.partition} at ${record.time}, when ${holder} held it (seen at ${new Date(owner?.at ?? 0).toISOString()})`);
    }
  }
  return violations;
}
