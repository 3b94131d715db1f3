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

// Sliding window log: a sorted set of allowed hits scored by their time. The whole
// check-and-add runs as one Lua script, so parallel hits from many connections cannot
// both see "one slot left". The clock is Redis's own (TIME): every app instance agrees.
const SLIDING_WINDOW = `
local key, limit, window, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, member)
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, math.max(1, tonumber(oldest[2]) + window - now)}
`

export function createRateLimiter({ redis, limit, windowMs }: RateLimiterOptions): RateLimiter {
  return {
    async hit(key) {
      const k = `ratelimit:${key}`
      const member = randomBytes(8).toString('hex')
      const now = Date.now()
      // Drop the hits that left the window, count the rest, add this one if there is room.
      await redis.zremrangebyscore(k, '-inf', now - windowMs)
      const count = await redis.zcard(k)
      if (count < limit) {
        // Add and expire together, atomically.
        await redis.multi().zadd(k, now, member).pexpire(k, windowMs).exec()
        return { allowed: true, remaining: limit - count - 1, retryAfterMs: 0 }
      }
      const oldest = await redis.zrange(k, 0, 0, 'WITHSCORES')
      return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, Number(oldest[1]) + windowMs - now) }
    },
  }
}
