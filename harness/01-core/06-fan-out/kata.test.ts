import { describe, expect, it } from 'vitest'
import { deferred, flush, sleep, timersLeftBy, track, within, type Deferred } from '#support/core'
import { fetchAll, fetchSettled, firstSuccess, TimeoutError, withTimeout } from '@kata/core/fan-out'

/** A loader whose calls stay pending until the test settles them. */
function gatedLoader<K>() {
  const calls = new Map<K, Deferred<string>>()
  const started: K[] = []
  const load = (k: K) => {
    started.push(k)
    const d = deferred<string>()
    calls.set(k, d)
    return d.promise
  }
  const call = (k: K) => {
    const d = calls.get(k)
    if (!d) throw new Error(`load(${JSON.stringify(k)}) was never called; calls so far: ${JSON.stringify(started)}`)
    return d
  }
  return { load, started, call }
}

describe('fetchAll(keys, load)', () => {
  it('starts every load at once, before any of them finishes', async () => {
    const g = gatedLoader<number>()
    const p = track(fetchAll([1, 2, 3, 4, 5], g.load))
    await flush()
    p.pending('fetchAll([1..5]) while no load has finished')
    expect(g.started, 'loads started while none had finished yet (fetchAll of 5 keys)').toEqual([1, 2, 3, 4, 5])
    for (const k of [5, 4, 3, 2, 1]) g.call(k).resolve(`v${k}`)
    await p.promise
  })

  it('returns the values in the order of keys, whatever order they finish in', async () => {
    const g = gatedLoader<string>()
    const p = track(fetchAll(['a', 'b', 'c'], g.load))
    await flush()
    p.pending('fetchAll(["a", "b", "c"]) while no load has finished')
    g.call('c').resolve('C')
    await flush()
    g.call('a').resolve('A')
    await flush()
    g.call('b').resolve('B')
    expect(await p.promise, 'fetchAll(["a", "b", "c"]) finishing c, a, b').toEqual(['A', 'B', 'C'])
  })

  it('loads a repeated key once and puts its value at every place', async () => {
    const calls: string[] = []
    const out = await fetchAll(['a', 'b', 'a', 'a'], async (k: string) => {
      calls.push(k)
      return k.toUpperCase()
    })
    expect(out, 'fetchAll(["a", "b", "a", "a"])').toEqual(['A', 'B', 'A', 'A'])
    expect(calls.sort(), 'load calls for keys a, b, a, a').toEqual(['a', 'b'])
  })

  it('rejects with the first error as soon as it happens, without waiting for the others', async () => {
    const g = gatedLoader<string>()
    const p = track(fetchAll(['a', 'b', 'c'], g.load))
    await flush()
    p.pending('fetchAll(["a", "b", "c"]) while no load has finished')
    const boom = new Error('c failed')
    g.call('c').reject(boom)
    const got = await within(p.promise, 1000)
    expect(got, 'fetchAll(["a", "b", "c"]) when c fails while a and b are still loading').toEqual({ status: 'rejected', reason: boom })
    g.call('a').resolve('A')
    g.call('b').reject(new Error('b failed later'))
    await flush()
  })

  it('turns a load that throws synchronously into a rejection', async () => {
    const boom = new Error('sync')
    let p: Promise<unknown> | undefined
    expect(() => {
      p = fetchAll(['x'], () => {
        throw boom
      })
    }, 'calling fetchAll with a load that throws must not throw').not.toThrow()
    await expect(p, 'fetchAll with a load that throws').rejects.toBe(boom)
  })

  it('resolves [] for no keys', async () => {
    expect(await fetchAll([], async () => 'x'), 'fetchAll([])').toEqual([])
  })
})

