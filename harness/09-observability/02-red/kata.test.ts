import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'
import express, { type ErrorRequestHandler } from 'express'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseExposition, samplesOf, valueOf, type MetricFamily } from '#support/observability'
import { redMiddleware } from '@kata/observability/red'

const BUCKETS = ['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '+Inf']
const TEMPLATES = new Set(['/users/:id', '/users', '/slow', '/boom', '/boom-async', '/api/v1/orders/:orderId', 'unmatched'])

let registry: Registry
let server: Server
let base = ''

/** The service under observation: the suite's routes, the learner's middleware in front. */
function buildApp(reg: Registry) {
  const app = express()
  // Scrapes are answered before the middleware, so they are not counted themselves.
  app.get('/metrics', async (_req, res) => {
    res.type(reg.contentType).send(await reg.metrics())
  })
  app.use(redMiddleware(reg))
  app.get('/users/:id', (req, res) => {
    if (/^\d+$/.test(req.params.id)) res.json({ id: req.params.id })
    else res.status(404).json({ error: 'no such user' })
  })
  app.post('/users', express.json(), (_req, res) => {
    res.status(201).json({ id: '1' })
  })
  app.get('/slow', async (_req, res) => {
    await new Promise((resolve) => setTimeout(resolve, 120))
    res.send('ok')
  })
  app.get('/boom', () => {
    throw new Error('boom')
  })
  app.get('/boom-async', async () => {
    await Promise.resolve()
    throw new Error('boom')
  })
  const orders = express.Router()
  orders.get('/orders/:orderId', (req, res) => {
    res.json({ id: req.params.orderId })
  })
  app.use('/api/v1', orders)
  const onError: ErrorRequestHandler = (_err, _req, res, _next) => {
    res.status(500).json({ error: 'internal' })
  }
  app.use(onError)
  return app
}

beforeAll(async () => {
  registry = new Registry()
  const app = buildApp(registry)
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s))
  })
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve))
})

async function scrape(): Promise<Map<string, MetricFamily>> {
  const res = await fetch(`${base}/metrics`)
  expect(res.status, 'GET /metrics: status').toBe(200)
  return parseExposition(await res.text())
}

const counted = async (labels: Record<string, string>) => valueOf(await scrape(), 'http_requests_total', labels) ?? 0

async function hit(path: string, init?: RequestInit) {
  const res = await fetch(`${base}${path}`, init)
  await res.arrayBuffer()
  return res.status
}

