import { describe, expect, it } from 'vitest'
import { JSONCodec, type NatsConnection } from 'nats'
import { useNats } from '#support/nats'
import { sleep, waitFor, within } from '#support/queues'
import { call, listen, serve, subjectMatches } from '@kata/queues/nats'

interface Stoppable {
  stop(): Promise<void>
}
const matches = (p: string, s: string): boolean => subjectMatches(p, s)
const listenOn = (nc: NatsConnection, p: string, cb: (subject: string, data: unknown) => void): Stoppable => listen(nc, p, cb)
const serveOn = (nc: NatsConnection, s: string, h: (r: unknown) => Promise<unknown>, o?: { queue?: string }): Stoppable => serve(nc, s, h, o)
const request = (nc: NatsConnection, s: string, payload: unknown, timeoutMs: number): Promise<unknown> => call(nc, s, payload, timeoutMs)

const nats = useNats()
const codec = JSONCodec()

/** Settles `p` and reports how: the value, or the error's code and message, and how long it took. */
async function outcome(p: Promise<unknown>) {
  const t0 = performance.now()
  try {
    const value = await p
    return { ok: true as const, value, ms: performance.now() - t0 }
  } catch (err) {
    const e = err as Error & { code?: string }
    return { ok: false as const, code: e?.code, message: String(e?.message ?? e), ms: performance.now() - t0 }
  }
}

describe('subjectMatches(pattern, subject) agrees with the NATS server', () => {
  it('`*` is exactly one token, `>` is one or more trailing tokens', async () => {
    const base = nats.subject('sm')
    const rel = ['a', 'a.b', 'a.b.c', 'a.x.c', 'b.b', 'a.b.c.d', 'x.y.z']
    const patterns = ['a', 'a.*', 'a.>', '*.b', '*', '>', 'a.*.c', 'a.b', '*.*', '*.>', 'a.*.>', '*.b.>']
    const nc = await nats.connect()
    const got = new Map<string, Set<string>>()
    const subs = patterns.map((p) => {
      got.set(p, new Set())
      return nc.subscribe(`${base}.${p}`, { callback: (_e, m) => got.get(p)!.add(m.subject.slice(base.length + 1)) })
    })
    await nc.flush()
    for (const s of rel) nc.publish(`${base}.${s}`)
    await nc.flush()
    await sleep(50)
    for (const s of subs) s.unsubscribe()
    const wrong: string[] = []
    for (const p of patterns)
      for (const s of rel) {
        const server = got.get(p)!.has(s)
        let yours: unknown
        try {
          yours = matches(`${base}.${p}`, `${base}.${s}`)
        } catch (err) {
          yours = `throws ${(err as Error).message}`
        }
        if (yours !== server) wrong.push(`subjectMatches("<base>.${p}", "<base>.${s}") is ${String(yours)}, NATS says ${server}`)
      }
    expect(wrong.slice(0, 12), `answers that differ from the NATS server (${wrong.length} of ${patterns.length * rel.length})`).toEqual([])
  })

  it('compares whole tokens: "orders.*" does not match "ordersX.new"; ">" needs at least one token', () => {
    expect(matches('orders.*', 'ordersX.new'), 'subjectMatches("orders.*", "ordersX.new")').toBe(false)
    expect(matches('orders.>', 'orders'), 'subjectMatches("orders.>", "orders")').toBe(false)
    expect(matches('orders.new', 'orders-new'), 'subjectMatches("orders.new", "orders-new"): "." separates tokens, it is not "any character"').toBe(false)
    expect(matches('orders.>', 'orders.eu.created'), 'subjectMatches("orders.>", "orders.eu.created")').toBe(true)
    expect(matches('orders.*.created', 'orders.eu.created'), 'subjectMatches("orders.*.created", "orders.eu.created")').toBe(true)
  })
})

describe('listen(nc, pattern, onMessage)', () => {
  it('receives the messages of every subject its wildcard pattern covers, decoded from JSON, and only those', async () => {
    const base = nats.subject('ls')
    const nc = await nats.connect()
    const one: [string, unknown][] = []
    const all: [string, unknown][] = []
    const a = listenOn(nc, `${base}.orders.*`, (s, d) => void one.push([s.slice(base.length + 1), d]))
    const b = listenOn(nc, `${base}.orders.>`, (s, d) => void all.push([s.slice(base.length + 1), d]))
    await nc.flush()
    const pub = await nats.connect()
    pub.publish(`${base}.orders.created`, codec.encode({ id: 1 }))
    pub.publish(`${base}.orders.eu.created`, codec.encode({ id: 2 }))
    pub.publish(`${base}.payments.created`, codec.encode({ id: 3 }))
    await pub.flush()
    await waitFor(() => all.length >= 2 && one.length >= 1, () => `the listeners to get their messages (orders.*: ${one.length}, orders.>: ${all.length})`)
    await sleep(50)
    expect(one, 'messages (subject after the base, data) the "orders.*" listener got').toEqual([['orders.created', { id: 1 }]])
    expect(all, 'messages the "orders.>" listener got').toEqual([
      ['orders.created', { id: 1 }],
      ['orders.eu.created', { id: 2 }],
    ])
    await a.stop()
    await b.stop()
  })

  it('stop() ends the subscription: nothing arrives afterwards', async () => {
    const base = nats.subject('ls.stop')
    const nc = await nats.connect()
    const got: unknown[] = []
    const l = listenOn(nc, `${base}.>`, (_s, d) => void got.push(d))
    await nc.flush()
    const pub = await nats.connect()
    pub.publish(`${base}.x`, codec.encode(1))
    await pub.flush()
    await waitFor(() => got.length === 1, 'the first message')
    await within(l.stop(), 2000, 'listener.stop()')
    pub.publish(`${base}.x`, codec.encode(2))
    await pub.flush()
    await sleep(100)
    expect(got, 'data received (the second message came after stop())').toEqual([1])
  })
})

