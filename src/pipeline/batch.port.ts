import type { InboundMessage } from '../events/message.ts';

/** A batch of one partition, as the Kafka adapter hands it over. */
export interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InboundMessage[];
  /** Marks an offset done: its outcome is acknowledged, so it may be committed. */
  resolve(offset: string): void;
  /** Commits resolved offsets when due. */
  commit(): Promise<void>;
  /** Keeps the group membership alive during long waits; throws when a rebalance starts. */
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was taken away. */
  isActive(): boolean;
  /**
   * Aborted once the partition is being taken away: a heartbeat or commit of any batch found the
   * group rebalancing or this member expelled. What is unfinished is then handed back at once.
   */
  readonly revoked: AbortSignal;
}