describe('redMiddleware(registry): request rate by route template', () => {
  it('declares http_requests_total (counter) and http_request_duration_seconds (histogram) with HELP text', async () => {
    await hit('/users/1')
    const families = await scrape()
    expect(families.get('http_requests_total')?.type, '# TYPE http_requests_total').toBe('counter')
    expect(families.get('http_request_duration_seconds')?.type, '# TYPE http_request_duration_seconds').toBe('histogram')
    expect(families.get('http_requests_total')?.help.trim(), '# HELP http_requests_total').not.toBe('')
    expect(families.get('http_request_duration_seconds')?.help.trim(), '# HELP http_request_duration_seconds').not.toBe('')
  })

  it('counts GET /users/1 … /users/20 as one series route="/users/:id", never one per id', async () => {
    const before = await counted({ method: 'GET', route: '/users/:id', status: '200' })
    for (let i = 1; i <= 20; i++) expect(await hit(`/users/${i}`), `GET /users/${i}`).toBe(200)
    const families = await scrape()
    expect((valueOf(families, 'http_requests_total', { method: 'GET', route: '/users/:id', status: '200' }) ?? 0) - before, 'http_requests_total{method="GET",route="/users/:id",status="200"} grew by, after 20 requests').toBe(20)
    const raw = samplesOf(families, 'http_requests_total').filter((s) => /\/users\/\d/.test(s.labels.route ?? ''))
    expect(raw.map((s) => s.labels.route), 'route label values that contain a raw user id').toEqual([])
  })

  it('leaves the query string out of the route: GET /users/5?expand=orders is route="/users/:id"', async () => {
    const before = await counted({ method: 'GET', route: '/users/:id', status: '200' })
    await hit('/users/5?expand=orders')
    expect((await counted({ method: 'GET', route: '/users/:id', status: '200' })) - before, 'http_requests_total{route="/users/:id",status="200"} grew by, after GET /users/5?expand=orders').toBe(1)
  })

  it('labels the exact status code and method: 404 from a handler, 201 from POST', async () => {
    const notFound = await counted({ method: 'GET', route: '/users/:id', status: '404' })
    const created = await counted({ method: 'POST', route: '/users', status: '201' })
    expect(await hit('/users/nobody'), 'GET /users/nobody').toBe(404)
    expect(await hit('/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Ada"}' }), 'POST /users').toBe(201)
    expect((await counted({ method: 'GET', route: '/users/:id', status: '404' })) - notFound, 'http_requests_total{method="GET",route="/users/:id",status="404"} grew by, after GET /users/nobody').toBe(1)
    expect((await counted({ method: 'POST', route: '/users', status: '201' })) - created, 'http_requests_total{method="POST",route="/users",status="201"} grew by, after POST /users').toBe(1)
  })

  it('uses the full template of a route in a mounted router: /api/v1/orders/:orderId', async () => {
    const before = await counted({ method: 'GET', route: '/api/v1/orders/:orderId', status: '200' })
    await hit('/api/v1/orders/77')
    await hit('/api/v1/orders/78')
    expect((await counted({ method: 'GET', route: '/api/v1/orders/:orderId', status: '200' })) - before, 'http_requests_total{route="/api/v1/orders/:orderId"} grew by, after GET /api/v1/orders/77 and /78').toBe(2)
  })
})

describe('redMiddleware(registry): errors', () => {
  it('counts a handler that throws, and one whose promise rejects, as status="500" of its route', async () => {
    const sync = await counted({ method: 'GET', route: '/boom', status: '500' })
    const async_ = await counted({ method: 'GET', route: '/boom-async', status: '500' })
    expect(await hit('/boom'), 'GET /boom').toBe(500)
    expect(await hit('/boom-async'), 'GET /boom-async').toBe(500)
    expect((await counted({ method: 'GET', route: '/boom', status: '500' })) - sync, 'http_requests_total{route="/boom",status="500"} grew by, after one GET /boom').toBe(1)
    expect((await counted({ method: 'GET', route: '/boom-async', status: '500' })) - async_, 'http_requests_total{route="/boom-async",status="500"} grew by, after one GET /boom-async').toBe(1)
  })

  it('puts every unmatched path under one route="unmatched" series (a scanner cannot blow up the label)', async () => {
    const before = await counted({ method: 'GET', route: 'unmatched', status: '404' })
    for (let i = 0; i < 30; i++) await hit(`/wp-admin/${crypto.randomUUID()}.php`)
    const families = await scrape()
    expect((valueOf(families, 'http_requests_total', { method: 'GET', route: 'unmatched', status: '404' }) ?? 0) - before, 'http_requests_total{method="GET",route="unmatched",status="404"} grew by, after 30 requests to random paths').toBe(30)
    const leaked = samplesOf(families, 'http_requests_total').filter((s) => (s.labels.route ?? '').includes('wp-admin'))
    expect(leaked.map((s) => s.labels.route), 'route label values that contain a requested path').toEqual([])
  })

  it('maps a method outside the standard set to method="OTHER"', async () => {
    const before = await counted({ method: 'OTHER', route: 'unmatched', status: '404' })
    expect(await hit('/users/1', { method: 'PROPFIND' }), 'PROPFIND /users/1').toBe(404)
    expect((await counted({ method: 'OTHER', route: 'unmatched', status: '404' })) - before, 'http_requests_total{method="OTHER",route="unmatched",status="404"} grew by, after PROPFIND /users/1').toBe(1)
  })
})