describe('serve(nc, subject, handler, { queue }) and call(nc, subject, payload, timeoutMs)', () => {
  it('call gets the handler result across connections', async () => {
    const subject = nats.subject('rr.sum')
    const server = serveOn(await nats.connect(), subject, async (req) => {
      const { a, b } = req as { a: number; b: number }
      return { sum: a + b }
    })
    const client = await nats.connect()
    await sleep(20)
    const r = await outcome(within(request(client, subject, { a: 2, b: 40 }, 2000), 3000, 'call(...)'))
    expect(r, 'call(nc, subject, { a: 2, b: 40 }, 2000) with a handler returning { sum: a + b }').toMatchObject({ ok: true, value: { sum: 42 } })
    await server.stop()
  })

  it('a handler error comes back to the caller as a RequestError with code "REMOTE" and the handler\'s message', async () => {
    const subject = nats.subject('rr.err')
    serveOn(await nats.connect(), subject, async () => {
      throw new Error('insufficient funds')
    })
    const client = await nats.connect()
    await sleep(20)
    const r = await outcome(within(request(client, subject, {}, 2000), 3000, 'call(...)'))
    expect(r.ok, 'call to a handler that throws: does it reject').toBe(false)
    expect(r, 'the rejection of call to a handler that throws "insufficient funds"').toMatchObject({ code: 'REMOTE' })
    expect(r.ok === false && r.message.includes('insufficient funds'), `the error message names the handler's error (got ${JSON.stringify(r)})`).toBe(true)
  })

  it('with no responder, call fails at once with code "NO_RESPONDERS" and a message naming the subject', async () => {
    const subject = nats.subject('rr.nobody')
    const client = await nats.connect()
    const r = await outcome(within(request(client, subject, {}, 3000), 4000, 'call to a subject nobody serves'))
    expect(r.ok, 'call to a subject nobody serves: does it reject').toBe(false)
    expect(r, 'the rejection of call to a subject nobody serves').toMatchObject({ code: 'NO_RESPONDERS' })
    expect(r.ok === false && r.message.includes(subject), `the error message names the subject "${subject}" (got ${JSON.stringify(r.ok === false ? r.message : '')})`).toBe(true)
    expect(r.ms, 'ms until call failed with no responders and a 3000 ms timeout (NATS says so at once; do not wait for the timeout)').toBeLessThan(1500)
  })

  it('with a responder that is too slow, call fails after timeoutMs with code "TIMEOUT"', async () => {
    const subject = nats.subject('rr.slow')
    let replied = false
    serveOn(await nats.connect(), subject, async () => {
      await sleep(600)
      replied = true
      return 'too late'
    })
    const client = await nats.connect()
    await sleep(20)
    const r = await outcome(within(request(client, subject, {}, 200), 2000, 'call with timeoutMs 200 to a responder that takes 600 ms'))
    expect(r.ok, 'call with timeoutMs 200 to a handler that takes 600 ms: does it reject').toBe(false)
    expect(r, 'the rejection of call with timeoutMs 200 to a slow handler').toMatchObject({ code: 'TIMEOUT' })
    expect(r.ok === false && r.message.includes(subject), `the error message names the subject (got ${JSON.stringify(r.ok === false ? r.message : '')})`).toBe(true)
    expect(r.ms, 'ms until call with timeoutMs 200 failed').toBeGreaterThanOrEqual(180)
    expect(r.ms, 'ms until call with timeoutMs 200 failed (the timeout must be passed to the request)').toBeLessThan(550)
    await waitFor(() => replied, 'the slow handler to finish') // its late reply must not outlive the test
    await sleep(20)
  })

  it('instances in one queue group share the requests: each request is handled exactly once', async () => {
    const subject = nats.subject('rr.pool')
    const handled = { a: 0, b: 0 }
    const mk = (who: 'a' | 'b') => async (req: unknown) => {
      handled[who]++
      await sleep(2)
      return { who, n: (req as { n: number }).n }
    }
    const a = serveOn(await nats.connect(), subject, mk('a'), { queue: 'workers' })
    const b = serveOn(await nats.connect(), subject, mk('b'), { queue: 'workers' })
    const client = await nats.connect()
    await sleep(30)
    const results = await within(Promise.all(Array.from({ length: 40 }, (_, n) => request(client, subject, { n }, 2000))), 4000, '40 parallel calls')
    await sleep(50)
    expect((results as { n: number }[]).map((r) => r.n), 'the n of each reply (each request got its own answer)').toEqual(Array.from({ length: 40 }, (_, n) => n))
    expect(handled.a + handled.b, `handler calls for 40 requests on two instances in queue group "workers" (a: ${handled.a}, b: ${handled.b}); without a queue group both answer every request`).toBe(40)
    expect(handled.a > 0 && handled.b > 0, `both instances took requests (a: ${handled.a}, b: ${handled.b})`).toBe(true)
    await a.stop()
    await b.stop()
  })

  it('after stop(), the subject has no responders', async () => {
    const subject = nats.subject('rr.stop')
    const server = serveOn(await nats.connect(), subject, async () => 'pong')
    const client = await nats.connect()
    await sleep(20)
    expect((await outcome(request(client, subject, {}, 1000))).ok, 'call while serving').toBe(true)
    await within(server.stop(), 2000, 'server.stop()')
    const r = await outcome(within(request(client, subject, {}, 1000), 2000, 'call after stop()'))
    expect(r, 'call after the only responder stopped').toMatchObject({ ok: false, code: 'NO_RESPONDERS' })
  })
})
