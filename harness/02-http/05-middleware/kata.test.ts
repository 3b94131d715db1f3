import type { IncomingMessage, ServerResponse } from 'node:http'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { listen, parseResponse, RawConnection, sleep } from '#support/http'
import { accessLog, chain, getRequestId, recovery, requestId, timing } from '@kata/http/middleware'

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>
type Middleware = (next: Handler) => Handler

const ok = (body: unknown, status = 200): Handler => (_req, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}

describe('chain(handler, ...middlewares)', () => {
  it('runs middlewares in order, the first one outermost, and unwinds in reverse', async () => {
    const trace: string[] = []
    const mw = (name: string): Middleware => (next) => async (req, res) => {
      trace.push(`${name}>`)
      await next(req, res)
      trace.push(`<${name}`)
    }
    const handler: Handler = (_req, res) => {
      trace.push('handler')
      res.end('done')
    }
    await request(chain(handler, mw('a'), mw('b'), mw('c'))).get('/')
    expect(trace, 'trace of chain(handler, a, b, c)').toEqual(['a>', 'b>', 'c>', 'handler', '<c', '<b', '<a'])
  })

  it('lets a middleware answer by itself without calling next', async () => {
    let reached = false
    const deny: Middleware = () => (_req, res) => {
      res.statusCode = 401
      res.end('no')
    }
    const res = await request(chain(() => void (reached = true), deny)).get('/')
    expect(res.status, 'chain(handler, deny): status').toBe(401)
    expect(reached, 'chain(handler, deny): did the handler run?').toBe(false)
  })

  it('with no middleware is just the handler', async () => {
    const res = await request(chain(ok({ hello: 'world' }))).get('/')
    expect(res.body, 'chain(handler) with no middleware').toEqual({ hello: 'world' })
  })
})

describe('requestId()', () => {
  const echoId: Handler = (req, res) => ok({ id: getRequestId(req) ?? null })(req, res)

  it('generates an id, sends it as X-Request-Id and exposes it through getRequestId(req)', async () => {
    const res = await request(chain(echoId, requestId())).get('/')
    const id = res.headers['x-request-id']
    expect(id, 'X-Request-Id of a request that had none').toMatch(/^[A-Za-z0-9._-]{8,64}$/)
    expect(res.body.id, 'getRequestId(req) inside the handler').toBe(id)
  })

  it('generates a different id for each of 50 requests', async () => {
    const app = chain(echoId, requestId())
    const ids = await Promise.all(Array.from({ length: 50 }, async () => (await request(app).get('/')).headers['x-request-id']))
    expect(new Set(ids).size, '50 requests without X-Request-Id: distinct ids').toBe(50)
  })

  it('keeps a valid incoming X-Request-Id (so one id follows the call across services)', async () => {
    const res = await request(chain(echoId, requestId())).get('/').set('X-Request-Id', 'checkout-7f3a.2')
    expect(res.headers['x-request-id'], 'X-Request-Id: checkout-7f3a.2 → response header').toBe('checkout-7f3a.2')
    expect(res.body.id, 'X-Request-Id: checkout-7f3a.2 → getRequestId(req)').toBe('checkout-7f3a.2')
  })

  it.each([['has spaces in it'], ['x'.repeat(65)], ['<script>alert(1)</script>'], ['']])(
    'replaces an unsafe incoming id %j with a generated one',
    async (bad) => {
      const res = await request(chain(echoId, requestId())).get('/').set('X-Request-Id', bad)
      const id = res.headers['x-request-id']
      expect(id, `X-Request-Id: ${JSON.stringify(bad)} → response header`).not.toBe(bad)
      expect(id, `X-Request-Id: ${JSON.stringify(bad)} → response header`).toMatch(/^[A-Za-z0-9._-]{8,64}$/)
      expect(res.body.id, 'getRequestId(req)').toBe(id)
    },
  )

  it('keeps a valid incoming id of exactly 64 characters', async () => {
    const long = 'a'.repeat(64)
    const res = await request(chain(echoId, requestId())).get('/').set('X-Request-Id', long)
    expect(res.headers['x-request-id'], 'X-Request-Id of 64 allowed characters (1..64 is allowed) → response header').toBe(long)
  })

  it('keeps each request\'s id with its own request when requests overlap', async () => {
    // Forced interleaving: /first waits inside its handler until /second has passed requestId().
    let firstEntered!: () => void
    const entered = new Promise<void>((resolve) => (firstEntered = resolve))
    let releaseFirst!: () => void
    const released = new Promise<void>((resolve) => (releaseFirst = resolve))
    const handler: Handler = async (req, res) => {
      if (req.url === '/first') {
        firstEntered()
        await released
      } else releaseFirst()
      ok({ id: getRequestId(req) ?? null })(req, res)
    }
    const app = chain(handler, requestId())
    const first = request(app).get('/first').set('X-Request-Id', 'first-id').then((r) => r)
    await entered
    const second = await request(app).get('/second').set('X-Request-Id', 'second-id')
    expect(second.body.id, 'getRequestId(req) of the second request').toBe('second-id')
    expect(
      (await first).body.id,
      'getRequestId(req) of the first request, read after a second request passed requestId(): the id must stay with its own request (a WeakMap keyed by req), not in one variable shared by all requests',
    ).toBe('first-id')
  })

  it('getRequestId(req) is undefined for a request that did not pass through requestId()', async () => {
    const res = await request(chain(echoId)).get('/')
    expect(res.body.id, 'getRequestId(req) without requestId() in the chain').toBe(null)
  })
})

