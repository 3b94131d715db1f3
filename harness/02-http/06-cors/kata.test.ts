import type { IncomingMessage, ServerResponse } from 'node:http'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { withCors } from '@kata/http/cors'

const APP = 'https://app.example.com'
const ADMIN = 'https://admin.example.com:8443'

/** The API behind CORS: counts its calls, answers JSON with an X-Total-Count header. */
function api() {
  const calls: string[] = []
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    calls.push(`${req.method} ${req.url}`)
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Total-Count': '3' })
    res.end(JSON.stringify({ items: [1, 2, 3] }))
  }
  return { calls, handler }
}

const strict = {
  origins: [APP, ADMIN],
  methods: ['GET', 'POST', 'PUT', 'DELETE'],
  allowHeaders: ['Content-Type', 'Authorization', 'X-Request-Id'],
  exposeHeaders: ['X-Total-Count', 'X-Request-Id'],
  credentials: true,
  maxAgeSec: 600,
}

const list = (v: unknown) =>
  String(v ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .sort()

describe('actual (non-preflight) requests', () => {
  it('lets an allowed origin read the answer: its origin echoed, credentials, exposed headers, Vary: Origin', async () => {
    const { handler } = api()
    const res = await request(withCors(handler, strict)).get('/items').set('Origin', APP)
    expect(res.status, `GET /items from ${APP}`).toBe(200)
    expect(res.body, `GET /items from ${APP}: the handler's body`).toEqual({ items: [1, 2, 3] })
    expect(res.headers['access-control-allow-origin'], 'Access-Control-Allow-Origin').toBe(APP)
    expect(res.headers['access-control-allow-credentials'], 'Access-Control-Allow-Credentials').toBe('true')
    expect(list(res.headers['access-control-expose-headers']), 'Access-Control-Expose-Headers').toEqual(['x-request-id', 'x-total-count'])
    expect(list(res.headers.vary), 'Vary (caches must key the answer by Origin)').toContain('origin')
  })

  it('matches origins exactly: scheme, host and port', async () => {
    const { handler } = api()
    const app = withCors(handler, strict)
    expect((await request(app).get('/').set('Origin', ADMIN)).headers['access-control-allow-origin'], `Origin ${ADMIN}`).toBe(ADMIN)
    for (const origin of [
      'https://app.example.com.evil.io',
      'https://evil-app.example.com',
      'http://app.example.com',
      'https://app.example.com:444',
      'https://admin.example.com',
      'null',
    ]) {
      const res = await request(app).get('/items').set('Origin', origin)
      expect(res.headers['access-control-allow-origin'], `GET /items from Origin ${origin}: Access-Control-Allow-Origin`).toBeUndefined()
      expect(res.headers['access-control-allow-credentials'], `GET /items from Origin ${origin}: Access-Control-Allow-Credentials`).toBeUndefined()
    }
  })

  it('still runs the handler for a disallowed origin (the browser enforces CORS), adding Vary: Origin', async () => {
    const { calls, handler } = api()
    const res = await request(withCors(handler, strict)).post('/items').set('Origin', 'https://evil.io').send({})
    expect(calls, 'handler calls for POST /items from https://evil.io').toEqual(['POST /items'])
    expect(res.headers['access-control-allow-origin'], 'Access-Control-Allow-Origin for https://evil.io').toBeUndefined()
    expect(list(res.headers.vary), 'Vary for a disallowed origin').toContain('origin')
  })

  it('adds no CORS headers to a request without Origin (same-origin or server-to-server)', async () => {
    const { calls, handler } = api()
    const res = await request(withCors(handler, strict)).get('/items')
    expect(res.status, 'GET /items without Origin').toBe(200)
    expect(calls, 'handler calls').toEqual(['GET /items'])
    const cors = Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))
    expect(cors, 'Access-Control-* headers on a request without Origin').toEqual([])
  })

  it('adds no CORS headers to a request without Origin, even with origins ["*"]', async () => {
    const { calls, handler } = api()
    const res = await request(withCors(handler, { origins: ['*'] })).get('/items')
    expect(calls, 'handler calls').toEqual(['GET /items'])
    const cors = Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))
    expect(cors, 'Access-Control-* headers on a request without Origin, origins ["*"]').toEqual([])
  })

  it('answers "*" for origins ["*"] without credentials', async () => {
    const { handler } = api()
    const res = await request(withCors(handler, { origins: ['*'] })).get('/items').set('Origin', 'https://anyone.dev')
    expect(res.headers['access-control-allow-origin'], 'origins ["*"], no credentials: Access-Control-Allow-Origin').toBe('*')
    expect(res.headers['access-control-allow-credentials'], 'origins ["*"], no credentials: Access-Control-Allow-Credentials').toBeUndefined()
  })

  it('never answers "*" with credentials: it echoes the origin and varies on it', async () => {
    const { handler } = api()
    const res = await request(withCors(handler, { origins: ['*'], credentials: true })).get('/items').set('Origin', 'https://anyone.dev')
    expect(res.headers['access-control-allow-origin'], 'origins ["*"] + credentials: Access-Control-Allow-Origin').toBe('https://anyone.dev')
    expect(res.headers['access-control-allow-credentials'], 'Access-Control-Allow-Credentials').toBe('true')
    expect(list(res.headers.vary), 'Vary').toContain('origin')
  })
})

