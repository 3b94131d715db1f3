import { describe, expect, it } from 'vitest'
import { useRedis } from '#support/redis'
import { lazyRaw, sleep } from '#support/redis-chapter'
import { createLocker, LockTimeoutError } from '@kata/redis/lock'

const redis = useRedis()
const raw = lazyRaw(redis)

interface WithLockOptions {
  ttlMs: number
  waitMs: number
}
interface Locker {
  acquire(resource: string, ttlMs: number): Promise<string | null>
  release(resource: string, token: string): Promise<boolean>
  extend(resource: string, token: string, ttlMs: number): Promise<boolean>
  withLock<T>(resource: string, fn: () => Promise<T>, options: WithLockOptions): Promise<T>
}

/** One app instance's locker, on its own Redis connection. */
const locker = () => createLocker(redis.client()) as Locker

describe('createLocker(redis): acquire / release / extend', () => {
  it('acquire() returns a token while the resource is free, null while someone holds it', async () => {
    const a = locker()
    const b = locker()
    const token = await a.acquire('invoice-1', 5000)
    expect(typeof token === 'string' && token.length > 0, `instance A: acquire("invoice-1") on a free resource returned ${JSON.stringify(token)}`).toBe(true)
    expect(await b.acquire('invoice-1', 5000), 'instance B: acquire("invoice-1") while A holds it').toBeNull()
    expect(await a.acquire('invoice-1', 5000), 'instance A again: acquire("invoice-1") while it holds it (a lock is not re-entrant)').toBeNull()
    expect(await b.acquire('invoice-2', 5000), 'instance B: acquire("invoice-2"), a different resource').toEqual(expect.any(String))
  })

  it('lets exactly one of 20 parallel acquire() calls from 4 connections win', async () => {
    const lockers = [locker(), locker(), locker(), locker()]
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => lockers[i % 4]!.acquire('race', 5000)))
    const winners = tokens.filter((t) => t !== null)
    expect(winners.length, '20 parallel acquire("race") through 4 connections: how many got a token').toBe(1)
  })

  it('hands out a different token on every acquisition', async () => {
    const l = locker()
    const tokens: string[] = []
    for (let i = 0; i < 20; i++) {
      const t = await l.acquire('tokens', 5000)
      expect(t, `acquire("tokens") #${i + 1}, after the previous one was released`).toEqual(expect.any(String))
      tokens.push(t!)
      expect(await l.release('tokens', t!), `release("tokens", token #${i + 1})`).toBe(true)
    }
    expect(new Set(tokens).size, '20 acquisitions of "tokens": how many distinct tokens').toBe(20)
  })

  it('release() frees the lock only for the holder of the token', async () => {
    const a = locker()
    const b = locker()
    const token = (await a.acquire('report', 5000))!
    expect(await b.release('report', 'not-the-token'), 'instance B: release("report", "not-the-token")').toBe(false)
    expect(await b.acquire('report', 5000), 'instance B: acquire("report") after its failed release: A still holds it').toBeNull()
    expect(await a.release('report', token), "instance A: release(\"report\", A's token)").toBe(true)
    const next = await b.acquire('report', 5000)
    expect(next, 'instance B: acquire("report") after A released it').toEqual(expect.any(String))
    expect(await a.release('report', token), "instance A: release(\"report\", A's old token) now that B holds it").toBe(false)
    expect(await locker().acquire('report', 5000), 'a third instance: acquire("report"), B must still hold it').toBeNull()
  })

  it('stores the lock under lock:<resource> with a TTL of ttlMs, so a crashed holder cannot block it forever', async () => {
    const token = await locker().acquire('ttl-check', 3000)
    const key = `${redis.prefix}lock:ttl-check`
    expect(await raw().get(key), 'the value of lock:ttl-check after acquire("ttl-check", 3000): the token acquire returned').toBe(token)
    const ttl = await raw().pttl(key)
    expect(ttl, 'PTTL of lock:ttl-check after acquire("ttl-check", 3000) (-1: never expires, -2: no such key)').toBeGreaterThan(0)
    expect(ttl, 'PTTL of lock:ttl-check after acquire("ttl-check", 3000)').toBeLessThanOrEqual(3000)
  })

  it('lets another instance take over an expired lock; the old holder can then neither release nor extend it', async () => {
    const a = locker()
    const b = locker()
    const old = (await a.acquire('job', 300))!
    expect(await b.acquire('job', 5000), 'instance B: acquire("job") while A holds it (ttl 300 ms)').toBeNull()
    await sleep(700)
    const fresh = await b.acquire('job', 5000)
    expect(fresh, 'instance B: acquire("job") 700 ms later: A\'s lock expired').toEqual(expect.any(String))
    expect(await a.release('job', old), "instance A: release(\"job\", A's expired token)").toBe(false)
    expect(await a.extend('job', old, 5000), "instance A: extend(\"job\", A's expired token, 5000)").toBe(false)
    expect(await locker().acquire('job', 5000), "a third instance: acquire(\"job\"): A's late release must not have freed B's lock").toBeNull()
    expect(await b.release('job', fresh!), "instance B: release(\"job\", B's token)").toBe(true)
  })

  it('extend() renews the TTL for the holder only', async () => {
    const a = locker()
    const b = locker()
    const token = (await a.acquire('long-job', 500))!
    expect(await b.extend('long-job', 'not-the-token', 5000), 'instance B: extend("long-job", "not-the-token", 5000)').toBe(false)
    expect(await a.extend('long-job', token, 2000), "instance A: extend(\"long-job\", A's token, 2000)").toBe(true)
    await sleep(900)
    expect(await b.acquire('long-job', 5000), 'instance B: acquire("long-job") 900 ms after taking it for 500 ms and extending to 2000 ms').toBeNull()
    expect(await a.release('long-job', token), "instance A: release(\"long-job\", A's token) after extending").toBe(true)
    expect(await a.extend('long-job', token, 1500), 'extend() after release').toBe(false)
  })
})

