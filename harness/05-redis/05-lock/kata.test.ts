import { describe, expect, it } from 'vitest'
import { useRedis } from '#support/redis'
import { lazyRaw, sleep } from '#support/redis-chapter'
import { raceGate, tapRedis, type CommandMatch } from '#support/faults/redis'
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

/** A locker whose connection the suite taps, to hold one of its commands on a gate. */
const tappedLocker = () => {
  const tap = tapRedis(redis.client())
  return { tap, locks: createLocker(tap.client) as Locker }
}

const WRITES = new Set(['set', 'setnx', 'del', 'unlink', 'pexpire', 'expire', 'pexpireat', 'expireat', 'getdel', 'eval', 'evalsha', 'fcall'])
/** A write (alone or inside MULTI) after a plain read on the same connection: the second half of a check-then-act. */
const writeAfterRead: CommandMatch = (cmd, before) =>
  WRITES.has(cmd.name) && before.some((c) => ['get', 'exists', 'pttl', 'ttl'].includes(c.name) && !c.batched)

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

describe('createLocker(redis): each step is atomic, whatever happens between two commands', () => {
  it('acquire(): a second instance that takes the lock while the first one is between two commands does not make two winners', async () => {
    const { tap, locks: a } = tappedLocker()
    const b = locker()
    // Hold A's first write on the gate: if acquire checks first and writes afterwards,
    // B checks and takes the lock in that window.
    const gate = tap.hold((cmd) => WRITES.has(cmd.name))
    const first = a.acquire('contended', 5000)
    try {
      if ((await raceGate(gate, first)) === 'reached') {
        const tokenB = await b.acquire('contended', 5000)
        gate.release()
        const tokenA = await first
        expect(
          tokenA !== null && tokenB !== null,
          'instance A checked that "contended" was free, then (before its write reached Redis) instance B took it, then A wrote: both got a token. Check and take in one command: SET key token NX PX ttl',
        ).toBe(false)
        const holder = await raw().get(`${redis.prefix}lock:contended`)
        expect(holder, 'the value of lock:contended: the token of the one instance whose acquire() won').toBe(tokenA ?? tokenB)
      } else {
        expect(await first, 'acquire("contended") on a free resource').toEqual(expect.any(String))
      }
    } finally {
      tap.releaseAll()
    }
  })

  it('acquire(): a holder that dies between taking the lock and setting its TTL must not leave a lock that never expires', async () => {
    const { tap, locks: a } = tappedLocker()
    // The "crash": the suite fails the TTL command that comes after the lock was written.
    const gate = tap.hold((cmd, before) => ['pexpire', 'expire', 'pexpireat', 'expireat'].includes(cmd.name) && !cmd.batched && before.some((c) => c.name === 'set' || c.name === 'setnx'))
    const attempt = a.acquire('crashy', 3000).catch((err: unknown) => err)
    try {
      if ((await raceGate(gate, attempt)) === 'reached') {
        gate.fail(new Error('the instance died here (injected by the suite)'))
        await attempt
      } else {
        expect(await attempt, 'acquire("crashy", 3000) on a free resource').toEqual(expect.any(String))
      }
      const ttl = await raw().pttl(`${redis.prefix}lock:crashy`)
      expect(
        ttl,
        'PTTL of lock:crashy after acquire("crashy", 3000) died between its SET/SETNX and its PEXPIRE (-1: the lock never expires and blocks "crashy" forever). Set the value and the TTL in one command: SET key token NX PX ttl',
      ).not.toBe(-1)
    } finally {
      tap.releaseAll()
    }
  })

  it('release(): a holder whose lock expired and was taken over between its check and its delete does not free the new lock', async () => {
    const { tap, locks: a } = tappedLocker()
    const b = locker()
    const key = `${redis.prefix}lock:handover`
    const tokenA = (await a.acquire('handover', 5000))!
    const gate = tap.hold(writeAfterRead)
    const releasing = a.release('handover', tokenA)
    try {
      if ((await raceGate(gate, releasing)) === 'reached') {
        // A has read its token back; now its lock expires and B takes it over.
        await raw().del(key)
        const tokenB = await b.acquire('handover', 5000)
        expect(tokenB, 'instance B: acquire("handover") after A\'s lock expired').toEqual(expect.any(String))
        gate.release()
        await releasing
        expect(
          await raw().get(key),
          'lock:handover after A\'s release() read its own token, then its lock expired and B took it, then A deleted: A removed B\'s lock. The check and the delete must be one atomic step (a Lua script run with EVAL, or WATCH then MULTI/EXEC)',
        ).toBe(tokenB)
      } else {
        expect(await releasing, 'release("handover", the holder\'s token)').toBe(true)
        expect(await raw().exists(key), 'lock:handover after its holder released it').toBe(0)
      }
    } finally {
      tap.releaseAll()
    }
  })

  it('extend(): a holder whose lock was taken over between its check and its PEXPIRE does not change the new holder\'s TTL', async () => {
    const { tap, locks: a } = tappedLocker()
    const b = locker()
    const key = `${redis.prefix}lock:renewal`
    const tokenA = (await a.acquire('renewal', 5000))!
    const gate = tap.hold(writeAfterRead)
    const extending = a.extend('renewal', tokenA, 60_000)
    try {
      if ((await raceGate(gate, extending)) === 'reached') {
        await raw().del(key)
        const tokenB = await b.acquire('renewal', 3000)
        expect(tokenB, 'instance B: acquire("renewal") after A\'s lock expired').toEqual(expect.any(String))
        gate.release()
        expect(await extending, 'instance A: extend("renewal", A\'s token, 60000) after B took the lock over').toBe(false)
        expect(
          await raw().pttl(key),
          'PTTL of lock:renewal (B took it for 3000 ms): A\'s extend() checked its token, then B took the lock over, then A\'s PEXPIRE set B\'s lock to 60000 ms. The check and the PEXPIRE must be one atomic step (a Lua script)',
        ).toBeLessThanOrEqual(3000)
      } else {
        expect(await extending, 'extend("renewal", the holder\'s token, 60000)').toBe(true)
      }
    } finally {
      tap.releaseAll()
    }
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
    // A generous bound (waitMs + 1.7 s) that a loaded machine still meets; past it the
    // call is reported as still waiting instead of running into the suite's budget.
    const outcome = await Promise.race([
      locker()
        .withLock(
          'stuck',
          async () => {
            ran = true
          },
          { ttlMs: 4000, waitMs: 300 },
        )
        .then(
          () => 'resolved',
          (err: unknown) => err,
        ),
      sleep(2000).then(() => 'still waiting 2000 ms later'),
    ])
    const waited = Date.now() - started
    expect(outcome, 'withLock("stuck", fn, { waitMs: 300 }) while another instance holds it for 5 s').toBeInstanceOf(LockTimeoutError)
    expect(ran, 'was fn run although the lock was never taken?').toBe(false)
    expect(waited, 'ms withLock kept trying before giving up, waitMs 300').toBeGreaterThanOrEqual(250)
    expect(waited, 'ms withLock kept trying before giving up, waitMs 300 (it must stop after waitMs, not wait for the holder)').toBeLessThan(2100)
    await holder.release('stuck', token)
  })
})
