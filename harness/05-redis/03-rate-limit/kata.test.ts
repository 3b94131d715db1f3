import { describe, expect, it } from 'vitest'
import { useRedis } from '#support/redis'
import { lazyRaw, sleep, ttlsUnder } from '#support/redis-chapter'
import { raceGate, tapRedis } from '#support/faults/redis'
import { createRateLimiter } from '@kata/redis/rate-limit'

const redis = useRedis()
const raw = lazyRaw(redis)

interface Decision {
  allowed: boolean
  remaining: number
  retryAfterMs: number
}
interface RateLimiter {
  hit(key: string): Promise<Decision>
}

/** One app instance's limiter, on its own Redis connection. */
const limiter = (limit: number, windowMs: number) => createRateLimiter({ redis: redis.client(), limit, windowMs }) as RateLimiter

const allowedOf = (ds: Decision[]) => ds.filter((d) => d.allowed).length

describe('createRateLimiter({ redis, limit, windowMs }).hit(key)', () => {
  it('allows the first `limit` hits, counting `remaining` down, then rejects', async () => {
    const l = limiter(3, 10_000)
    expect(await l.hit('ada'), 'hit("ada") #1 with limit 3').toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 })
    expect(await l.hit('ada'), 'hit("ada") #2').toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 })
    expect(await l.hit('ada'), 'hit("ada") #3').toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 })
    const fourth = await l.hit('ada')
    expect(fourth.allowed, 'hit("ada") #4 with limit 3: allowed?').toBe(false)
    expect(fourth.remaining, 'hit("ada") #4: remaining').toBe(0)
    expect(await l.hit('ada').then((d) => d.allowed), 'hit("ada") #5: allowed?').toBe(false)
  })

  it('limits each key separately', async () => {
    const l = limiter(2, 10_000)
    await l.hit('linus')
    await l.hit('linus')
    expect((await l.hit('linus')).allowed, 'hit("linus") #3 with limit 2').toBe(false)
    expect(await l.hit('grace'), 'hit("grace") #1 after "linus" used up his limit').toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 })
  })

  it('admits exactly `limit` of 60 parallel hits made through 3 connections, each seeing a different `remaining`', async () => {
    const instances = [limiter(10, 10_000), limiter(10, 10_000), limiter(10, 10_000)]
    const decisions = await Promise.all(Array.from({ length: 60 }, (_, i) => instances[i % 3]!.hit('burst')))
    expect(allowedOf(decisions), '60 parallel hit("burst") through 3 connections, limit 10: how many were allowed').toBe(10)
    const remaining = decisions
      .filter((d) => d.allowed)
      .map((d) => d.remaining)
      .sort((a, b) => a - b)
    expect(remaining, '`remaining` of the 10 allowed hits: each hit must see its own count (check and count in one atomic step)').toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
    ])
    expect((await instances[0]!.hit('burst')).allowed, 'one more hit("burst") after the burst').toBe(false)
  })

  it('lets only one of two instances in when one of them is held between counting and adding its hit', async () => {
    const tap = tapRedis(redis.client())
    const a = createRateLimiter({ redis: tap.client, limit: 1, windowMs: 10_000 }) as RateLimiter
    const b = limiter(1, 10_000)
    const READS = ['zcard', 'zcount', 'zrange', 'get', 'llen', 'exists', 'hget', 'zrangebyscore']
    const WRITES = ['zadd', 'incr', 'incrby', 'set', 'rpush', 'lpush', 'hincrby', 'hset', 'pexpire', 'expire']
    // A's first write that comes after a read: the second half of a check-then-add.
    const gate = tap.hold((cmd, before) => WRITES.includes(cmd.name) && before.some((c) => READS.includes(c.name) && !c.batched))
    const first = a.hit('door')
    try {
      if ((await raceGate(gate, first)) === 'reached') {
        const second = await b.hit('door')
        gate.release()
        const decisions = [await first, second]
        expect(
          allowedOf(decisions),
          'hits allowed with limit 1: instance A counted 0 hits, then (before A added its hit) instance B counted 0 and added its hit, then A added its own. Count and add in one atomic step (a Lua script or MULTI)',
        ).toBe(1)
      } else {
        expect((await first).allowed, 'instance A: hit("door"), limit 1, the first hit').toBe(true)
        expect((await b.hit('door')).allowed, 'instance B: hit("door") right after A\'s, limit 1').toBe(false)
      }
    } finally {
      tap.releaseAll()
    }
  })

  it('keeps parallel bursts on different keys apart', async () => {
    const a = limiter(5, 10_000)
    const b = limiter(5, 10_000)
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).hit(i % 4 < 2 ? 'k1' : 'k2')))
    const k1 = decisions.filter((_, i) => i % 4 < 2)
    const k2 = decisions.filter((_, i) => i % 4 >= 2)
    expect(allowedOf(k1), '20 parallel hit("k1") mixed with 20 hit("k2"), limit 5: allowed for k1').toBe(5)
    expect(allowedOf(k2), 'allowed for k2').toBe(5)
  })

  it.concurrent('tells a rejected caller how long to wait (retryAfterMs), and lets it in after that', async ({ expect }) => {
    const l = limiter(2, 1000)
    const started = Date.now()
    await l.hit('barbara')
    await sleep(300)
    await l.hit('barbara')
    const rejected = await l.hit('barbara')
    const rejectedAt = Date.now()
    expect(rejected.allowed, 'hit("barbara") #3 with limit 2, windowMs 1000').toBe(false)
    // The oldest hit was made before the 300 ms pause and the rejection after it:
    // it leaves the window at most 700 ms later, and at least 1000 − (rejectedAt − started).
    expect(
      rejected.retryAfterMs,
      'retryAfterMs of hit #3, the first hit made ≥ 300 ms earlier (windowMs 1000): the wait is until the OLDEST allowed hit leaves the window, so at most 700',
    ).toBeLessThanOrEqual(702)
    expect(rejected.retryAfterMs, `retryAfterMs of hit #3, windowMs 1000, ${rejectedAt - started} ms after the first hit was sent`).toBeGreaterThanOrEqual(Math.max(1, 1000 - (rejectedAt - started) - 2))
    await sleep(rejected.retryAfterMs + 100)
    const later = await l.hit('barbara')
    expect(later.allowed, `hit("barbara") after waiting retryAfterMs (${rejected.retryAfterMs}) + 100 ms`).toBe(true)
    expect(later.retryAfterMs, 'retryAfterMs of an allowed hit').toBe(0)
  })

  it.concurrent('uses a sliding window: a hit counts for exactly windowMs after it was made, not until a fixed boundary', async ({ expect }) => {
    // limit 5, window 1500: 1 hit at t=0, 4 hits at t≈600. At t≈1650 only the first one
    // has left the window, so exactly one of 5 new hits is allowed. A fixed window that
    // started at t=0 would have reset by then and allow all 5.
    const l = limiter(5, 1500)
    // Start just after a multiple of 1500 ms on the clock: a window fixed to the clock's
    // boundaries then surely resets between t≈600 and t≈1650.
    await sleep((1500 - (Date.now() % 1500)) % 1500)
    expect((await l.hit('ken')).allowed, 'hit #1 at t=0').toBe(true)
    const t0 = Date.now() // after the first hit returned: it was made no later than this
    await sleep(600)
    const middle = await Promise.all([l.hit('ken'), l.hit('ken'), l.hit('ken'), l.hit('ken')])
    expect(allowedOf(middle), '4 hits at t≈600 ms (limit 5)').toBe(4)
    await sleep(Math.max(0, t0 + 1650 - Date.now()))
    const late = await Promise.all(Array.from({ length: 5 }, () => l.hit('ken')))
    expect(
      allowedOf(late),
      `5 hits at t≈${Date.now() - t0} ms, limit 5, windowMs 1500: the hit of t=0 left the window, the 4 of t≈600 did not`,
    ).toBe(1)
  })

  it.concurrent('rejects for the whole window after the limit is used, and does not count rejected hits', async ({ expect }) => {
    const l = limiter(3, 1200)
    const t0 = Date.now()
    await Promise.all([l.hit('margaret'), l.hit('margaret'), l.hit('margaret')])
    const t1 = Date.now() // the 3 hits were made between t0 and t1
    for (let i = 1; i <= 8; i++) {
      await sleep(110)
      const elapsed = Date.now() - t0
      if (elapsed > 900) break
      expect((await l.hit('margaret')).allowed, `hit("margaret") ${elapsed} ms after using up limit 3 (windowMs 1200)`).toBe(false)
    }
    await sleep(Math.max(0, t1 + 1450 - Date.now()))
    expect(
      (await l.hit('margaret')).allowed,
      `hit("margaret") ${Date.now() - t0} ms after the 3 allowed hits (windowMs 1200): they left the window; the rejected hits in between must not count`,
    ).toBe(true)
  })

  it('leaves no key without an expiry in Redis', async () => {
    // Every limiter of this suite has windowMs ≤ 10000, so no key may outlive that.
    const l = limiter(3, 10_000)
    await Promise.all(['t1', 't2', 't3', 't1', 't1', 't1'].map((k) => l.hit(k)))
    const ttls = await ttlsUnder(raw(), redis.prefix)
    expect(Object.keys(ttls).length, 'keys in Redis after the hits of this suite').toBeGreaterThan(0)
    for (const [key, ttl] of Object.entries(ttls)) {
      expect(ttl, `PTTL of "${key}" (-1 means it stays forever)`).toBeGreaterThan(0)
      expect(ttl, `PTTL of "${key}": every limiter here has windowMs ≤ 10000`).toBeLessThanOrEqual(10_000)
    }
  })
})
