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
// One counter per window of windowMs: atomic, and it expires with its window.
const FIXED_WINDOW = `
local key, limit, window = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2])
local count = tonumber(redis.call('GET', key) or '0')
if count < limit then
  redis.call('INCR', key)
  redis.call('PEXPIRE', key, window)
  return {1, limit - count - 1, 0}
end
return {0, 0, math.max(1, redis.call('PTTL', key))}
`

export function createRateLimiter({ redis, limit, windowMs }: RateLimiterOptions): RateLimiter {
  return {
    async hit(key) {
      const windowStart = Math.floor(Date.now() / windowMs) * windowMs
      const [allowed, remaining, retryAfterMs] = (await redis.eval(FIXED_WINDOW, 1, `ratelimit:${key}:${windowStart}`, limit, windowMs)) as [
        number,
        number,
        number,
      ]
      return { allowed: allowed === 1, remaining, retryAfterMs }
    },
  }
}
