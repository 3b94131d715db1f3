import type { Redis } from 'ioredis'

export interface RateLimiterOptions {
  redis: Redis
  /** How many hits a key may make in any window of `windowMs`. */
  limit: number
  windowMs: number
}

export interface Decision {
  allowed: boolean
  /** Hits still allowed in the current window after this one (0 when rejected). */
  remaining: number
  /** When rejected: milliseconds until a hit will be allowed again; 0 when allowed. */
  retryAfterMs: number
}

export interface RateLimiter {
  hit(key: string): Promise<Decision>
}

/**
 * A sliding-window rate limiter shared by every app instance through Redis:
 * hit(key) is allowed when the key made fewer than `limit` allowed hits in the last
 * `windowMs`. The check and the count must be one atomic step (MULTI or a Lua script).
 */
export function createRateLimiter({ redis, limit, windowMs }: RateLimiterOptions): RateLimiter {
  return {
    async hit(key) {
      throw new Error('TODO: hit(key) — count the hits of the last windowMs in Redis, atomically, and decide\nTODO(ru): hit(key) — атомарно посчитать в Redis обращения за последние windowMs и принять решение')
    },
  }
}
