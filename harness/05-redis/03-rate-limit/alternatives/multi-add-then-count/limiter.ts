import { randomBytes } from 'node:crypto'
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

export function createRateLimiter({ redis, limit, windowMs }: RateLimiterOptions): RateLimiter {
  return {
    async hit(key) {
      // Optimistic sliding window log: add the hit and count in one MULTI; if that made the
      // window too full, take the hit out again (a rejected hit does not count).
      const k = `ratelimit:${key}`
      const member = randomBytes(8).toString('hex')
      const now = Date.now()
      const res = await redis
        .multi()
        .zremrangebyscore(k, '-inf', now - windowMs)
        .zadd(k, now, member)
        .zcard(k)
        .pexpire(k, windowMs)
        .zrange(k, 0, 0, 'WITHSCORES')
        .exec()
      if (!res) throw new Error('rate limiter transaction aborted')
      const count = Number(res[2]![1])
      if (count <= limit) return { allowed: true, remaining: limit - count, retryAfterMs: 0 }
      await redis.zrem(k, member)
      const oldest = res[4]![1] as string[]
      return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, Number(oldest[1]) + windowMs - now) }
    },
  }
}