describe('preflight: OPTIONS + Origin + Access-Control-Request-Method', () => {
  const preflight = (app: ReturnType<typeof withCors>, origin: string, method: string, headers?: string) => {
    const r = request(app).options('/items/7').set('Origin', origin).set('Access-Control-Request-Method', method)
    return headers === undefined ? r : r.set('Access-Control-Request-Headers', headers)
  }

  it('answers an allowed preflight itself with 204 and the Allow-* headers; the handler does not run', async () => {
    const { calls, handler } = api()
    const res = await preflight(withCors(handler, strict), APP, 'PUT', 'content-type, x-request-id')
    const what = `OPTIONS /items/7 from ${APP} asking PUT with content-type, x-request-id`
    expect(res.status, what).toBe(204)
    expect(res.headers['access-control-allow-origin'], `${what}: Access-Control-Allow-Origin`).toBe(APP)
    expect(res.headers['access-control-allow-credentials'], `${what}: Access-Control-Allow-Credentials`).toBe('true')
    expect(list(res.headers['access-control-allow-methods']), `${what}: Access-Control-Allow-Methods`).toEqual(['delete', 'get', 'post', 'put'])
    expect(list(res.headers['access-control-allow-headers']), `${what}: Access-Control-Allow-Headers`).toEqual(expect.arrayContaining(['content-type', 'x-request-id']))
    expect(res.headers['access-control-max-age'], `${what}: Access-Control-Max-Age`).toBe('600')
    expect(list(res.headers.vary), `${what}: Vary`).toContain('origin')
    expect(calls, 'handler calls during a preflight').toEqual([])
  })

  it('compares requested headers case-insensitively and accepts a preflight without Access-Control-Request-Headers', async () => {
    const { handler } = api()
    const app = withCors(handler, strict)
    expect((await preflight(app, APP, 'POST', 'AUTHORIZATION,Content-Type')).status, 'preflight asking AUTHORIZATION,Content-Type').toBe(204)
    expect((await preflight(app, ADMIN, 'DELETE')).status, `preflight from ${ADMIN} asking DELETE, no headers`).toBe(204)
  })

  it.each([
    ['a disallowed origin', 'https://evil.io', 'GET', undefined],
    ['a look-alike origin', 'https://app.example.com.evil.io', 'GET', undefined],
    ['a method outside the list', APP, 'PATCH', undefined],
    ['a header outside the list', APP, 'POST', 'content-type, x-api-key'],
  ])('rejects %s with 403, without Access-Control-Allow-Origin, without running the handler', async (_, origin, method, headers) => {
    const { calls, handler } = api()
    const res = await preflight(withCors(handler, strict), origin, method, headers)
    const what = `preflight from ${origin} asking ${method}${headers ? ` with ${headers}` : ''}`
    expect(res.status, what).toBe(403)
    expect(res.headers['access-control-allow-origin'], `${what}: Access-Control-Allow-Origin`).toBeUndefined()
    expect(calls, `${what}: handler calls`).toEqual([])
  })

  it('uses the defaults: methods GET, HEAD, POST; no extra headers; no credentials; no Max-Age', async () => {
    const { handler } = api()
    const app = withCors(handler, { origins: [APP] })
    const res = await preflight(app, APP, 'POST')
    expect(res.status, 'preflight asking POST with default options').toBe(204)
    expect(list(res.headers['access-control-allow-methods']), 'default Access-Control-Allow-Methods').toEqual(['get', 'head', 'post'])
    expect(res.headers['access-control-allow-credentials'], 'default: no Access-Control-Allow-Credentials').toBeUndefined()
    expect(res.headers['access-control-max-age'], 'default: no Access-Control-Max-Age').toBeUndefined()
    expect((await preflight(app, APP, 'DELETE')).status, 'preflight asking DELETE with default methods').toBe(403)
    expect((await preflight(app, APP, 'GET', 'authorization')).status, 'preflight asking the authorization header with default options').toBe(403)
  })

  it('passes a plain OPTIONS (no Access-Control-Request-Method) to the handler', async () => {
    const { calls, handler } = api()
    const res = await request(withCors(handler, strict)).options('/items').set('Origin', APP)
    expect(calls, 'handler calls for OPTIONS /items without Access-Control-Request-Method').toEqual(['OPTIONS /items'])
    expect(res.status, 'OPTIONS /items (not a preflight): the handler answers').toBe(200)
  })
})
