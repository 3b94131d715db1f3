import { describe, expect, it } from 'vitest'
import { useRedis } from '#support/redis'
import { deferred, lazyRaw, sleep, ttlsUnder, waitFor } from '#support/redis-chapter'
import { raceGate, tapRedis } from '#support/faults/redis'
import { createCache } from '@kata/redis/stampede'

const redis = useRedis()
const raw = lazyRaw(redis)

interface Cache {
  getOrLoad<T>(key: string, loader: () => Promise<T>): Promise<T>
}

/** One app instance's cache, on its own Redis connection. */
const cache = (ttlMs = 60_000, lockTtlMs = 5000) => createCache({ redis: redis.client(), ttlMs, lockTtlMs }) as Cache

/** A loader that counts its calls (shared across instances when the same object is used). */
function loader<T>(value: T | (() => T), delayMs = 0) {
  const l = {
    calls: 0,
    fn: async (): Promise<T> => {
      l.calls++
      if (delayMs) await sleep(delayMs)
      return typeof value === 'function' ? (value as () => T)() : value
    },
  }
  return l
}

describe('createCache({ redis, ttlMs, lockTtlMs }).getOrLoad(key, loader)', () => {
  it('loads a missing key once, then serves it from Redis to every instance', async () => {
    const a = cache()
    const b = cache()
    const load = loader({ id: 7, name: 'Ada', tags: ['admin'] })
    expect(await a.getOrLoad('user:7', load.fn), 'instance A: getOrLoad("user:7", loader), a miss').toEqual({ id: 7, name: 'Ada', tags: ['admin'] })
    expect(await a.getOrLoad('user:7', load.fn), 'instance A: getOrLoad("user:7") again').toEqual({ id: 7, name: 'Ada', tags: ['admin'] })
    expect(await b.getOrLoad('user:7', load.fn), 'instance B: getOrLoad("user:7") after A loaded it').toEqual({ id: 7, name: 'Ada', tags: ['admin'] })
    expect(load.calls, 'loader calls for one miss and two hits').toBe(1)
  })

  it('caches falsy values too: 0, false, "" and null are values, not misses', async () => {
    const c = cache()
    for (const [key, value] of [
      ['zero', 0],
      ['no', false],
      ['empty', ''],
      ['nothing', null],
    ] as const) {
      const load = loader<unknown>(value)
      expect(await c.getOrLoad(key, load.fn), `getOrLoad("${key}") with a loader returning ${JSON.stringify(value)}`).toBe(value)
      expect(await c.getOrLoad(key, load.fn), `getOrLoad("${key}") again`).toBe(value)
      expect(load.calls, `loader calls for "${key}" (${JSON.stringify(value)}): the second call must be a hit`).toBe(1)
    }
  })

  it('loads again once the cached value has expired (ttlMs)', async () => {
    const c = cache(500)
    let version = 0
    const load = loader(() => ++version)
    expect(await c.getOrLoad('version', load.fn), 'getOrLoad("version"), first call').toBe(1)
    expect(await c.getOrLoad('version', load.fn), 'getOrLoad("version") right away: a hit').toBe(1)
    await sleep(1000)
    expect(await c.getOrLoad('version', load.fn), 'getOrLoad("version") 1000 ms later, ttlMs 500: expired, loaded again').toBe(2)
  })

  it('runs the loader once for 50 concurrent misses in one instance, and gives all of them its value', async () => {
    const c = cache()
    const load = loader({ report: 'Q3' }, 100)
    const results = await Promise.all(Array.from({ length: 50 }, () => c.getOrLoad('report', load.fn)))
    expect(load.calls, '50 concurrent getOrLoad("report") in one instance: loader calls').toBe(1)
    expect(results, 'what the 50 calls resolved to').toEqual(Array.from({ length: 50 }, () => ({ report: 'Q3' })))
  })

  it('runs the loader once for 45 concurrent misses spread over 3 instances (own connections)', async () => {
    const instances = [cache(), cache(), cache()]
    const load = loader({ homepage: 'rendered' }, 200)
    const results = await Promise.all(Array.from({ length: 45 }, (_, i) => instances[i % 3]!.getOrLoad('homepage', load.fn)))
    expect(load.calls, '45 concurrent getOrLoad("homepage") over 3 instances: loader calls in total (the instances must agree through Redis)').toBe(1)
    expect(results, 'what the 45 calls resolved to').toEqual(Array.from({ length: 45 }, () => ({ homepage: 'rendered' })))
  })

  it('does not load again when another instance filled the cache between its miss and its lock', async () => {
    const a = cache()
    const tap = tapRedis(redis.client())
    const b = createCache({ redis: tap.client, ttlMs: 60_000, lockTtlMs: 5000 }) as Cache
    const load = loader('fresh')
    // Hold B's lock attempt (SET … NX) until A has loaded, cached and unlocked the key.
    const gate = tap.hold((cmd) => !cmd.batched && (cmd.name === 'setnx' || (cmd.name === 'set' && cmd.args.some((x) => x.toUpperCase() === 'NX'))))
    const late = b.getOrLoad('late', load.fn)
    try {
      if ((await raceGate(gate, late)) === 'reached') {
        expect(await a.getOrLoad('late', load.fn), 'instance A: getOrLoad("late") while B is between its miss and its lock').toBe('fresh')
        gate.release()
      }
      expect(await late, 'instance B: getOrLoad("late")').toBe('fresh')
    } finally {
      tap.releaseAll()
    }
    expect(
      load.calls,
      'loader calls: B missed, then A loaded and cached "late" and released its lock, then B took the lock and loaded again. After taking the lock, look in the cache once more',
    ).toBe(1)
  })

  it('loads different keys independently: one slow key does not hold up another', async () => {
    const c = cache()
    let bStarted = false
    let bStartedWhileALoading = false
    const slowA = async () => {
      await waitFor(() => bStarted, 2000)
      bStartedWhileALoading = bStarted
      return 'a'
    }
    const fastB = async () => {
      bStarted = true
      return 'b'
    }
    const startB = async () => {
      await sleep(20)
      return c.getOrLoad('key-b', fastB)
    }
    const [a, b] = await Promise.all([c.getOrLoad('key-a', slowA), startB()])
    expect([a, b], 'getOrLoad("key-a") and getOrLoad("key-b") in parallel').toEqual(['a', 'b'])
    expect(bStartedWhileALoading, 'did the loader of "key-b" start while the loader of "key-a" was still running?').toBe(true)
  })

  it('passes a loader error to the waiting callers, caches nothing and frees the key for the next try at once', async () => {
    const a = cache(60_000, 5000)
    const boom = new Error('database is down')
    const failing = {
      calls: 0,
      fn: async (): Promise<never> => {
        failing.calls++
        await sleep(50)
        throw boom
      },
    }
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        a.getOrLoad('flaky', failing.fn).then(
          () => 'resolved',
          (err: unknown) => err,
        ),
      ),
    )
    expect(failing.calls, '10 concurrent getOrLoad("flaky") in one instance with a failing loader: loader calls').toBe(1)
    expect(outcomes, 'what the 10 calls rejected with (the loader\'s own error)').toEqual(Array.from({ length: 10 }, () => boom))

    const good = loader('recovered')
    const started = Date.now()
    expect(await cache(60_000, 5000).getOrLoad('flaky', good.fn), 'another instance: getOrLoad("flaky") after the failure').toBe('recovered')
    expect(good.calls, 'loader calls of that retry (the failure must not be cached)').toBe(1)
    expect(Date.now() - started, 'ms the retry took, lockTtlMs 5000: the failed load must release its lock, not leave it to expire').toBeLessThan(2500)
  })

  it('lets another instance load when the loading instance dies (its lock expires after lockTtlMs)', async () => {
    const stuck = deferred<string>()
    let stuckCalled = false
    const dying = cache(60_000, 300)
    const survivor = cache(60_000, 300)
    const first = dying.getOrLoad('orphan', async () => {
      stuckCalled = true
      return stuck.promise
    })
    // Settles only at the end of the test; observed now, so a rejection is not "unhandled".
    const firstDone = first.then(
      () => undefined,
      () => undefined,
    )
    try {
      expect(await waitFor(() => stuckCalled, 2000), 'instance A: did its loader for "orphan" start?').toBe(true)
      const good = loader('from B')
      const started = Date.now()
      const fromB = await Promise.race([survivor.getOrLoad('orphan', good.fn), sleep(3000).then(() => 'still waiting 3000 ms later (does the loading lock have a TTL?)')])
      expect(fromB, 'instance B: getOrLoad("orphan") while A\'s loader hangs, lockTtlMs 300').toBe('from B')
      expect(good.calls, 'loader calls in instance B').toBe(1)
      expect(Date.now() - started, 'ms instance B waited before loading itself, lockTtlMs 300').toBeLessThan(3000)
    } finally {
      stuck.resolve('from A, too late')
      await firstDone
    }
  })

  it('leaves no key without an expiry in Redis', async () => {
    const c = cache(5000, 5000)
    await Promise.all(['k1', 'k2', 'k3'].map((k) => c.getOrLoad(k, async () => k)))
    const ttls = await ttlsUnder(raw(), redis.prefix)
    expect(Object.keys(ttls).length, 'keys in Redis after loading three keys').toBeGreaterThan(0)
    for (const [key, ttl] of Object.entries(ttls)) {
      expect(ttl, `PTTL of "${key}" (-1 means it never expires)`).toBeGreaterThan(0)
    }
  })
})