describe('redMiddleware(registry): duration', () => {
  it('uses exactly the buckets 0.005 … 5 and the same labels as the counter', async () => {
    await hit('/users/3')
    const families = await scrape()
    const buckets = samplesOf(families, 'http_request_duration_seconds_bucket', { method: 'GET', route: '/users/:id', status: '200' })
    expect(buckets.map((s) => s.labels.le), 'le values of http_request_duration_seconds_bucket{method="GET",route="/users/:id",status="200"}').toEqual(BUCKETS)
  })

  it('records a 120 ms request above the 0.1 s bucket, in seconds', async () => {
    const families0 = await scrape()
    const labels = { method: 'GET', route: '/slow', status: '200' }
    const count0 = valueOf(families0, 'http_request_duration_seconds_count', labels) ?? 0
    const sum0 = valueOf(families0, 'http_request_duration_seconds_sum', labels) ?? 0
    const le01 = valueOf(families0, 'http_request_duration_seconds_bucket', { ...labels, le: '0.1' }) ?? 0
    await hit('/slow')
    const families = await scrape()
    expect((valueOf(families, 'http_request_duration_seconds_count', labels) ?? 0) - count0, 'http_request_duration_seconds_count{route="/slow"} grew by, after one GET /slow').toBe(1)
    expect((valueOf(families, 'http_request_duration_seconds_bucket', { ...labels, le: '0.1' }) ?? 0) - le01, 'bucket le="0.1" of route="/slow" grew by, after a request that sleeps 120 ms').toBe(0)
    const added = (valueOf(families, 'http_request_duration_seconds_sum', labels) ?? 0) - sum0
    expect(added, 'http_request_duration_seconds_sum{route="/slow"} grew by (seconds), after a 120 ms request').toBeGreaterThanOrEqual(0.115)
    expect(added, 'http_request_duration_seconds_sum{route="/slow"} grew by (seconds, not milliseconds)').toBeLessThan(30)
  })

  it('times failed requests too: every counted request has one histogram observation', async () => {
    await hit('/boom')
    await hit('/nowhere')
    const families = await scrape()
    for (const s of samplesOf(families, 'http_requests_total')) {
      const { method = '', route = '', status = '' } = s.labels
      expect(valueOf(families, 'http_request_duration_seconds_count', { method, route, status }), `http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"} vs http_requests_total of the same labels`).toBe(s.value)
    }
  })
})

describe('redMiddleware(registry): bounded cardinality', () => {
  it('after all that traffic, every series is {method, route, status} with route a template, and there are few of them', async () => {
    const families = await scrape()
    const series = samplesOf(families, 'http_requests_total')
    for (const s of series) {
      expect(Object.keys(s.labels).sort(), `label names of ${JSON.stringify(s.labels)}`).toEqual(['method', 'route', 'status'])
      expect(TEMPLATES.has(s.labels.route ?? ''), `route="${s.labels.route}" is one of the app's route templates or "unmatched"`).toBe(true)
    }
    expect(series.length, 'number of http_requests_total series after ~70 requests to ~60 distinct URLs').toBeLessThanOrEqual(12)
  })

  it('registers in the registry it is given, so two apps keep separate counts', async () => {
    const other = new Registry()
    const app = buildApp(other)
    const s = await new Promise<Server>((resolve) => {
      const srv = app.listen(0, '127.0.0.1', () => resolve(srv))
    })
    try {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`
      await (await fetch(`${url}/users/9`)).arrayBuffer()
      const text = await other.metrics()
      expect(valueOf(parseExposition(text), 'http_requests_total', { method: 'GET', route: '/users/:id', status: '200' }), 'second app\'s http_requests_total{route="/users/:id",status="200"} after its only request').toBe(1)
    } finally {
      await new Promise((resolve) => s.close(resolve))
    }
  })
})
