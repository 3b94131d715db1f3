import { setTimeout as sleep } from 'node:timers/promises'
import express, { type Request, type Response } from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { describeThrown } from '#support/arch'
import { createLogger, requestLogger } from '@kata/arch/logging'

type Fields = Record<string, unknown>
interface Logger {
  debug(m: string, f?: Fields): void
  info(m: string, f?: Fields): void
  warn(m: string, f?: Fields): void
  error(m: string, f?: Fields): void
  child(f: Fields): Logger
}
type Entry = Record<string, unknown>

const NOW = new Date('2025-02-03T04:05:06.789Z')

/** The suite's sink: keeps every write and parses each one as a JSON line. */
function memorySink() {
  const writes: string[] = []
  return {
    sink: { write: (line: string) => void writes.push(line) },
    writes,
    entries(): Entry[] {
      return writes.map((w, i) => {
        expect(typeof w, `write #${i + 1} to the sink should be a string`).toBe('string')
        expect(w.endsWith('\n') && !w.slice(0, -1).includes('\n'), `write #${i + 1} should be exactly one line ending in "\\n": ${JSON.stringify(w)}`).toBe(true)
        try {
          return JSON.parse(w) as Entry
        } catch {
          return expect.fail(`write #${i + 1} is not valid JSON: ${JSON.stringify(w)}`)
        }
      })
    },
  }
}

function logger(opts: Fields, what: string): Logger {
  try {
    return createLogger(opts) as Logger
  } catch (err) {
    return expect.fail(`${what}: should create a logger, but threw ${describeThrown(err)}`)
  }
}

describe('createLogger({ sink, level, fields, now }): JSON lines', () => {
  it('writes one JSON object per call with time, level, message and the fields', () => {
    const s = memorySink()
    const log = logger({ sink: s.sink, now: () => NOW }, 'createLogger({ sink, now })')
    log.info('user signed in', { userId: 42, plan: 'pro' })
    log.error('payment failed', { orderId: 'o-1' })
    expect(s.entries(), 'lines after info("user signed in", …) and error("payment failed", …)').toEqual([
      { time: '2025-02-03T04:05:06.789Z', level: 'info', message: 'user signed in', userId: 42, plan: 'pro' },
      { time: '2025-02-03T04:05:06.789Z', level: 'error', message: 'payment failed', orderId: 'o-1' },
    ])
  })

  it('keeps a message with quotes and newlines on one valid JSON line', () => {
    const s = memorySink()
    const log = logger({ sink: s.sink }, 'createLogger({ sink })')
    const message = 'line one\nline "two"\ttab \\ backslash'
    log.warn(message)
    expect(s.entries()[0]?.message, 'message read back from the line').toBe(message)
  })

  it('drops lines below the level (default info) and refuses an unknown level', () => {
    const cases: [string | undefined, string[]][] = [
      [undefined, ['info', 'warn', 'error']],
      ['debug', ['debug', 'info', 'warn', 'error']],
      ['warn', ['warn', 'error']],
      ['error', ['error']],
    ]
    for (const [level, expected] of cases) {
      const s = memorySink()
      const log = logger(level ? { sink: s.sink, level } : { sink: s.sink }, `createLogger({ level: ${level} })`)
      log.debug('d')
      log.info('i')
      log.warn('w')
      log.error('e')
      expect(s.entries().map((e) => e.level), `levels written with level ${level ?? '(default)'}`).toEqual(expected)
    }
    let err: unknown
    try {
      createLogger({ sink: memorySink().sink, level: 'verbose' as never })
    } catch (e) {
      err = e
    }
    expect(err, 'createLogger({ level: "verbose" }) should throw').toBeInstanceOf(Error)
  })

  it('child(fields) adds fields to every line; the parent is unchanged; later fields win, the reserved keys never change', () => {
    const s = memorySink()
    const root = logger({ sink: s.sink, fields: { service: 'api', region: 'eu' }, now: () => NOW }, 'createLogger({ fields })')
    const child = root.child({ requestId: 'r-1', region: 'us' })
    const grandchild = child.child({ userId: 7 })
    grandchild.info('deep', { userId: 8, level: 'hacked', message: 'hacked', time: 'hacked' })
    root.info('root')
    const [deep, top] = s.entries()
    expect(deep, 'line from root.child({ requestId, region: "us" }).child({ userId: 7 }).info("deep", { userId: 8, level/message/time: "hacked" })').toEqual({
      time: '2025-02-03T04:05:06.789Z',
      level: 'info',
      message: 'deep',
      service: 'api',
      region: 'us',
      requestId: 'r-1',
      userId: 8,
    })
    expect(top, 'line from the root logger after children were made').toEqual({ time: '2025-02-03T04:05:06.789Z', level: 'info', message: 'root', service: 'api', region: 'eu' })
  })

  it('serializes an Error field as { type, message, stack } (with its cause)', () => {
    const s = memorySink()
    const log = logger({ sink: s.sink }, 'createLogger({ sink })')
    const err = new TypeError('bad input', { cause: new RangeError('too big') })
    log.error('request failed', { err })
    const line = s.entries()[0] as { err?: { type?: string; message?: string; stack?: string; cause?: { type?: string; message?: string } } }
    expect([line.err?.type, line.err?.message], 'err.type and err.message in the line').toEqual(['TypeError', 'bad input'])
    expect(typeof line.err?.stack === 'string' && line.err.stack.includes('bad input'), 'err.stack in the line is the stack trace').toBe(true)
    expect([line.err?.cause?.type, line.err?.cause?.message], 'err.cause in the line').toEqual(['RangeError', 'too big'])
  })

  it('never throws on awkward fields: cycles become "[Circular]", BigInts become strings', () => {
    const s = memorySink()
    const log = logger({ sink: s.sink }, 'createLogger({ sink })')
    const loop: Record<string, unknown> = { name: 'loop' }
    loop.self = loop
    try {
      log.info('awkward', { loop, big: 12345678901234567890n })
    } catch (err) {
      expect.fail(`info("awkward", { loop (a cycle), big: 12345678901234567890n }) threw ${describeThrown(err)}`)
    }
    const line = s.entries()[0] as { loop?: Record<string, unknown>; big?: unknown }
    expect([line.loop?.name, line.loop?.self, line.big], 'loop.name, loop.self and big in the line').toEqual(['loop', '[Circular]', '12345678901234567890'])
  })
})