describe('accessLog(log)', () => {
  it('logs one entry per request: method, path without the query, status, duration, request id', async () => {
    const entries: unknown[] = []
    const app = chain(ok({ ok: true }, 202), requestId(), accessLog((e: unknown) => entries.push(e)))
    const res = await request(app).post('/orders/42?expand=items').send({})
    await sleep(20)
    expect(entries, 'log entries after one POST /orders/42?expand=items').toHaveLength(1)
    expect(entries[0], 'the log entry').toEqual({
      method: 'POST',
      path: '/orders/42',
      status: 202,
      durationMs: expect.any(Number),
      requestId: res.headers['x-request-id'],
    })
  })

  it('logs after the response is finished, with the real status and duration', async () => {
    const entries: { status: number; durationMs: number }[] = []
    let seenDuringHandler = -1
    const slow: Handler = async (_req, res) => {
      await sleep(80)
      seenDuringHandler = entries.length
      res.writeHead(418, { 'Content-Type': 'text/plain' })
      res.end('teapot')
    }
    await request(chain(slow, accessLog((e: { status: number; durationMs: number }) => entries.push(e)))).get('/tea')
    await sleep(20)
    expect(seenDuringHandler, 'entries logged before the handler answered').toBe(0)
    expect(entries, 'log entries').toHaveLength(1)
    expect(entries[0]!.status, 'logged status of a handler that answered 418').toBe(418)
    expect(entries[0]!.durationMs, 'logged durationMs of a handler that took 80 ms').toBeGreaterThanOrEqual(70)
    expect(entries[0]!.durationMs, 'logged durationMs of a handler that took 80 ms').toBeLessThan(5000)
  })

  it('logs when the response finishes, also when the handler answers after next() has returned', async () => {
    const entries: { status: number; durationMs: number }[] = []
    // Returns at once and answers later from a timer: next() is long done when the response goes out.
    const late: Handler = (_req, res) => {
      setTimeout(() => {
        res.writeHead(202, { 'Content-Type': 'text/plain' })
        res.end('later')
      }, 60)
    }
    await request(chain(late, accessLog((e: { status: number; durationMs: number }) => entries.push(e)))).get('/late')
    await sleep(20)
    expect(
      entries.map((e) => e.status),
      'statuses logged for a handler that answers 202 from a timer after returning: log on the response\'s "finish", not when next() returns',
    ).toEqual([202])
    expect(entries[0]!.durationMs, 'durationMs of a response sent 60 ms later').toBeGreaterThanOrEqual(50)
  })

  it('logs requestId undefined when there is no requestId() in the chain', async () => {
    const entries: { requestId?: string }[] = []
    await request(chain(ok({}), accessLog((e: { requestId?: string }) => entries.push(e)))).get('/')
    await sleep(20)
    expect(entries, 'log entries').toHaveLength(1)
    expect(entries[0]!.requestId, 'requestId of the entry').toBeUndefined()
  })
})

