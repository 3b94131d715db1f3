import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { deferred, flush, track, within, type Deferred } from '#support/core'
import { mapPool } from '@kata/core/worker-pool'

/** One event-loop turn, a few times, different per item: workers finish in a mixed order. */
const work = async (i: number) => {
  for (let k = 0; k < (i * 5) % 7; k++) await new Promise((r) => setImmediate(r))
}

/** Workers that stay pending until the test settles them; records starts and signals. */
function gatedWorker() {
  const started: number[] = []
  const gates = new Map<number, Deferred<string>>()
  const signals = new Map<number, AbortSignal>()
  const worker = (item: string, index: number, signal: AbortSignal) => {
    started.push(index)
    signals.set(index, signal)
    const d = deferred<string>()
    gates.set(index, d)
    return d.promise.then((v) => `${item}:${v}`)
  }
  const gate = (i: number) => {
    const d = gates.get(i)
    if (!d) throw new Error(`worker for index ${i} was never started; started so far: ${JSON.stringify(started)}`)
    return d
  }
  return { worker, started, signals, gate }
}

const items = (n: number) => Array.from({ length: n }, (_, i) => `item${i}`)

describe('mapPool(items, limit, worker, { signal })', () => {
  it('rejects a limit that is not a positive integer with RangeError, before starting anything', async () => {
    for (const limit of [0, -1, 1.5, Number.NaN]) {
      let calls = 0
      await expect(mapPool(['a'], limit, async () => calls++), `mapPool(["a"], ${limit}, worker)`).rejects.toBeInstanceOf(RangeError)
      expect(calls, `worker calls with limit ${limit}`).toBe(0)
    }
  })

  it('resolves [] for no items without calling the worker', async () => {
    let calls = 0
    expect(await mapPool([], 3, async () => calls++), 'mapPool([], 3, worker)').toEqual([])
    expect(calls, 'worker calls').toBe(0)
  })

  it('never runs more than limit workers at once, and does reach the limit', async () => {
    let active = 0
    let maxActive = 0
    const out = await mapPool(items(30), 4, async (item: string, i: number) => {
      active++
      maxActive = Math.max(maxActive, active)
      await work(i)
      active--
      return item.toUpperCase()
    })
    expect(maxActive, 'most workers in flight at once (30 items, limit 4)').toBe(4)
    expect(out, 'results in input order').toEqual(items(30).map((s) => s.toUpperCase()))
  })

  it('starts the next item as soon as any slot frees, not in batches', async () => {
    const g = gatedWorker()
    const p = track(mapPool(items(5), 2, g.worker))
    await flush()
    p.pending('mapPool while workers are running')
    expect(g.started, 'indexes started with limit 2 before anything finished').toEqual([0, 1])
    g.gate(1).resolve('done')
    await flush()
    expect(g.started, 'indexes started after item 1 finished while item 0 still runs').toEqual([0, 1, 2])
    g.gate(2).resolve('done')
    await flush()
    expect(g.started, 'indexes started after item 2 finished, item 0 still running').toEqual([0, 1, 2, 3])
    for (const i of [0, 3]) g.gate(i).resolve('done')
    await flush()
    g.gate(4).resolve('done')
    expect(await p.promise, 'results').toEqual(items(5).map((s) => `${s}:done`))
  })

  it('keeps results in input order whatever order workers finish in, passing item and index', async () => {
    const g = gatedWorker()
    const p = track(mapPool(['a', 'b', 'c'], 3, g.worker))
    await flush()
    p.pending('mapPool while workers are running')
    g.gate(2).resolve('2')
    g.gate(0).resolve('0')
    g.gate(1).resolve('1')
    expect(await p.promise, 'mapPool(["a", "b", "c"]) finishing 2, 0, 1').toEqual(['a:0', 'b:1', 'c:2'])
  })

  it('on the first error: rejects at once, aborts running workers\' signals, starts nothing more', async () => {
    const g = gatedWorker()
    const p = track(mapPool(items(10), 3, g.worker))
    await flush()
    p.pending('mapPool while workers are running')
    const boom = new Error('item 1 failed')
    g.gate(1).reject(boom)
    const got = await within(p.promise, 1000)
    expect(got, 'mapPool after item 1 failed while items 0 and 2 still run').toEqual({ status: 'rejected', reason: boom })
    expect(g.signals.get(0)?.aborted, 'signal of running item 0 after the failure').toBe(true)
    expect(g.signals.get(2)?.aborted, 'signal of running item 2 after the failure').toBe(true)
    // The running ones finish later (one of them failing too): nothing new may start.
    g.gate(0).resolve('late')
    g.gate(2).reject(new Error('item 2 failed later'))
    await flush()
    expect(g.started, 'indexes ever started').toEqual([0, 1, 2])
  })

  it('turns a worker that throws synchronously into a rejection', async () => {
    const boom = new Error('sync')
    await expect(
      mapPool(['a'], 1, () => {
        throw boom
      }),
      'mapPool with a worker that throws',
    ).rejects.toBe(boom)
    const later = new Error('sync, on the third item')
    const got = await within(
      mapPool(['a', 'b', 'c', 'd'], 1, (item: string) => {
        if (item === 'c') throw later
        return Promise.resolve(item)
      }),
      1000,
    )
    expect(got, 'mapPool(limit 1) whose worker throws synchronously on the third item, started after an earlier one finished').toEqual({
      status: 'rejected',
      reason: later,
    })
  })

  it('stops when the caller\'s signal aborts: rejects with its reason, aborts workers, starts nothing more', async () => {
    const g = gatedWorker()
    const ctl = new AbortController()
    const p = track(mapPool(items(6), 2, g.worker, { signal: ctl.signal }))
    await flush()
    p.pending('mapPool before the caller aborts')
    const reason = new Error('request cancelled')
    ctl.abort(reason)
    const got = await within(p.promise, 1000)
    expect(got, 'mapPool after the caller aborted').toEqual({ status: 'rejected', reason })
    expect(g.signals.get(0)?.aborted, 'signal of running item 0 after the caller aborted').toBe(true)
    g.gate(0).resolve('late')
    g.gate(1).resolve('late')
    await flush()
    expect(g.started, 'indexes ever started').toEqual([0, 1])
  })

  it('does not start anything when the signal is already aborted', async () => {
    const reason = new Error('gone')
    let calls = 0
    await expect(mapPool(items(3), 2, async () => calls++, { signal: AbortSignal.abort(reason) }), 'mapPool with an aborted signal').rejects.toBe(reason)
    expect(calls, 'worker calls').toBe(0)
  })

  it('leaves no listener on the caller\'s signal once it is done', async () => {
    const ctl = new AbortController()
    await mapPool(items(5), 2, async (s: string) => s, { signal: ctl.signal })
    await mapPool(['x'], 1, async () => Promise.reject(new Error('x')), { signal: ctl.signal }).catch(() => {})
    expect(getEventListeners(ctl.signal, 'abort').length, 'abort listeners left after two finished mapPool calls').toBe(0)
  })
})
