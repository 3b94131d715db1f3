import { describe, expect, it } from 'vitest'
import { flush, track, within } from '#support/core'
import { Mutex, RWMutex, WaitGroup } from '@kata/core/sync'

type Unlock = () => void
interface MutexLike {
  readonly locked: boolean
  lock(): Promise<Unlock>
  withLock<T>(fn: () => T | Promise<T>): Promise<T>
}
interface RWMutexLike {
  rlock(): Promise<Unlock>
  lock(): Promise<Unlock>
  withRead<T>(fn: () => T | Promise<T>): Promise<T>
  withWrite<T>(fn: () => T | Promise<T>): Promise<T>
}

/** One event-loop turn: what a database round trip looks like to the code around it. */
const tick = () => new Promise<void>((r) => setImmediate(r))
/** A few turns, different per call, so the tasks interleave in a mixed order. */
const jitter = async (i: number) => {
  for (let k = 0; k < (i * 7) % 4; k++) await tick()
}

/** An account whose read and write each take a round trip, like rows in a database. */
function account() {
  let balance = 0
  return {
    async read() {
      await tick()
      return balance
    },
    async write(v: number) {
      await tick()
      balance = v
    },
    get balance() {
      return balance
    },
  }
}

describe('step 1: Mutex', () => {
  it('prevents the lost update that read-modify-write across await suffers without a lock', async () => {
    const naive = account()
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        const b = await naive.read()
        await naive.write(b + 1)
      }),
    )
    // The suite's own check that the race is real: every task read 0 before anyone wrote.
    expect(naive.balance, 'without a lock, 50 concurrent +1 deposits (the suite\'s naive version) lose updates').toBeLessThan(50)

    const acc = account()
    const m: MutexLike = new Mutex()
    await Promise.all(
      Array.from({ length: 50 }, () =>
        m.withLock(async () => {
          const b = await acc.read()
          await acc.write(b + 1)
        }),
      ),
    )
    expect(acc.balance, 'with mutex.withLock, 50 concurrent +1 deposits').toBe(50)
  })

  it('works with lock() and the unlock function it resolves with', async () => {
    const acc = account()
    const m: MutexLike = new Mutex()
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        const unlock = await m.lock()
        try {
          await acc.write((await acc.read()) + 1)
        } finally {
          unlock()
        }
      }),
    )
    expect(acc.balance, '30 concurrent deposits under lock()/unlock()').toBe(30)
  })

  it('never has two holders at once, and reports locked while held', async () => {
    const m: MutexLike = new Mutex()
    expect(m.locked, 'locked on a new Mutex').toBe(false)
    let inside = 0
    let maxInside = 0
    let lockedSeenInside = true
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        m.withLock(async () => {
          inside++
          maxInside = Math.max(maxInside, inside)
          lockedSeenInside &&= m.locked
          await jitter(i)
          inside--
        }),
      ),
    )
    expect(maxInside, 'most tasks inside withLock at the same time (40 tasks)').toBe(1)
    expect(lockedSeenInside, 'mutex.locked while a task holds the lock').toBe(true)
    expect(m.locked, 'locked after every task finished').toBe(false)
  })

  it('grants the lock in the order lock() was called, even to a late caller racing the release', async () => {
    const m: MutexLike = new Mutex()
    const order: string[] = []
    const first = await m.lock()
    const granted = ['b', 'c', 'd'].map((name) =>
      m.lock().then((unlock) => {
        order.push(name)
        unlock()
      }),
    )
    await flush()
    expect(order, 'grants while "a" still holds the lock').toEqual([])
    first()
    const late = m.lock().then((unlock) => {
      order.push('late')
      unlock()
    })
    expect((await within(Promise.all([...granted, late]), 2000)).status, 'every lock() granted after "a" released').toBe('fulfilled')
    expect(order, 'grant order after a released, with "late" calling lock() right after the release').toEqual(['b', 'c', 'd', 'late'])
  })

  it('withLock releases the lock when fn throws and passes the error on', async () => {
    const m: MutexLike = new Mutex()
    const boom = new Error('boom')
    await expect(
      m.withLock(() => {
        throw boom
      }),
      'withLock(fn that throws)',
    ).rejects.toBe(boom)
    await expect(m.withLock(async () => Promise.reject(boom)), 'withLock(fn that rejects)').rejects.toBe(boom)
    expect(m.locked, 'locked after fn failed').toBe(false)
    const next = track(m.withLock(() => 'next'))
    await flush()
    expect(next.fulfilled('withLock after failures'), 'withLock(() => "next")').toBe('next')
  })

  it('throws on a second unlock() instead of releasing someone else\'s lock', async () => {
    const m: MutexLike = new Mutex()
    const unlockA = await m.lock()
    unlockA()
    const unlockB = await m.lock()
    expect(() => unlockA(), 'calling A\'s unlock a second time').toThrow()
    expect(m.locked, 'B must still hold the lock after A\'s stray unlock').toBe(true)
    const c = track(m.lock())
    await flush()
    c.pending('lock() while B holds the lock')
    unlockB()
    await flush()
    c.fulfilled('lock() after B released')
  })
})

