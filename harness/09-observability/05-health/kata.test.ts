import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTcpProxy, type TcpProxy } from '#support/observability'
import { usePostgres } from '#support/postgres'
import { createHealth } from '@kata/observability/health'

interface HealthApp {
  app: { listen(port: number, host: string, cb: () => void): Server }
  drain(): void
}

const pgFixture = usePostgres()
// Wide enough for a connection handshake on a busy machine.
const TIMEOUT_MS = 2_000
/** Longer than any sane readiness timeout: only the learner's own timeout ends a hang early. */
const POOL_CONNECT_TIMEOUT_MS = 20_000

interface Rig {
  proxy: TcpProxy
  pool: pg.Pool
  health: HealthApp
  server: Server
  base: string
}
const rigs: Rig[] = []

/** The app under test, talking to PostgreSQL through a proxy the suite controls. */
async function rig(): Promise<Rig> {
  const real = new URL(pgFixture.url)
  const proxy = await startTcpProxy(real.hostname, Number(real.port || 5432))
  const viaProxy = new URL(pgFixture.url)
  viaProxy.hostname = '127.0.0.1'
  viaProxy.port = String(proxy.port)
  const pool = pgFixture.newPool({ connectionString: viaProxy.toString(), max: 4, connectionTimeoutMillis: POOL_CONNECT_TIMEOUT_MS })
  const health: HealthApp = createHealth({ pool, timeoutMs: TIMEOUT_MS })
  const server = await new Promise<Server>((resolve) => {
    const s = health.app.listen(0, '127.0.0.1', () => resolve(s))
  })
  const r = { proxy, pool, health, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  rigs.push(r)
  return r
}

afterAll(async () => {
  for (const r of rigs) {
    r.server.closeAllConnections()
    await new Promise((resolve) => r.server.close(resolve))
    await r.proxy.up() // let pending connects fail fast before the fixture ends the pool
    await r.proxy.close()
  }
})

/** One probe; `status` is a sentence instead of a code when the app did not answer in time. */
async function probe(r: Rig, path: '/livez' | '/readyz', limitMs = TIMEOUT_MS + 6_000): Promise<{ status: number | string; body: unknown; ms: number; cacheControl: string | null }> {
  const t0 = performance.now()
  let res: Response
  try {
    res = await fetch(`${r.base}${path}`, { signal: AbortSignal.timeout(limitMs) })
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return { status: `no answer within ${limitMs} ms`, body: undefined, ms: performance.now() - t0, cacheControl: null }
    throw err
  }
  const body = (await res.json().catch(() => 'not JSON')) as unknown
  return { status: res.status, body, ms: performance.now() - t0, cacheControl: res.headers.get('cache-control') }
}

async function readyAgain(r: Rig, withinMs = 10_000) {
  const until = performance.now() + withinMs
  let last = await probe(r, '/readyz')
  while (last.status !== 200 && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    last = await probe(r, '/readyz')
  }
  return last
}

describe('createHealth({ pool, timeoutMs }) with PostgreSQL up', () => {
  let r: Rig
  beforeAll(async () => {
    r = await rig()
  })

  it('GET /livez answers 200 {"status":"ok"}', async () => {
    const res = await probe(r, '/livez')
    expect({ status: res.status, body: res.body }, 'GET /livez').toEqual({ status: 200, body: { status: 'ok' } })
  })

  it('GET /readyz answers 200 with the postgres check ok', async () => {
    const res = await probe(r, '/readyz')
    expect({ status: res.status, body: res.body }, 'GET /readyz with PostgreSQL reachable').toEqual({ status: 200, body: { status: 'ok', checks: { postgres: 'ok' } } })
  })

  it('asks proxies and probes not to cache either answer (Cache-Control: no-store)', async () => {
    expect((await probe(r, '/livez')).cacheControl, 'GET /livez: Cache-Control').toBe('no-store')
    expect((await probe(r, '/readyz')).cacheControl, 'GET /readyz: Cache-Control').toBe('no-store')
  })

  it('really asks PostgreSQL on each /readyz (no connection, no readiness)', async () => {
    const fresh = await rig()
    const before = fresh.proxy.accepted
    expect((await probe(fresh, '/readyz')).status, 'GET /readyz on a fresh pool').toBe(200)
    expect(fresh.proxy.accepted - before, 'connections opened to PostgreSQL by the first /readyz').toBeGreaterThan(0)
  })
})

describe('createHealth: PostgreSQL taken away and given back', () => {
  let r: Rig
  beforeAll(async () => {
    r = await rig()
  })

  it('turns /readyz to 503 with postgres "fail" when the database port is closed, and keeps /livez at 200', async () => {
    expect((await probe(r, '/readyz')).status, 'GET /readyz before the outage').toBe(200)
    await r.proxy.down()
    const ready = await probe(r, '/readyz')
    expect({ status: ready.status, body: ready.body }, 'GET /readyz with PostgreSQL gone (connection refused)').toEqual({ status: 503, body: { status: 'fail', checks: { postgres: 'fail' } } })
    const live = await probe(r, '/livez')
    expect({ status: live.status, body: live.body }, 'GET /livez with PostgreSQL gone').toEqual({ status: 200, body: { status: 'ok' } })
  })

  it('turns /readyz back to 200 once the database returns', async () => {
    await r.proxy.up()
    const res = await readyAgain(r)
    expect({ status: res.status, body: res.body }, 'GET /readyz after PostgreSQL came back (polled for up to 10 s)').toEqual({ status: 200, body: { status: 'ok', checks: { postgres: 'ok' } } })
  })

  it('answers /readyz 503 within about timeoutMs when the database hangs instead of refusing', async () => {
    await r.proxy.hang()
    // Let the pool drop the clients whose sockets the proxy cut: the check must connect anew.
    await new Promise((resolve) => setTimeout(resolve, 100))
    // Generous on a busy machine, yet far below the pool's own give-up time.
    const res = await probe(r, '/readyz', TIMEOUT_MS + 8_000)
    expect(res.status, `GET /readyz while PostgreSQL accepts connections but never answers (timeoutMs ${TIMEOUT_MS}, pool connect timeout ${POOL_CONNECT_TIMEOUT_MS} ms): race the query against your own timer`).toBe(503)
    expect(res.body, 'body of that answer').toEqual({ status: 'fail', checks: { postgres: 'fail' } })
    expect(res.ms, `milliseconds /readyz took with timeoutMs ${TIMEOUT_MS} (the pool gives up only after ${POOL_CONNECT_TIMEOUT_MS} ms)`).toBeLessThan(TIMEOUT_MS + 7_000)
  })

  it('answers /livez at once while the database hangs: it never waits for a dependency', async () => {
    const ready = probe(r, '/readyz')
    await new Promise((resolve) => setTimeout(resolve, 30))
    const live = await probe(r, '/livez')
    const readyRes = await ready
    expect(live.status, 'GET /livez while PostgreSQL hangs').toBe(200)
    expect(live.ms, `GET /livez took (ms), vs a /readyz started before it that took ${Math.round(readyRes.ms)} ms`).toBeLessThan(readyRes.ms)
  })

  it('keeps answering while many probes time out, and recovers without leaked pool connections', async () => {
    const burst = await Promise.all(Array.from({ length: 10 }, () => probe(r, '/readyz')))
    expect(burst.map((b) => b.status), '10 parallel GET /readyz while PostgreSQL hangs (pool max 4)').toEqual(Array(10).fill(503))
    await r.proxy.up()
    expect((await readyAgain(r)).status, 'GET /readyz after PostgreSQL stopped hanging (polled for up to 10 s)').toBe(200)
    const after = []
    for (let i = 0; i < 8; i++) after.push((await probe(r, '/readyz')).status)
    expect(after, '8 more GET /readyz in a row with a pool of 4 (a leaked connection would exhaust it)').toEqual(Array(8).fill(200))
  })
})

describe('createHealth: a database that stops answering in the middle of a query', () => {
  it('times out checks whose connection went silent, and gives those connections back to the pool', async () => {
    const r = await rig()
    // Warm the pool: the checks below get connections that are already open.
    await Promise.all(Array.from({ length: 4 }, () => probe(r, '/readyz')))
    await r.proxy.stall()
    const stuck = await Promise.all(Array.from({ length: 6 }, () => probe(r, '/readyz', TIMEOUT_MS + 8_000)))
    expect(stuck.map((b) => b.status), '6 parallel GET /readyz while the open connections to PostgreSQL are silent (pool max 4)').toEqual(Array(6).fill(503))
    // Cutting the silent connections makes the abandoned queries fail: whoever holds them must release them.
    await r.proxy.up()
    expect((await readyAgain(r)).status, 'GET /readyz after PostgreSQL answers again (polled for up to 10 s): a check that took a client with pool.connect() must release it in finally, on the timeout and error paths too').toBe(200)
    const after = []
    for (let i = 0; i < 6; i++) after.push((await probe(r, '/readyz')).status)
    expect(after, '6 more GET /readyz in a row with a pool of 4 (a connection not released after a failed check exhausts it)').toEqual(Array(6).fill(200))
  })
})

describe('createHealth: draining on shutdown', () => {
  it('after drain(), /readyz answers 503 {"status":"draining"} even with PostgreSQL up, and /livez stays 200', async () => {
    const r = await rig()
    expect((await probe(r, '/readyz')).status, 'GET /readyz before drain()').toBe(200)
    r.health.drain()
    const ready = await probe(r, '/readyz')
    expect({ status: ready.status, body: ready.body }, 'GET /readyz after drain()').toEqual({ status: 503, body: { status: 'draining' } })
    const live = await probe(r, '/livez')
    expect({ status: live.status, body: live.body }, 'GET /livez after drain()').toEqual({ status: 200, body: { status: 'ok' } })
  })

  it('after drain(), /readyz does not ask PostgreSQL at all', async () => {
    const r = await rig()
    r.health.drain()
    const before = r.proxy.accepted
    expect((await probe(r, '/readyz')).status, 'GET /readyz after drain() on a fresh pool').toBe(503)
    expect(r.proxy.accepted - before, 'connections opened to PostgreSQL by /readyz after drain(): a draining replica answers at once, without the database check').toBe(0)
  })
})
