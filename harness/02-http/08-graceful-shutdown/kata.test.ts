import { Agent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { RawConnection, sleep } from '#support/http'
import { startServer } from '@kata/http/graceful-shutdown'

interface Reply {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/** The app being shut down: /fast, /slow?ms=N (records when it finished) and /hang (never answers). */
function testApp() {
  const calls: string[] = []
  const finishedAt: number[] = []
  let notify: () => void = () => undefined
  const slowStarted = () => new Promise<void>((resolve) => (notify = resolve))
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    calls.push(req.url ?? '')
    const url = new URL(req.url ?? '/', 'http://x')
    if (url.pathname === '/slow') {
      notify()
      setTimeout(() => {
        finishedAt.push(performance.now())
        res.end('slow done')
      }, Number(url.searchParams.get('ms') ?? 300))
    } else if (url.pathname === '/hang') {
      notify()
    } else {
      res.end('fast')
    }
  }
  return { calls, finishedAt, slowStarted, handler }
}

const agents: Agent[] = []
const raws: RawConnection[] = []
afterEach(() => {
  for (const a of agents.splice(0)) a.destroy()
  for (const r of raws.splice(0)) r.close()
})
const keepAliveAgent = () => {
  const a = new Agent({ keepAlive: true, maxSockets: 10 })
  agents.push(a)
  return a
}

function get(port: number, path: string, agent: Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      res.on('error', reject)
      res.on('aborted', () => reject(new Error('response aborted')))
    })
    req.on('error', reject)
    req.end()
  })
}

/** Resolves to the error code when the request fails, or "answered <status>" when it does not. */
const outcome = (p: Promise<Reply>) =>
  p.then(
    (r) => `answered ${r.status}`,
    (e: NodeJS.ErrnoException) => e.code ?? e.message,
  )

describe('startServer(handler, { port })', () => {
  it('listens on the port it reports (port 0 → a free port) and serves the handler', async () => {
    const app = testApp()
    const server = await startServer(app.handler, { port: 0 })
    try {
      expect(server.port, 'startServer(handler, { port: 0 }).port').toBeGreaterThan(0)
      const res = await get(server.port, '/fast')
      expect([res.status, res.body], 'GET /fast').toEqual([200, 'fast'])
    } finally {
      await server.shutdown(1000)
    }
  })
})

