import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import type { RateAdaptation, TokenSource } from '../../resilience/token-source.port.ts';
import type { Logger } from '../logger.ts';

// One token bucket in Redis for every replica, kept by an atomic Lua script on Redis's own clock.
// Why not bottleneck's Redis mode: docs/decisions/0001-a-token-queue-instead-of-bottleneck.md

/** The script's file, beside this one in src/ and in dist/ (npm run build copies it there). */
const BUCKET_SCRIPT = new URL('./token-bucket.lua', import.meta.url);

/** The script as a command of the connection: EVALSHA, and EVAL when Redis answers NOSCRIPT. */
interface BucketCommand {
  tokenBucket(key: string, ...argv: (string | number)[]): Promise<[number, string]>;
}

/** Redis answers or fails within this: a slow Redis must not stall provisioning. */
const COMMAND_TIMEOUT_MS = 500;
/** While on the fallback, Redis is tried again this often. */
const RETRY_SHARED_MS = 1_000;
const MEMBERSHIP_INTERVAL_MS = 5_000;

export interface SharedBucketSettings {
  readonly redisUrl: string;
  /** Names the bucket: replicas of one deployment (one consumer group) share it. */
  readonly namespace: string;
  readonly ratePerSecond: number;
  readonly burst: number;
  /** How the shared rate answers throttles: the same rule as the fallback's. */
  readonly adaptation: RateAdaptation;
  /** A bucket in this process, for this replica's share while Redis cannot be reached. */
  readonly fallback: (share: { ratePerSecond: number; burst: number }) => TokenSource;
  readonly logger: Logger;
}

/**
 * Creates the shared sources, one per quota category, over one Redis connection. When Redis
 * cannot be reached a source falls back to this replica's share of the quota (the rate divided
 * by the replicas last seen) and returns to the shared bucket once Redis answers again.
 */
export function createRedisTokenSources<C extends string>(
  settings: SharedBucketSettings,
  categories: readonly C[],
): { sources: Record<C, TokenSource>; close(): void } {
  const script = readFileSync(BUCKET_SCRIPT, 'utf8');
  const connection = new Redis(settings.redisUrl, {
    commandTimeout: COMMAND_TIMEOUT_MS,
    // While (re)connecting, commands wait at most COMMAND_TIMEOUT_MS; then the fallback takes over.
    maxRetriesPerRequest: 1,
  });
  connection.on('error', () => undefined); // reported through the fallback, once per transition
  connection.defineCommand('tokenBucket', { numberOfKeys: 1, lua: script });
  const redis = connection as Redis & BucketCommand;
  const membership = new Membership(redis, `user-provisioner:${settings.namespace}:replicas`);
  const sources = {} as Record<C, TokenSource>;
  for (const category of categories) {
    sources[category] = new RedisTokenSource(redis, membership, `user-provisioner:${settings.namespace}:bucket:${category}`, settings, category);
  }
  return {
    sources,
    close(): void {
      membership.stop();
      redis.disconnect();
    },
  };
}

/** Counts the live replicas, so that a replica cut off from Redis takes only its share. */
class Membership {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #id = randomUUID();
  readonly #timer: NodeJS.Timeout;
  #replicas = 1;

  constructor(redis: Redis, key: string) {
    this.#redis = redis;
    this.#key = key;
    void this.#beat();
    this.#timer = setInterval(() => void this.#beat(), MEMBERSHIP_INTERVAL_MS).unref();
  }

  /** The replicas last seen alive, this one included. */
  get replicas(): number {
    return this.#replicas;
  }

  stop(): void {
    clearInterval(this.#timer);
    void this.#redis.zrem(this.#key, this.#id).catch(() => undefined);
  }

  async #beat(): Promise<void> {
    const now = Date.now();
    try {
      const [, , count] = (await this.#redis
        .multi()
        .zadd(this.#key, now, this.#id)
        .zremrangebyscore(this.#key, '-inf', now - 3 * MEMBERSHIP_INTERVAL_MS)
        .zcard(this.#key)
        .pexpire(this.#key, 10 * MEMBERSHIP_INTERVAL_MS)
        .exec()) ?? [];
      const replicas = Number(count?.[1]);
      if (Number.isInteger(replicas) && replicas > 0) this.#replicas = replicas;
    } catch {
      // Keep the last count: it is what the fallback divides by.
    }
  }
}

class RedisTokenSource implements TokenSource {
  readonly #redis: Redis & BucketCommand;
  readonly #membership: Membership;
  readonly #key: string;
  readonly #settings: SharedBucketSettings;
  readonly #category: string;
  #rate: number;
  #fallback: TokenSource | undefined;
  #retry: NodeJS.Timeout | undefined;

  constructor(redis: Redis & BucketCommand, membership: Membership, key: string, settings: SharedBucketSettings, category: string) {
    this.#redis = redis;
    this.#membership = membership;
    this.#key = key;
    this.#settings = settings;
    this.#category = category;
    this.#rate = settings.ratePerSecond;
  }

  async take(wanted: number): Promise<number> {
    if (this.#fallback) return this.#fallback.take(wanted);
    try {
      return await this.#run('take', wanted);
    } catch (error) {
      return this.#fallBack(error).take(wanted);
    }
  }

  async throttled(): Promise<void> {
    if (this.#fallback) return this.#fallback.throttled();
    try {
      await this.#run('throttle', 0);
    } catch (error) {
      await this.#fallBack(error).throttled();
    }
  }

  ratePerSecond(): number {
    return this.#fallback?.ratePerSecond() ?? this.#rate;
  }

  shared(): boolean {
    return this.#fallback === undefined;
  }

  /** The connection is shared by the sources: createRedisTokenSources().close() ends it. */
  close(): Promise<void> {
    clearInterval(this.#retry);
    return Promise.resolve();
  }

  async #run(mode: 'take' | 'throttle', wanted: number): Promise<number> {
    const { ratePerSecond, burst, adaptation } = this.#settings;
    const { floorFraction, decreaseFactor, cooldownMs, recoverySeconds } = adaptation;
    const [granted, rate] = await this.#redis.tokenBucket(
      this.#key,
      mode, ratePerSecond, burst, wanted, floorFraction, decreaseFactor, cooldownMs, recoverySeconds,
    );
    this.#rate = Number(rate);
    return granted;
  }

  #fallBack(error: unknown): TokenSource {
    if (!this.#fallback) {
      this.#retry = setInterval(() => void this.#tryShared(), RETRY_SHARED_MS).unref();
      const replicas = this.#membership.replicas;
      const { ratePerSecond, burst } = this.#settings;
      this.#fallback = this.#settings.fallback({ ratePerSecond: ratePerSecond / replicas, burst: Math.max(1, Math.floor(burst / replicas)) });
      this.#settings.logger.warn(
        { category: this.#category, replicas, ratePerSecond: ratePerSecond / replicas, err: error },
        'Redis unreachable: limiting to this replica\'s share of the quota until it answers again',
      );
    }
    return this.#fallback;
  }

  /** While on the fallback: back to the shared bucket as soon as Redis answers. */
  async #tryShared(): Promise<void> {
    try {
      await this.#redis.ping();
    } catch {
      return;
    }
    clearInterval(this.#retry);
    this.#fallback = undefined;
    this.#settings.logger.info({ category: this.#category }, 'Redis answers again: back on the quota shared by all replicas');
  }
}
