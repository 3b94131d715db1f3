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
  return {1, limit - count - 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return {0, 0, math.max(1, tonumber(oldest[2]) + window - now)}
`

export function createRateLimiter({ redis, limit, windowMs }: RateLimiterOptions): RateLimiter {
  return {
    async hit(key) {
      // A unique member per hit: two hits in the same millisecond must be two entries.
      const member = randomBytes(8).toString('hex')
      const [allowed, remaining, retryAfterMs] = (await redis.eval(SLIDING_WINDOW, 1, `ratelimit:${key}`, limit, windowMs, member)) as [
        number,
        number,
        number,
      ]
      return { allowed: allowed === 1, remaining, retryAfterMs }
    },
  }
}
