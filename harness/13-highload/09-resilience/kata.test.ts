import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { deferred, sleep, waitFor } from '#support/highload'
import { BreakerOpenError, createBreaker, retry, shedLoad } from '@kata/highload/resilience'

interface RetryOptions {
  retries: number
  baseMs: number
  maxMs: number
  isRetryable?: (err: unknown) => boolean
  signal?: AbortSignal
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
}
const retryFn = retry as <T>(fn: (attempt: number) => Promise<T>, options: RetryOptions) => Promise<T>
const outcome = (p: Promise<unknown>) => p.then((value) => ({ value }), (error: unknown) => ({ error }))

/** A fake sleep that records each wait and returns at once. */
function recorder() {
  const waits: number[] = []
  return { waits, sleep: async (ms: number) => void waits.push(ms) }
}
/** fn failing `failures` times with distinct errors, then resolving "done". */
function flaky(failures: number) {
  const attempts: number[] = []
  const errors = Array.from({ length: failures }, (_, i) => new Error(`failure #${i + 1}`))
  const fn = async (attempt: number) => {
    attempts.push(attempt)
    if (attempts.length <= failures) throw errors[attempts.length - 1]
    return 'done'
  }
  return { fn, attempts, errors }
}
const round = (xs: number[]) => xs.map((x) => Math.round(x * 1000) / 1000)

describe('step 1: retry(fn, options) with exponential backoff and full jitter', () => {
  it('returns the first success, passing the attempt number, and waits between attempts only', async () => {
    const { fn, attempts } = flaky(2)
    const r = recorder()
    const result = await outcome(retryFn(fn, { retries: 5, baseMs: 100, maxMs: 1000, sleep: r.sleep, random: () => 1 }))
    expect(result, 'retry(fn failing twice, then "done")').toEqual({ value: 'done' })
    expect(attempts, 'the attempt numbers fn received').toEqual([1, 2, 3])
    expect(r.waits.length, 'waits between 3 attempts').toBe(2)
  })

  it('doubles the delay cap from baseMs and never goes above maxMs', async () => {
    const { fn } = flaky(10)
    const r = recorder()
    await outcome(retryFn(fn, { retries: 6, baseMs: 100, maxMs: 1000, sleep: r.sleep, random: () => 0.999999 }))
    expect(round(r.waits).map(Math.round), 'the waits with random() ≈ 1, baseMs 100, maxMs 1000, 6 retries').toEqual([100, 200, 400, 800, 1000, 1000])
  })

  it('jitters: each delay is random() × the cap (full jitter)', async () => {
    const { fn } = flaky(10)
    const r = recorder()
    const randoms = [0.5, 0.1, 0.9, 0.25]
    let i = 0
    await outcome(retryFn(fn, { retries: 4, baseMs: 40, maxMs: 10_000, sleep: r.sleep, random: () => randoms[i++ % randoms.length]! }))
    expect(round(r.waits), 'the waits with random() returning 0.5, 0.1, 0.9, 0.25 and baseMs 40').toEqual([20, 8, 144, 80])
  })

  it('rejects with the last error once the retries are used up', async () => {
    const { fn, attempts, errors } = flaky(10)
    const r = recorder()
    const result = await outcome(retryFn(fn, { retries: 3, baseMs: 10, maxMs: 100, sleep: r.sleep, random: () => 0.5 }))
    expect(attempts, 'calls of fn with retries: 3').toEqual([1, 2, 3, 4])
    expect((result as { error?: unknown }).error, 'the rejection: the error of the 4th call, as thrown').toBe(errors[3])
    expect(r.waits.length, 'waits (none after the last attempt)').toBe(3)
  })

  it('gives up at once on an error that is not retryable', async () => {
    const permanent = Object.assign(new Error('400 bad request'), { status: 400 })
    let calls = 0
    const r = recorder()
    const result = await outcome(
      retryFn(
        async () => {
          calls++
          throw permanent
        },
        { retries: 5, baseMs: 10, maxMs: 100, sleep: r.sleep, isRetryable: (e) => (e as { status?: number }).status !== 400 },
      ),
    )
    expect(calls, 'calls of fn when it throws a non-retryable error').toBe(1)
    expect((result as { error?: unknown }).error, 'the rejection').toBe(permanent)
    expect(r.waits, 'waits').toEqual([])
  })

  it('stops waiting and rejects with the abort reason when the signal aborts (real timers)', async () => {
    const controller = new AbortController()
    let calls = 0
    const started = Date.now()
    setTimeout(() => controller.abort(new Error('client went away')), 50)
    const result = await Promise.race([
      outcome(
        retryFn(
          async () => {
            calls++
            throw new Error('down')
          },
          { retries: 1, baseMs: 20_000, maxMs: 20_000, signal: controller.signal, random: () => 1 },
        ),
      ),
      sleep(3000).then(() => ({ stillWaiting: true })),
    ])
    expect(result, 'retry() 3 s after the signal aborted during a 20 s wait: it must reject at once, not sit out the wait').not.toHaveProperty('stillWaiting')
    expect((result as { error?: Error }).error?.message, 'the rejection when aborted during a 20 s wait').toBe('client went away')
    expect(Date.now() - started, 'ms until retry() rejected after the abort at 50 ms').toBeLessThan(3000)
    expect(calls, 'calls of fn').toBe(1)
  })

  it('does not call fn at all when the signal is already aborted', async () => {
    let calls = 0
    const result = await outcome(retryFn(async () => void calls++, { retries: 3, baseMs: 1, maxMs: 1, signal: AbortSignal.abort(new Error('cancelled')) }))
    expect(calls, 'calls of fn with an aborted signal').toBe(0)
    expect((result as { error?: Error }).error?.message, 'the rejection').toBe('cancelled')
  })
})