describe('fetchSettled(keys, load)', () => {
  it('starts every load at once and sorts the outcomes into values and errors', async () => {
    const g = gatedLoader<string>()
    const p = track(fetchSettled(['a', 'b', 'c', 'b'], g.load))
    await flush()
    p.pending('fetchSettled while no load has finished')
    expect(g.started, 'loads started at once for ["a", "b", "c", "b"]').toEqual(['a', 'b', 'c'])
    const bErr = new Error('b failed')
    g.call('b').reject(bErr)
    g.call('c').resolve('C')
    g.call('a').resolve('A')
    const { values, errors } = (await p.promise) as { values: Map<string, string>; errors: Map<string, unknown> }
    expect([...values.entries()].sort(), 'values').toEqual([
      ['a', 'A'],
      ['c', 'C'],
    ])
    expect([...errors.entries()], 'errors').toEqual([['b', bErr]])
  })

  it('never rejects, even when every load fails', async () => {
    const out = await fetchSettled([1, 2], async (k: number) => {
      throw new Error(`no ${k}`)
    })
    expect(out.values.size, 'values when every load fails').toBe(0)
    expect(out.errors.size, 'errors when every load fails').toBe(2)
  })
})

describe('firstSuccess(tasks)', () => {
  it('starts every task at once and resolves with the first value, ignoring earlier failures', async () => {
    const ds = [deferred<string>(), deferred<string>(), deferred<string>()]
    let started = 0
    const p = track(
      firstSuccess(
        ds.map((d) => () => {
          started++
          return d.promise
        }),
      ),
    )
    await flush()
    p.pending('firstSuccess while no task has finished')
    expect(started, 'tasks started before any finished').toBe(3)
    ds[1]!.reject(new Error('replica 2 down'))
    await flush()
    ds[2]!.resolve('from replica 3')
    const got = await within(p.promise, 1000)
    expect(got, 'firstSuccess when 2 fails, then 3 succeeds, 1 still pending').toEqual({ status: 'fulfilled', value: 'from replica 3' })
    ds[0]!.resolve('late')
  })

  it('rejects with an AggregateError holding every error in task order when all fail', async () => {
    const ds = [deferred<string>(), deferred<string>()]
    const p = track(firstSuccess(ds.map((d) => () => d.promise)))
    await flush()
    p.pending('firstSuccess while no task has finished')
    const e1 = new Error('one')
    const e0 = new Error('zero')
    ds[1]!.reject(e1)
    ds[0]!.reject(e0)
    const err = await p.promise.then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err, 'firstSuccess when every task fails').toBeInstanceOf(AggregateError)
    expect((err as AggregateError).errors, 'AggregateError.errors').toEqual([e0, e1])
  })

  it('rejects with an AggregateError for no tasks', async () => {
    await expect(firstSuccess([]), 'firstSuccess([])').rejects.toBeInstanceOf(AggregateError)
  })
})

describe('withTimeout(promise, ms)', () => {
  it('passes the value or the error of a promise that settles in time', async () => {
    expect(await withTimeout(sleep(5).then(() => 42), 2000), 'withTimeout(resolves 42 after 5 ms, 2000)').toBe(42)
    const boom = new Error('boom')
    await expect(withTimeout(sleep(5).then(() => Promise.reject(boom)), 2000), 'withTimeout(rejects after 5 ms, 2000)').rejects.toBe(boom)
  })

  it('rejects with TimeoutError once ms have passed, not before', async () => {
    const never = new Promise<never>(() => {})
    const p = withTimeout(never, 150)
    p.catch(() => {})
    expect((await within(p, 20)).status, 'withTimeout(never settles, 150) after 20 ms').toBe('pending')
    const got = await within(p, 3000)
    expect(got.status, 'withTimeout(never settles, 150) after a while').toBe('rejected')
    const reason = (got as { reason: unknown }).reason
    expect(reason, 'the rejection').toBeInstanceOf(TimeoutError)
    expect((reason as { ms?: number }).ms, 'TimeoutError.ms').toBe(150)
  })

  it('leaves no timer behind when the promise wins', async () => {
    const left = await timersLeftBy(async () => {
      await withTimeout(Promise.resolve('fast'), 60_000)
      await withTimeout(Promise.reject(new Error('x')), 60_000).catch(() => {})
    })
    expect(left, 'timers still pending (unref\'d ones included) after two withTimeout(…, 60000) that settled at once: clear the timer, unref() does not cancel it').toBe(0)
  })
})