describe('recovery(onError)', () => {
  /** A handler error that recovery() misses leaves the request unanswered: fail fast and say so. */
  const answered = <T>(req: PromiseLike<T>): Promise<T> =>
    Promise.race([
      Promise.resolve(req),
      sleep(3000).then(() => {
        throw new Error('no answer within 3 s to a request whose handler threw or rejected: recovery() must await next() inside try/catch and answer 500')
      }),
    ])
  const boom = new Error('db password=hunter2 at 10.0.0.7')

  it('turns a synchronous throw into a JSON 500 with the request id, without the message', async () => {
    const app = chain(() => {
      throw boom
    }, requestId(), recovery())
    const res = await answered(request(app).get('/'))
    expect(res.status, 'a handler that throws: status').toBe(500)
    expect(res.headers['content-type'], 'a handler that throws: Content-Type').toMatch(/^application\/json/)
    expect(res.body, 'a handler that throws: body').toEqual({ error: 'internal', requestId: res.headers['x-request-id'] })
    expect(res.text, 'the body must not reveal the error message').not.toContain('hunter2')
  })

  it('catches an async rejection too', async () => {
    const app = chain(async () => {
      await sleep(10)
      throw boom
    }, recovery())
    const res = await answered(request(app).get('/'))
    expect(res.status, 'an async handler that rejects: status').toBe(500)
    expect(res.body, 'an async handler that rejects, no requestId() in the chain: body').toEqual({ error: 'internal' })
  })

  it('catches a thrown non-Error value', async () => {
    const res = await answered(
      request(
        chain(() => {
          throw 'just a string'
        }, recovery()),
      ).get('/'),
    )
    expect(res.status, 'a handler that throws a string: status').toBe(500)
  })

  it('calls onError once with the error and the request', async () => {
    const calls: [unknown, IncomingMessage][] = []
    await request(
      chain(() => {
        throw boom
      }, recovery((err: unknown, req: IncomingMessage) => calls.push([err, req]))),
    ).get('/reports/7')
    expect(calls, 'onError calls').toHaveLength(1)
    expect(calls[0]![0], 'onError: the error').toBe(boom)
    expect(calls[0]![1].url, 'onError: the request (its url)').toBe('/reports/7')
  })

  it('does not touch a request that succeeds', async () => {
    const calls: unknown[] = []
    const res = await request(chain(ok({ fine: true }, 201), recovery((e: unknown) => calls.push(e)))).get('/')
    expect(res.status, 'a handler that succeeds, wrapped in recovery(): status').toBe(201)
    expect(res.body, 'a handler that succeeds: body').toEqual({ fine: true })
    expect(calls, 'onError calls for a request that succeeded').toHaveLength(0)
  })

  it('cuts the connection when the handler throws after the headers were sent', async () => {
    const app = chain(async (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.write('partial ')
      await sleep(10)
      throw boom
    }, recovery())
    const server = await listen(app)
    const conn = await RawConnection.open(server.port)
    try {
      await conn.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
      const closed = await conn.waitClosed(3000)
      expect(closed, 'the connection is closed after a handler threw mid-response').toBe(true)
      expect(parseResponse(conn.received), 'the client must not receive a complete (truncated but "successful") response').toBeUndefined()
    } finally {
      conn.close()
    }
  })

  it('lets accessLog outside it log the 500', async () => {
    const entries: { status: number }[] = []
    await request(
      chain(() => {
        throw boom
      }, accessLog((e: { status: number }) => entries.push(e)), recovery()),
    ).get('/')
    await sleep(20)
    expect(entries.map((e) => e.status), 'statuses logged by accessLog() placed outside recovery()').toEqual([500])
  })
})

describe('timing()', () => {
  const serverTiming = (res: request.Response, what: string) => {
    const header = String(res.headers['server-timing'] ?? '')
    const m = /^app;dur=(\d+(?:\.\d+)?)$/.exec(header)
    expect(m, `${what}: Server-Timing header (got ${JSON.stringify(header)})`).not.toBeNull()
    return Number(m![1])
  }

  it('adds Server-Timing: app;dur=<ms> measured up to the moment the headers are sent', async () => {
    const res = await request(
      chain(async (_req: IncomingMessage, res: ServerResponse) => {
        await sleep(60)
        res.writeHead(201, { 'Content-Type': 'text/plain' })
        res.end('made')
      }, timing()),
    ).get('/')
    expect(res.status, 'status').toBe(201)
    const dur = serverTiming(res, 'a handler that waits 60 ms then calls writeHead')
    expect(dur, 'dur of a handler that waited 60 ms').toBeGreaterThanOrEqual(50)
    expect(dur, 'dur of a handler that waited 60 ms').toBeLessThan(5000)
  })

  it('works when the handler never calls writeHead (res.end or res.write send the headers implicitly)', async () => {
    const viaEnd = await request(
      chain(async (_req: IncomingMessage, res: ServerResponse) => {
        await sleep(40)
        res.end('plain')
      }, timing()),
    ).get('/')
    expect(serverTiming(viaEnd, 'a handler that only calls res.end'), 'dur').toBeGreaterThanOrEqual(30)
    const viaWrite = await request(
      chain(async (_req: IncomingMessage, res: ServerResponse) => {
        await sleep(40)
        res.write('streamed ')
        res.end('body')
      }, timing()),
    ).get('/')
    expect(serverTiming(viaWrite, 'a handler that streams with res.write'), 'dur').toBeGreaterThanOrEqual(30)
    expect(viaWrite.text, 'the streamed body').toBe('streamed body')
  })

  it('composes with the others: one request through requestId, accessLog, recovery and timing', async () => {
    const entries: { status: number; requestId?: string }[] = []
    const res = await request(
      chain(ok({ all: 'good' }), requestId(), accessLog((e: { status: number; requestId?: string }) => entries.push(e)), recovery(), timing()),
    ).get('/all')
    await sleep(20)
    expect(res.body, 'body').toEqual({ all: 'good' })
    serverTiming(res, 'the full chain')
    expect(entries.map((e) => [e.status, e.requestId]), 'access log of the full chain').toEqual([[200, res.headers['x-request-id']]])
  })
})