// ---------------------------------------------------------------- step 2

interface Breaker {
  call<T>(fn: () => Promise<T>): Promise<T>
  state(): 'closed' | 'open' | 'half-open'
}
const breaker = (opts: { failureThreshold: number; cooldownMs: number; now: () => number }) => createBreaker(opts) as Breaker

function clock() {
  let t = 1_000_000
  return { now: () => t, advance: (ms: number) => void (t += ms) }
}
const ok = async () => 'ok'
const boom = async () => {
  throw new Error('upstream 502')
}

describe('step 2: createBreaker({ failureThreshold, cooldownMs, now }): closed → open → half-open', () => {
  it('stays closed and passes results and errors through while failures stay below the threshold', async () => {
    const c = clock()
    const b = breaker({ failureThreshold: 3, cooldownMs: 1000, now: c.now })
    expect(b.state(), 'state of a new breaker').toBe('closed')
    expect(await b.call(ok), 'call(fn resolving "ok")').toBe('ok')
    const err = await outcome(b.call(boom))
    expect((err as { error?: Error }).error?.message, 'call(fn rejecting): the same error comes out').toBe('upstream 502')
    await outcome(b.call(boom))
    await b.call(ok) // a success resets the count
    await outcome(b.call(boom))
    await outcome(b.call(boom))
    expect(b.state(), 'state after fail, fail, success, fail, fail (threshold 3: never 3 in a row)').toBe('closed')
  })

  it('opens after failureThreshold failures in a row, then fails fast without calling fn', async () => {
    const c = clock()
    const b = breaker({ failureThreshold: 3, cooldownMs: 1000, now: c.now })
    for (let i = 0; i < 3; i++) await outcome(b.call(boom))
    expect(b.state(), 'state after 3 failures in a row (threshold 3)').toBe('open')
    let called = false
    const result = await outcome(b.call(async () => ((called = true), 'x')))
    expect((result as { error?: unknown }).error, 'call() while open: rejects with BreakerOpenError').toBeInstanceOf(BreakerOpenError)
    expect(called, 'was fn called while the breaker was open?').toBe(false)
    c.advance(999)
    expect(b.state(), 'state 999 ms later (cooldown 1000)').toBe('open')
  })

  it('lets exactly one trial call through after the cooldown; its success closes the breaker', async () => {
    const c = clock()
    const b = breaker({ failureThreshold: 2, cooldownMs: 500, now: c.now })
    await outcome(b.call(boom))
    await outcome(b.call(boom))
    c.advance(500)
    expect(b.state(), 'state once the cooldown has passed').toBe('half-open')
    const gate = deferred<string>()
    let trials = 0
    const first = b.call(() => ((trials += 1), gate.promise))
    const others = await Promise.all([1, 2, 3].map(() => outcome(b.call(async () => ((trials += 1), 'x')))))
    expect(trials, 'calls let through while the trial is in flight').toBe(1)
    expect(others.every((o) => (o as { error?: unknown }).error instanceof BreakerOpenError), 'the calls made during the trial: all BreakerOpenError').toBe(true)
    gate.resolve('recovered')
    expect(await first, 'the trial call').toBe('recovered')
    expect(b.state(), 'state after a successful trial').toBe('closed')
    expect(await b.call(ok), 'a call after closing').toBe('ok')
  })

  it('a failed trial opens the breaker again for a whole new cooldown', async () => {
    const c = clock()
    const b = breaker({ failureThreshold: 2, cooldownMs: 500, now: c.now })
    await outcome(b.call(boom))
    await outcome(b.call(boom))
    c.advance(600)
    await outcome(b.call(boom))
    expect(b.state(), 'state right after the trial failed').toBe('open')
    c.advance(400)
    expect(b.state(), 'state 400 ms after the failed trial (cooldown 500)').toBe('open')
    expect((await outcome(b.call(ok)) as { error?: unknown }).error, 'a call 400 ms after the failed trial').toBeInstanceOf(BreakerOpenError)
    c.advance(100)
    expect(b.state(), 'state 500 ms after the failed trial').toBe('half-open')
    expect(await b.call(ok), 'the next trial').toBe('ok')
    expect(b.state(), 'state after that trial succeeded').toBe('closed')
  })

  it('once closed again, needs a full run of failures to open', async () => {
    const c = clock()
    const b = breaker({ failureThreshold: 3, cooldownMs: 100, now: c.now })
    for (let i = 0; i < 3; i++) await outcome(b.call(boom))
    c.advance(100)
    await b.call(ok)
    await outcome(b.call(boom))
    await outcome(b.call(boom))
    expect(b.state(), 'state after closing and then 2 failures (threshold 3)').toBe('closed')
  })
})

