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
    return Promise.resolve();
  }

  heartbeat(): Promise<void> {
    this.heartbeats++;
    this.events.push('heartbeat');
    this.onHeartbeat();
    return Promise.resolve();
  }

  isActive(): boolean {
    return this.active;
  }
}
