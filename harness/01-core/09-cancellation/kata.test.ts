import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { deferred, flush, liveTimers, timersLeftBy, track, within } from '#support/core'
import { runJob, sleep, withTimeout } from '@kata/core/cancellation'

interface Scope {
  signal: AbortSignal
  cancel(): void
}
const listeners = (s: AbortSignal) => getEventListeners(s, 'abort').length
const nameOf = (e: unknown) => (e as { name?: string } | undefined)?.name
const never = () => new Promise<never>(() => {})

/** A resource that counts how often it was closed, and a log of what happened. */
function fakeJob(steps: Array<(log: string[], signal: AbortSignal) => Promise<unknown>>, acquire?: (signal: AbortSignal) => Promise<void>) {
  const log: string[] = []
  let closes = 0
  const resource = {
    name: 'conn',
    close() {
      closes++
      log.push('close')
    },
  }
  const job = {
    async acquire(signal: AbortSignal) {
      log.push('acquire')
      if (acquire) await acquire(signal)
      return resource
    },
    steps: steps.map((s, i) => (r: typeof resource, signal: AbortSignal) => {
      log.push(`step ${i + 1} on ${r.name}`)
      return s(log, signal)
    }),
  }
  return { job, log, closes: () => closes }
}

describe('sleep(ms, signal?)', () => {
  it('resolves after about ms', async () => {
    const t0 = performance.now()
    await sleep(40)
    expect(performance.now() - t0, 'elapsed ms of sleep(40)').toBeGreaterThanOrEqual(35)
  })

  it('rejects with signal.reason as soon as the signal aborts, and clears its timer', async () => {
    const ctl = new AbortController()
    const p = track(sleep(60_000, ctl.signal))
    await flush()
    p.pending('sleep(60000, signal) before abort')
    const reason = new Error('client went away')
    ctl.abort(reason)
    const got = await within(p.promise, 1000)
    expect(got, 'sleep(60000, signal) after ctl.abort(reason)').toEqual({ status: 'rejected', reason })
    const left = await timersLeftBy(async () => {
      const c = new AbortController()
      const s = sleep(60_000, c.signal)
      s.catch(() => {})
      c.abort(new Error('gone'))
      await s.catch(() => {})
    })
    expect(left, 'timers still pending (unref\'d ones included) after an aborted sleep(60000): clear the timer, unref() does not cancel it').toBe(0)
  })

  it('rejects at once when the signal is already aborted', async () => {
    const reason = new Error('too late')
    const got = await within(sleep(60_000, AbortSignal.abort(reason)), 1000)
    expect(got, 'sleep(60000, already aborted signal)').toEqual({ status: 'rejected', reason })
  })

  it('removes its abort listener when it finishes normally', async () => {
    const ctl = new AbortController()
    for (let i = 0; i < 5; i++) await sleep(1, ctl.signal)
    expect(listeners(ctl.signal), 'abort listeners left on the signal after 5 finished sleeps').toBe(0)
  })
})

describe('withTimeout(parent, ms)', () => {
  it('aborts after ms with a TimeoutError reason, not before', async () => {
    // Only a lower bound on the time: a busy machine can delay the abort, never hasten it.
    const t0 = performance.now()
    const scope: Scope = withTimeout(undefined, 150)
    expect(scope.signal.aborted, 'withTimeout(undefined, 150).signal.aborted at once').toBe(false)
    await within(new Promise((r) => scope.signal.addEventListener('abort', r)), 2000)
    expect(scope.signal.aborted, 'aborted after the deadline').toBe(true)
    expect(performance.now() - t0, 'ms from withTimeout(undefined, 150) to its abort').toBeGreaterThanOrEqual(145)
    expect(nameOf(scope.signal.reason), 'reason.name after the deadline').toBe('TimeoutError')
  })

  it('aborts when the parent aborts, with the parent\'s reason', async () => {
    const parent = new AbortController()
    const scope: Scope = withTimeout(parent.signal, 60_000)
    const reason = new Error('shutdown')
    parent.abort(reason)
    await flush(1)
    expect(scope.signal.aborted, 'child aborted after parent.abort()').toBe(true)
    expect(scope.signal.reason, 'child reason after parent.abort(reason)').toBe(reason)
    scope.cancel()
  })

  it('is aborted from the start when the parent already is', () => {
    const reason = new Error('already gone')
    const scope: Scope = withTimeout(AbortSignal.abort(reason), 60_000)
    expect(scope.signal.aborted, 'child of an aborted parent').toBe(true)
    expect(scope.signal.reason, 'its reason').toBe(reason)
  })

  it('cancel() aborts the child with an AbortError but never the parent', () => {
    const parent = new AbortController()
    const scope: Scope = withTimeout(parent.signal, 60_000)
    scope.cancel()
    expect(scope.signal.aborted, 'child after cancel()').toBe(true)
    expect(nameOf(scope.signal.reason), 'child reason.name after cancel()').toBe('AbortError')
    expect(parent.signal.aborted, 'parent after the child\'s cancel()').toBe(false)
  })

  it('cancel() releases the timer and the listener on the parent (no leak over many requests)', () => {
    const parent = new AbortController()
    const timers = liveTimers()
    const before = listeners(parent.signal)
    for (let i = 0; i < 200; i++) withTimeout(parent.signal, 60_000).cancel()
    expect(liveTimers() - timers, 'timers left pending after 200 × withTimeout(parent, 60000).cancel()').toBe(0)
    expect(listeners(parent.signal) - before, 'listeners left on the parent after 200 cancelled children').toBe(0)
  })

  it('cancel() cancels the deadline timer, not just unrefs it', async () => {
    const parent = new AbortController()
    const left = await timersLeftBy(() => {
      for (let i = 0; i < 20; i++) withTimeout(parent.signal, 60_000).cancel()
    })
    expect(left, 'timers still pending (unref\'d ones included) after 20 × withTimeout(parent, 60000).cancel()').toBe(0)
  })

  it('releases the parent listener once the deadline has fired', async () => {
    const parent = new AbortController()
    const scope: Scope = withTimeout(parent.signal, 10)
    await within(new Promise((r) => scope.signal.addEventListener('abort', r)), 2000)
    expect(scope.signal.aborted, 'child after its 10 ms deadline').toBe(true)
    expect(listeners(parent.signal), 'listeners left on the parent after the child\'s deadline').toBe(0)
  })
})