describe('createLocker(redis).withLock(resource, fn, { ttlMs, waitMs })', () => {
  it('never runs two critical sections at once: 12 parallel withLock calls from 4 instances', async () => {
    const lockers = [locker(), locker(), locker(), locker()]
    const counter = `${redis.prefix}counter`
    await raw().set(counter, '0')
    let inside = 0
    let mostInside = 0
    // A read-modify-write with a pause in the middle: it loses updates unless the lock holds.
    const critical = async (i: number) => {
      inside++
      mostInside = Math.max(mostInside, inside)
      const value = Number(await raw().get(counter))
      await sleep(15)
      await raw().set(counter, String(value + 1))
      inside--
      return i
    }
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => lockers[i % 4]!.withLock('counter', () => critical(i), { ttlMs: 5000, waitMs: 6000 })),
    )
    expect(mostInside, 'most critical sections running at the same time').toBe(1)
    expect(await raw().get(counter), 'the counter after 12 locked increments').toBe('12')
    expect(results, 'what the 12 withLock calls resolved to (each fn returns its own number)').toEqual(Array.from({ length: 12 }, (_, i) => i))
  })

  it('returns what fn returns and frees the lock afterwards', async () => {
    const l = locker()
    const value = await l.withLock('once', async () => ({ done: true }), { ttlMs: 5000, waitMs: 1000 })
    expect(value, 'withLock("once", async () => ({ done: true }), …)').toEqual({ done: true })
    expect(await locker().acquire('once', 5000), 'acquire("once") right after withLock finished').toEqual(expect.any(String))
  })

  it('frees the lock when fn throws, and rejects with that same error', async () => {
    const l = locker()
    const boom = new Error('payment provider is down')
    const outcome = await l.withLock('fails', async () => Promise.reject(boom), { ttlMs: 5000, waitMs: 1000 }).then(
      () => 'resolved',
      (err: unknown) => err,
    )
    expect(outcome, 'withLock("fails", fn that throws): the rejection').toBe(boom)
    expect(await locker().acquire('fails', 5000), 'acquire("fails") right after fn threw inside withLock').toEqual(expect.any(String))
  })

  it('waits for a busy lock and runs fn once the holder releases it', async () => {
    const holder = locker()
    const token = (await holder.acquire('queue', 5000))!
    let releasedAt = 0
    setTimeout(() => {
      releasedAt = Date.now()
      void holder.release('queue', token)
    }, 250)
    let ranAt = 0
    await locker().withLock(
      'queue',
      async () => {
        ranAt = Date.now()
      },
      { ttlMs: 5000, waitMs: 4000 },
    )
    expect(ranAt, 'withLock("queue") while another instance holds it for 250 ms: fn must run').toBeGreaterThan(0)
    expect(ranAt, 'when fn ran, compared with when the holder released the lock').toBeGreaterThanOrEqual(releasedAt)
  })

  it('gives up with LockTimeoutError after waitMs, without running fn', async () => {
    const holder = locker()
    const token = (await holder.acquire('stuck', 5000))!
    let ran = false
    const started = Date.now()
    const outcome = await locker()
      .withLock(
        'stuck',
        async () => {
          ran = true
        },
        { ttlMs: 1000, waitMs: 300 },
      )
      .then(
        () => 'resolved',
        (err: unknown) => err,
      )
    const waited = Date.now() - started
    expect(outcome, 'withLock("stuck", fn, { waitMs: 300 }) while another instance holds it for 5 s').toBeInstanceOf(LockTimeoutError)
    expect(ran, 'was fn run although the lock was never taken?').toBe(false)
    expect(waited, 'ms withLock kept trying before giving up, waitMs 300').toBeGreaterThanOrEqual(250)
    expect(waited, 'ms withLock kept trying before giving up, waitMs 300 (it must stop, not wait for the holder)').toBeLessThan(3000)
    await holder.release('stuck', token)
  })
})
