import { Injectable, Optional } from '@nestjs/common';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { RedisConnection } from '../redis/redis.connection.js';

export interface LimiterOptions {
  /** Names the counters; unique per limit. */
  readonly name: string;
  readonly points: number;
  readonly durationSeconds: number;
}

/**
 * Builds rate-limiter-flexible counters: in Redis when REDIS_URL is set, so every instance counts
 * together, with an in-memory "insurance" limiter that takes over while Redis is unreachable (the
 * limits then hold per instance); in memory otherwise.
 */
@Injectable()
export class RateLimiters {
  constructor(@Optional() private readonly redis?: RedisConnection) {}

  create({ name, points, durationSeconds }: LimiterOptions): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds });
    if (!this.redis) return memory;
    return new RateLimiterRedis({
      storeClient: this.redis.client,
      keyPrefix: this.redis.key(`rl:${name}`),
      points,
      duration: durationSeconds,
      insuranceLimiter: memory,
    });
  }
}