describe('runJob(job, { signal, timeoutMs })', () => {
  it('acquires, runs the steps in order with the resource, returns their results and closes once', async () => {
    const parent = new AbortController()
    const f = fakeJob([async () => 'a', async () => 'b', async () => 'c'])
    let out: unknown
    const timers = await timersLeftBy(async () => (out = await runJob(f.job, { signal: parent.signal, timeoutMs: 60_000 })))
    expect(out, 'runJob results').toEqual(['a', 'b', 'c'])
    expect(f.log, 'what happened').toEqual(['acquire', 'step 1 on conn', 'step 2 on conn', 'step 3 on conn', 'close'])
    expect(timers, 'timers left pending after runJob finished').toBe(0)
    expect(listeners(parent.signal), 'listeners left on the caller\'s signal after runJob finished').toBe(0)
  })

  it('passes a signal down to acquire and every step that aborts when the caller aborts', async () => {
    const parent = new AbortController()
    const seen: unknown[] = []
    const f = fakeJob([
      async (_log, signal) => {
        // A step that honours its signal, as a good callee does.
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
      },
    ], async (signal) => void seen.push(signal))
    const p = track(runJob(f.job, { signal: parent.signal }))
    await flush()
    p.pending('runJob while step 1 waits')
    expect(seen[0], 'acquire(signal) received an AbortSignal').toBeInstanceOf(AbortSignal)
    const reason = new Error('request cancelled')
    parent.abort(reason)
    const got = await within(p.promise, 1000)
    expect(got, 'runJob after the caller aborted').toEqual({ status: 'rejected', reason })
    expect((seen[0] as AbortSignal).aborted, 'the signal acquire received, after the caller aborted').toBe(true)
  })

  it('stops at once on abort even if the running step ignores its signal, starts no more steps, closes once', async () => {
    const parent = new AbortController()
    const f = fakeJob([async () => 'ok', () => never(), async (log) => log.push('step 3 ran')])
    const p = track(runJob(f.job, { signal: parent.signal }))
    await flush()
    p.pending('runJob while step 2 hangs')
    const reason = new Error('client disconnected')
    parent.abort(reason)
    const got = await within(p.promise, 1000)
    expect(got, 'runJob within 1 s of the abort, step 2 still hanging').toEqual({ status: 'rejected', reason })
    await flush()
    expect(f.log, 'what happened').toEqual(['acquire', 'step 1 on conn', 'step 2 on conn', 'close'])
    expect(f.closes(), 'close() calls').toBe(1)
  })

  it('rejects with a TimeoutError when timeoutMs passes', async () => {
    const f = fakeJob([() => never()])
    const got = await within(runJob(f.job, { timeoutMs: 50 }), 2000)
    expect(got.status, 'runJob with timeoutMs 50 and a hanging step').toBe('rejected')
    expect(nameOf((got as { reason: unknown }).reason), 'reason.name').toBe('TimeoutError')
    expect(f.closes(), 'close() calls after the deadline').toBe(1)
  })

  it('does not even acquire when the signal is already aborted', async () => {
    const reason = new Error('gone')
    const f = fakeJob([async () => 'x'])
    const got = await within(runJob(f.job, { signal: AbortSignal.abort(reason) }), 1000)
    expect(got, 'runJob with an aborted signal').toEqual({ status: 'rejected', reason })
    expect(f.log, 'what happened').toEqual([])
  })

  it('stops at the first failing step and still closes the resource', async () => {
    const boom = new Error('step 2 failed')
    const f = fakeJob([async () => 1, async () => Promise.reject(boom), async () => 3])
    await expect(runJob(f.job), 'runJob when step 2 rejects').rejects.toBe(boom)
    expect(f.log, 'what happened').toEqual(['acquire', 'step 1 on conn', 'step 2 on conn', 'close'])
  })

  it('closes nothing when acquire fails', async () => {
    const boom = new Error('no connection')
    const f = fakeJob([async () => 1], async () => Promise.reject(boom))
    await expect(runJob(f.job), 'runJob when acquire rejects').rejects.toBe(boom)
    expect(f.log, 'what happened').toEqual(['acquire'])
  })

  it('gives up on a hanging acquire on abort, and closes the resource if it arrives later', async () => {
    const parent = new AbortController()
    const gate = deferred()
    const f = fakeJob([async () => 'x'], () => gate.promise)
    const p = track(runJob(f.job, { signal: parent.signal }))
    await flush()
    p.pending('runJob while acquire hangs')
    const reason = new Error('cancelled while connecting')
    parent.abort(reason)
    expect(await within(p.promise, 1000), 'runJob after abort during acquire').toEqual({ status: 'rejected', reason })
    gate.resolve()
    await flush()
    expect(f.log, 'what happened when the connection arrived after the abort').toEqual(['acquire', 'close'])
  })
})
