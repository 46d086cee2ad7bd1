import type { Redis } from 'ioredis';

export interface RateLimiter {
  /** Counts one attempt; true while under the limit. */
  hit(key: string, limit: number, windowSeconds: number): Promise<boolean>;
  reset(key: string): Promise<void>;
}

/** Fixed-window counters in Redis (rebuildable state: losing them only resets the windows). */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<boolean> {
    const redisKey = `${this.prefix}:rl:${key}`;
    const results = await this.redis
      .multi()
      .incr(redisKey)
      .expire(redisKey, windowSeconds, 'NX')
      .exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    return count <= limit;
  }

  async reset(key: string): Promise<void> {
    await this.redis.del(`${this.prefix}:rl:${key}`);
  }
}
