// The bench's own Kafka broker and Redis, on ports of their own, from the local stack (scripts/stack.ts).
import { RedisServer, startKafka as startStackKafka } from '../scripts/stack.ts';

export interface Broker {
  readonly brokers: string;
  stop(): Promise<void>;
}

/** Starts a single-node Kafka broker; fetches the jars on the first run (Maven Central). */
export async function startKafka(port: number): Promise<Broker> {
  return startStackKafka({ port });
}

export interface Redis {
  readonly url: string;
  stop(): Promise<void>;
}

/** A throwaway redis-server: nothing saved, nothing shared with others. */
export async function startRedis(port: number): Promise<Redis> {
  return RedisServer.start({ port });
}