// ---------------------------------------------------------------- step 3

const servers: Server[] = []
afterAll(async () => {
  for (const s of servers) s.closeAllConnections()
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
})

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

type Handler = (req: IncomingMessage, res: ServerResponse) => unknown
const shed = (handler: Handler, opts: { maxInFlight: number; retryAfterSeconds: number }) => shedLoad(handler, opts) as RequestListener

/**
 * A handler that holds every request to /hold until the test releases them, and answers
 * any other path at once.
 */
function heldHandler() {
  let started = 0
  let gate = deferred()
  const handler: Handler = async (req, res) => {
    if (req.url === '/hold') {
      started++
      await gate.promise
    }
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"ok":true}')
  }
  return {
    handler,
    started: () => started,
    release: () => {
      gate.resolve()
      gate = deferred()
    },
  }
}

interface Reply {
  status: number | string
  retryAfter: string | null
}

/** GET `path`; a request the server leaves unanswered for 5 s comes back as status "no answer". */
async function get(base: string, path = '/hold', signal?: AbortSignal): Promise<Reply> {
  const res = await Promise.race([fetch(`${base}${path}`, { signal }), sleep(5000).then(() => undefined)])
  if (!res) return { status: 'no answer within 5 s', retryAfter: null }
  await res.text()
  return { status: res.status, retryAfter: res.headers.get('retry-after') }
}