describe('shutdown(deadlineMs)', () => {
  it('lets in-flight requests finish and resolves only after them, with { forced: false }', async () => {
    const app = testApp()
    const server = await startServer(app.handler, { port: 0 })
    const started = app.slowStarted()
    const replies = [get(server.port, '/slow?ms=400'), get(server.port, '/slow?ms=300'), get(server.port, '/slow?ms=350')]
    await started
    await sleep(30)
    const result = await server.shutdown(5000)
    const resolvedAt = performance.now()
    const done = await Promise.allSettled(replies)
    for (const [i, r] of done.entries()) {
      expect(r.status === 'fulfilled' ? [r.value.status, r.value.body] : String(r.reason), `in-flight slow request #${i + 1} during shutdown`).toEqual([200, 'slow done'])
    }
    expect(result, 'shutdown(5000) with three slow requests in flight').toEqual({ forced: false })
    expect(app.finishedAt, 'slow handlers that finished').toHaveLength(3)
    expect(resolvedAt, 'shutdown resolved before the last in-flight request finished').toBeGreaterThanOrEqual(Math.max(...app.finishedAt))
  })

  it('tells the client of an in-flight request not to reuse the connection (Connection: close)', async () => {
    const app = testApp()
    const server = await startServer(app.handler, { port: 0 })
    const agent = keepAliveAgent()
    const started = app.slowStarted()
    const reply = get(server.port, '/slow?ms=300', agent)
    await started
    const closing = server.shutdown(2000)
    const res = await reply
    expect(res.status, 'the in-flight GET /slow').toBe(200)
    expect(res.headers.connection, 'the in-flight response during shutdown: Connection header').toBe('close')
    await closing
  })

  it('refuses new connections once shutdown has begun', async () => {
    const app = testApp()
    const server = await startServer(app.handler, { port: 0 })
    const started = app.slowStarted()
    const slow = get(server.port, '/slow?ms=500')
    await started
    const closing = server.shutdown(3000)
    await sleep(50)
    const during = await outcome(get(server.port, '/fast?during'))
    expect(during, 'a new connection while the slow request is still draining').toMatch(/^(ECONNREFUSED|ECONNRESET|answered 503)$/)
    await slow
    await closing
    expect(await outcome(get(server.port, '/fast?after')), 'a new connection after shutdown resolved').toBe('ECONNREFUSED')
    expect(app.calls.filter((c) => c.startsWith('/fast')), 'handler calls for requests made after shutdown began').toEqual([])
  })

  it('does not hand a request that arrives after shutdown began on a busy open connection to the handler', async () => {
    const app = testApp()
    const server = await startServer(app.handler, { port: 0 })
    const conn = await RawConnection.open(server.port)
    raws.push(conn)
    const started = app.slowStarted()
    await conn.write('GET /slow?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n')
    await started
    const closing = server.shutdown(2000)
    await sleep(30)
    await conn.write('GET /fast?late HTTP/1.1\r\nHost: x\r\n\r\n')
    const first = await conn.response(3000)
    expect(first?.status, 'the in-flight GET /slow on the raw connection').toBe(200)
    expect(first?.body, 'the in-flight GET /slow: body').toBe('slow done')
    await conn.waitClosed(1500)
    expect(app.calls, 'handler calls (GET /fast?late came after shutdown began)').toEqual(['/slow?ms=300'])
    const statuses = [...conn.received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]))
    expect(statuses.slice(1), 'answers to the late request on that connection: none, or 503').toEqual(statuses.length > 1 ? [503] : [])
    if (statuses.length > 1) {
      const refusal = conn.received.slice(conn.received.lastIndexOf('HTTP/1.1 503'))
      expect(refusal, 'the 503 to the late request must say Connection: close (the connection is going away)').toMatch(/\r\nconnection: close\r\n/i)
    }
    expect(
      await closing,
      'shutdown(2000) after the in-flight request finished and the late one was refused: the connection must be closed then, not left open until the deadline',
    ).toEqual({ forced: false })
  })

  it('closes a connection once its response is done even when the headers were out before shutdown began', async () => {
    // The response headers leave before shutdown starts, so Connection: close can no longer be
    // added: the server itself must close the connection after the last byte.
    let finish!: () => void
    const streaming = (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.write('part 1, ')
      finish = () => res.end('part 2')
    }
    const server = await startServer(streaming, { port: 0 })
    const agent = keepAliveAgent()
    let sent!: () => void
    const headersOut = new Promise<void>((resolve) => (sent = resolve))
    const reply = new Promise<Reply>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path: '/stream', agent }, (res) => {
        sent()
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (body += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
      })
      req.on('error', reject)
      req.end()
    })
    await headersOut
    const closing = server.shutdown(4000)
    await sleep(30)
    finish()
    expect((await reply).body, 'the streamed response').toBe('part 1, part 2')
    const t0 = performance.now()
    const result = await Promise.race([closing, sleep(2500).then(() => 'still waiting 2.5 s after the last response')])
    expect(
      result,
      'shutdown(4000) once the only in-flight (keep-alive, headers already sent) response is done: close that connection after its last response instead of leaving it idle',
    ).toEqual({ forced: false })
    expect(performance.now() - t0, 'ms from the last response to shutdown resolving').toBeLessThan(2500)
  })

  it('does not wait for idle keep-alive connections or connections that never sent a request', async () => {
    const app = testApp()
    const server = await startServer(app.handler, { port: 0 })
    const agent = keepAliveAgent()
    await get(server.port, '/fast', agent)
    await get(server.port, '/fast', agent)
    const silent = await RawConnection.open(server.port)
    raws.push(silent)
    const t0 = performance.now()
    const result = await Promise.race([server.shutdown(10_000), sleep(2000).then(() => 'still waiting after 2 s')])
    expect(result, 'shutdown(10000) with an idle keep-alive connection and a silent open connection').toEqual({ forced: false })
    expect(performance.now() - t0, 'ms until shutdown resolved').toBeLessThan(2000)
    expect(await silent.waitClosed(1000), 'the silent connection was closed by the server').toBe(true)
  })

  it('bounds the wait: at the deadline it cuts the remaining connections and resolves { forced: true }', async () => {
    const app = testApp()
    const server = await startServer(app.handler, { port: 0 })
    const started = app.slowStarted()
    const hanging = outcome(get(server.port, '/hang'))
    await started
    const t0 = performance.now()
    const result = await Promise.race([server.shutdown(300), sleep(3000).then(() => 'still waiting after 3 s')])
    const took = performance.now() - t0
    expect(result, 'shutdown(300) while a request hangs forever').toEqual({ forced: true })
    expect(took, 'ms until shutdown(300) resolved').toBeGreaterThanOrEqual(250)
    expect(took, 'ms until shutdown(300) resolved').toBeLessThan(2500)
    expect(
      await Promise.race([hanging, sleep(2000).then(() => 'still open 2 s after the deadline')]),
      'the hanging request after the deadline: its connection must be destroyed',
    ).toMatch(/^(ECONNRESET|response aborted|socket hang up)$/)
    expect(await outcome(get(server.port, '/fast')), 'a new connection after a forced shutdown').toBe('ECONNREFUSED')
    expect(await server.shutdown(300), 'shutdown(300) called again after a forced shutdown: the same result').toEqual({ forced: true })
  })

  it('can be called twice: both calls resolve with the same result', async () => {
    const app = testApp()
    const server = await startServer(app.handler, { port: 0 })
    const started = app.slowStarted()
    const slow = get(server.port, '/slow?ms=200')
    await started
    const both = [server.shutdown(5000), server.shutdown(5000)].map((p) => p.then((r: { forced: boolean }) => ({ r, afterSlow: app.finishedAt.length === 1 })))
    const [a, b] = await Promise.all(both)
    expect([a!.r, b!.r], 'two concurrent shutdown(5000) calls').toEqual([{ forced: false }, { forced: false }])
    expect([a!.afterSlow, b!.afterSlow], 'did each shutdown call resolve after the in-flight request was answered?').toEqual([true, true])
    expect((await slow).status, 'the in-flight request').toBe(200)
    expect(await server.shutdown(5000), 'a third call after it finished').toEqual({ forced: false })
  })
})