/**
 * An app with the learner's middleware and routes that use the request-scoped logger.
 * With `together`, /work/:n holds every request until that many have entered it, so all
 * their middleware calls have run before any of them logs: the interleaving is forced.
 */
function appWith(root: Logger, newId?: () => string, together = 0) {
  let entered = 0
  let releaseAll!: () => void
  const allIn = new Promise<void>((r) => (releaseAll = r))
  // A request lost on the way must not hang the suite: give up waiting after a while.
  if (together) setTimeout(releaseAll, 5000).unref()
  const app = express()
  app.use(requestLogger(root, newId ? { newId } : undefined))
  const logOf = (res: Response) => res.locals.log as Logger | undefined
  app.get('/work/:n', async (req: Request<{ n: string }>, res: Response) => {
    if (together && ++entered >= together) releaseAll()
    if (together) await allIn
    await sleep(Number(req.params.n) % 7) // interleave concurrent requests
    logOf(res)?.info('working', { echo: req.get('x-request-id') ?? null, n: Number(req.params.n) })
    res.json({ ok: true })
  })
  app.get('/missing', (_req, res) => void res.status(404).json({ error: 'nope' }))
  app.get('/broken', (_req, res) => void res.status(503).json({ error: 'down' }))
  return app
}

describe('requestLogger(logger, { newId }): a request-scoped logger', () => {
  it('puts a child logger with the request id in res.locals.log and echoes the id in x-request-id', async () => {
    const s = memorySink()
    const app = appWith(logger({ sink: s.sink }, 'createLogger'), () => 'generated-1')
    const res = await request(app).get('/work/1').set('x-request-id', 'abc-123')
    expect(res.headers['x-request-id'], 'x-request-id response header for a request sent with x-request-id: abc-123').toBe('abc-123')
    const working = s.entries().find((e) => e.message === 'working')
    expect(working, 'the "working" line logged through res.locals.log').toBeDefined()
    expect(working?.requestId, 'requestId on the "working" line').toBe('abc-123')
  })

  it('generates an id with newId() when the request has none or a bad one (spaces, too long)', async () => {
    let n = 0
    const s = memorySink()
    const app = appWith(logger({ sink: s.sink }, 'createLogger'), () => `gen-${++n}`)
    const none = await request(app).get('/work/0')
    const spaces = await request(app).get('/work/0').set('x-request-id', 'has spaces;drop')
    const long = await request(app).get('/work/0').set('x-request-id', 'x'.repeat(65))
    expect([none.headers['x-request-id'], spaces.headers['x-request-id'], long.headers['x-request-id']], 'x-request-id returned for: no header, "has spaces;drop", 65 characters').toEqual([
      'gen-1',
      'gen-2',
      'gen-3',
    ])
  })

  it('logs one "request completed" line per request with method, path, status and durationMs, at a level that fits the status', async () => {
    const s = memorySink()
    const app = appWith(logger({ sink: s.sink }, 'createLogger'), () => 'id-x')
    await request(app).get('/work/2?debug=1').set('x-request-id', 'ok-1')
    await request(app).get('/missing').set('x-request-id', 'miss-1')
    await request(app).get('/broken').set('x-request-id', 'down-1')
    const done = s.entries().filter((e) => e.message === 'request completed')
    expect(done.map((e) => [e.requestId, e.level, e.method, e.path, e.status]), '"request completed" lines: [requestId, level, method, path, status]').toEqual([
      ['ok-1', 'info', 'GET', '/work/2', 200],
      ['miss-1', 'warn', 'GET', '/missing', 404],
      ['down-1', 'error', 'GET', '/broken', 503],
    ])
    for (const e of done) {
      expect(typeof e.durationMs === 'number' && e.durationMs >= 0, `durationMs of the ${String(e.path)} line should be a number ≥ 0, got ${JSON.stringify(e.durationMs)}`).toBe(true)
    }
  })

  it('keeps ids apart under 40 concurrent requests: every line carries the id of its own request', async () => {
    const s = memorySink()
    const app = appWith(logger({ sink: s.sink }, 'createLogger'), undefined, 40)
    const ids = Array.from({ length: 40 }, (_, i) => `req-${i}`)
    await Promise.all(ids.map((id, i) => request(app).get(`/work/${i}`).set('x-request-id', id)))
    const working = s.entries().filter((e) => e.message === 'working')
    expect(working.length, '"working" lines after 40 requests').toBe(40)
    const wrong = working.filter((e) => e.requestId !== e.echo).map((e) => `request ${String(e.echo)} logged requestId ${String(e.requestId)}`)
    expect(wrong, 'lines whose requestId is not the id of the request that wrote them').toEqual([])
    const done = s.entries().filter((e) => e.message === 'request completed')
    expect(done.map((e) => e.requestId).sort(), 'requestIds of the "request completed" lines').toEqual([...ids].sort())
  })
})