describe('step 2: RWMutex', () => {
  it('lets many readers hold the lock at once', async () => {
    const rw: RWMutexLike = new RWMutex()
    const readers = Array.from({ length: 5 }, () => track(rw.rlock()))
    await flush()
    readers.forEach((r, i) => r.fulfilled(`rlock() #${i + 1} with only readers around`))
  })

  it('makes a writer wait until every reader has left', async () => {
    const rw: RWMutexLike = new RWMutex()
    const r1 = await rw.rlock()
    const r2 = await rw.rlock()
    const w = track(rw.lock())
    await flush()
    w.pending('lock() while 2 readers hold')
    r1()
    await flush()
    w.pending('lock() while 1 reader still holds')
    r2()
    await flush()
    w.fulfilled('lock() after both readers left')
  })

  it('makes readers and writers wait while a writer holds', async () => {
    const rw: RWMutexLike = new RWMutex()
    const unlock = await rw.lock()
    const r = track(rw.rlock())
    const w2 = track(rw.lock())
    await flush()
    r.pending('rlock() while a writer holds')
    w2.pending('a second lock() while a writer holds')
    unlock()
    await flush()
    r.fulfilled('rlock() after the writer released')
  })

  it('does not starve a writer: once a writer waits, new readers queue behind it', async () => {
    const rw: RWMutexLike = new RWMutex()
    const r1 = await rw.rlock()
    const w = track(rw.lock())
    await flush()
    const r2 = track(rw.rlock())
    await flush()
    r2.pending('rlock() arriving while a writer waits for a reader to leave')
    r1()
    await flush()
    const unlockW = w.fulfilled('lock() after the first reader left')
    r2.pending('the late rlock() while the writer holds')
    unlockW()
    await flush()
    r2.fulfilled('the late rlock() after the writer released')
  })

  it('keeps the invariant under a mixed concurrent load: a writer is always alone', async () => {
    const rw: RWMutexLike = new RWMutex()
    let readers = 0
    let writers = 0
    let maxReaders = 0
    let violations = 0
    const data = { version: 0, copy: 0 }
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        i % 4 === 0
          ? rw.withWrite(async () => {
              writers++
              if (writers > 1 || readers > 0) violations++
              const v = data.version
              await jitter(i)
              data.version = v + 1
              data.copy = v + 1
              writers--
            })
          : rw.withRead(async () => {
              readers++
              maxReaders = Math.max(maxReaders, readers)
              if (writers > 0) violations++
              await jitter(i)
              if (data.copy !== data.version) violations++
              readers--
            }),
      ),
    )
    expect(violations, 'times a writer overlapped anyone (60 mixed tasks)').toBe(0)
    expect(data.version, 'writes counted by 15 writers').toBe(15)
    expect(maxReaders, 'most readers inside at once: readers must share').toBeGreaterThan(1)
  })

  it('withRead / withWrite release on errors, and a second unlock throws', async () => {
    const rw: RWMutexLike = new RWMutex()
    const boom = new Error('boom')
    await expect(rw.withWrite(async () => Promise.reject(boom)), 'withWrite(fn that rejects)').rejects.toBe(boom)
    await expect(
      rw.withRead(() => {
        throw boom
      }),
      'withRead(fn that throws)',
    ).rejects.toBe(boom)
    const w = track(rw.lock())
    await flush()
    const unlock = w.fulfilled('lock() after the failed withWrite/withRead')
    unlock()
    expect(() => unlock(), 'a second call of the same write unlock').toThrow()
    const runlock = await rw.rlock()
    runlock()
    expect(() => runlock(), 'a second call of the same read unlock').toThrow()
  })
})

describe('step 3: WaitGroup', () => {
  it('wait() resolves only when the counter is back at zero', async () => {
    const wg = new WaitGroup()
    wg.add(3)
    const w = track(wg.wait())
    wg.done()
    wg.done()
    await flush()
    w.pending('wait() after add(3) and two done()')
    wg.done()
    await flush()
    w.fulfilled('wait() after the third done()')
  })

  it('wait() on a zero counter resolves at once; add() defaults to 1', async () => {
    const wg = new WaitGroup()
    const w = track(wg.wait())
    await flush()
    w.fulfilled('wait() on a new WaitGroup')
    wg.add()
    const w2 = track(wg.wait())
    await flush()
    w2.pending('wait() after add()')
    wg.done()
    await flush()
    w2.fulfilled('wait() after add() and done()')
  })

  it('wakes every waiter and can be reused', async () => {
    const wg = new WaitGroup()
    wg.add(2)
    const ws = [track(wg.wait()), track(wg.wait()), track(wg.wait())]
    wg.add(-2)
    await flush()
    ws.forEach((w, i) => w.fulfilled(`waiter #${i + 1} after add(2), add(-2)`))
    wg.add(1)
    const again = track(wg.wait())
    await flush()
    again.pending('wait() on the reused WaitGroup after add(1)')
    wg.done()
    await flush()
    again.fulfilled('wait() on the reused WaitGroup after done()')
  })

  it('throws RangeError when the counter would go negative', () => {
    const wg = new WaitGroup()
    expect(() => wg.done(), 'done() on a zero counter').toThrow(RangeError)
    wg.add(1)
    expect(() => wg.add(-2), 'add(-2) with the counter at 1').toThrow(RangeError)
  })

  it('waits for a batch of background tasks', async () => {
    const wg = new WaitGroup()
    const finished: number[] = []
    for (let i = 0; i < 10; i++) {
      wg.add(1)
      void (async () => {
        await jitter(i + 1)
        await jitter(i + 2)
        finished.push(i)
        wg.done()
      })()
    }
    await wg.wait()
    expect(finished.length, 'tasks finished when wait() resolved (10 started)').toBe(10)
  })
})
