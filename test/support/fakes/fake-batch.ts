import type { InboundMessage } from '../../../src/events/message.ts';
import type { Batch } from '../../../src/pipeline/batch.port.ts';

/**
 * A partition's batch as the Kafka adapter would hand it over, recording what the pipeline did
 * with it in `events` ("resolve:<offset>", "commit", "heartbeat") so that order can be checked.
 */
export class FakeBatch implements Batch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InboundMessage[];
  readonly resolved: string[] = [];
  readonly events: string[] = [];
  heartbeats = 0;
  active = true;
  /** Called on every heartbeat, e.g. to resolve a promise a test waits on. */
  onHeartbeat: () => void = () => undefined;
  /** When set, heartbeats and commits fail with it, as kafkajs's do once the group rebalances. */
  rebalancing: Error | undefined;
  readonly #revocation = new AbortController();

  constructor(messages: readonly InboundMessage[], topic = 'user-requested', partition = 0) {
    this.messages = messages;
    this.topic = topic;
    this.partition = partition;
  }

  resolve(offset: string): void {
    this.resolved.push(offset);
    this.events.push(`resolve:${offset}`);
  }

  commit(): Promise<void> {
    this.events.push('commit');
    return this.rebalancing === undefined ? Promise.resolve() : Promise.reject(this.rebalancing);
  }

  heartbeat(): Promise<void> {
    this.heartbeats++;
    this.events.push('heartbeat');
    this.onHeartbeat();
    return this.rebalancing === undefined ? Promise.resolve() : Promise.reject(this.rebalancing);
  }

  isActive(): boolean {
    return this.active;
  }

  get revoked(): AbortSignal {
    return this.#revocation.signal;
  }

  /** Another batch heard of a rebalance: the transport takes this partition away too. */
  revoke(): void {
    this.events.push('revoked');
    this.#revocation.abort(new Error('the partition was revoked'));
  }
}