describe('step 3: shedLoad(handler, { maxInFlight, retryAfterSeconds }) answers 503 beyond capacity', () => {
  it('serves maxInFlight requests and refuses the rest at once with 503 and Retry-After', async () => {
    const h = heldHandler()
    const base = await serve(shed(h.handler, { maxInFlight: 3, retryAfterSeconds: 2 }))
    let answered = 0
    const pending = Array.from({ length: 10 }, () => get(base).finally(() => answered++))
    // The refusals must come back while the first three are still held.
    await waitFor(() => h.started() >= 3 && answered >= 7, 5000)
    const startedWhileHeld = h.started()
    const answeredWhileHeld = answered
    h.release()
    const replies = await Promise.all(pending)
    expect(startedWhileHeld, 'requests the handler was given while 3 were in flight (maxInFlight 3)').toBe(3)
    expect(answeredWhileHeld, 'requests answered while the first 3 were still in the handler (the other 7 must not wait)').toBe(7)
    const served = replies.filter((a) => a.status === 200)
    const refused = replies.filter((a) => a.status === 503)
    expect(served.length, '10 concurrent requests, maxInFlight 3: answered 200').toBe(3)
    expect(refused.length, '10 concurrent requests, maxInFlight 3: answered 503').toBe(7)
    expect([...new Set(refused.map((a) => a.retryAfter))], 'the Retry-After header of the 503 answers').toEqual(['2'])
  })

  it('refuses a request while the only slot is busy, without queueing it', async () => {
    const h = heldHandler()
    const base = await serve(shed(h.handler, { maxInFlight: 1, retryAfterSeconds: 1 }))
    const first = get(base)
    await waitFor(() => h.started() === 1, 5000)
    const second = await get(base, '/quick')
    h.release()
    expect(second.status, 'GET /quick while GET /hold holds the only slot (maxInFlight 1)').toBe(503)
    expect((await first).status, 'the held request, once released').toBe(200)
  })

  it('frees the slot when a request finishes, so capacity comes back', async () => {
    const h = heldHandler()
    const base = await serve(shed(h.handler, { maxInFlight: 2, retryAfterSeconds: 1 }))
    for (let round = 1; round <= 3; round++) {
      const pair = [get(base), get(base)]
      await waitFor(() => h.started() === round * 2, 5000)
      h.release()
      const statuses = (await Promise.all(pair)).map((a) => a.status)
      expect(statuses, `round ${round}: two requests with maxInFlight 2, after the previous ones finished`).toEqual([200, 200])
    }
  })

  it('frees the slot when the handler throws or rejects (answered 500)', async () => {
    let n = 0
    const base = await serve(
      shed(
        (() => {
          n++
          if (n % 2) throw new Error('sync bug')
          return Promise.reject(new Error('async bug'))
        }) as Handler,
        { maxInFlight: 1, retryAfterSeconds: 1 },
      ),
    )
    const statuses: (number | string)[] = []
    for (let i = 0; i < 4; i++) statuses.push((await get(base, '/boom')).status)
    expect(statuses, 'four requests, one after another, to a handler that throws / rejects (maxInFlight 1)').toEqual([500, 500, 500, 500])
  })

  it('frees the slot when the client goes away before the answer', async () => {
    const h = heldHandler()
    const base = await serve(shed(h.handler, { maxInFlight: 1, retryAfterSeconds: 1 }))
    const controller = new AbortController()
    const gone = get(base, '/hold', controller.signal).catch(() => 'aborted')
    await waitFor(() => h.started() === 1, 5000)
    controller.abort()
    await gone
    // The server notices the disconnect a moment later: ask a few times.
    let reply: Reply = { status: 'not asked', retryAfter: null }
    await waitFor(async () => (reply = await get(base, '/quick')).status === 200, 3000)
    h.release()
    expect(reply.status, 'GET /quick after the client holding the only slot disconnected (maxInFlight 1)').toBe(200)
  })
})
