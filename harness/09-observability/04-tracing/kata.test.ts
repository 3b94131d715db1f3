import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { context, propagation, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Pool } from 'pg'
import { usePostgres } from '#support/postgres'
import { createApp } from '@kata/observability/tracing'

const pg = usePostgres()
const exporter = new InMemorySpanExporter()

/** Counts spans started and ended, to catch a span that is never ended. */
class OpenSpans implements SpanProcessor {
  open = new Set<string>()
  onStart(span: Span, _ctx: Context) {
    this.open.add(span.spanContext().spanId)
  }
  onEnd(span: ReadableSpan) {
    this.open.delete(span.spanContext().spanId)
  }
  forceFlush = async () => undefined
  shutdown = async () => undefined
}
const openSpans = new OpenSpans()
const provider = new BasicTracerProvider({ spanProcessors: [openSpans, new SimpleSpanProcessor(exporter)] })

/** Inventory service: answers stock per sku and remembers each request's traceparent. */
const seenTraceparent = new Map<string, string | undefined>()
const STOCK: Record<string, number> = { 'SKU-A': 10, 'SKU-B': 0, 'SKU-E': 4 }
const inventory = http.createServer((req, res) => {
  const sku = decodeURIComponent((req.url ?? '').replace(/^\/stock\//, ''))
  seenTraceparent.set(sku, req.headers.traceparent as string | undefined)
  // A network error rather than an answer: the connection is cut before any response.
  if (sku === 'SKU-RESET') return void req.socket.destroy()
  const delay = sku.startsWith('SKU-P') ? 5 + Math.floor(Math.random() * 40) : 0
  setTimeout(() => {
    if (sku === 'SKU-DOWN') return void res.writeHead(503).end('maintenance')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sku, stock: STOCK[sku] ?? 5 }))
  }, delay)
})

let app: http.Server
let base = ''

/**
 * While `gate` is set, the pool holds each query for a p-* order until `gate.size` of them
 * wait (or a second passes), so concurrent requests are all in flight at once on every run:
 * request state kept outside the request's own context is then certainly overwritten.
 */
let gate: { size: number; waiting: Array<() => void> } | undefined
function gatedPool(pool: Pool): Pool {
  return new Proxy(pool, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver)
      if (prop !== 'query' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value
      return async (...args: unknown[]) => {
        const params = args[1]
        const held = gate && Array.isArray(params) && String(params[0]).startsWith('p-')
        if (held && gate) {
          const g = gate
          await new Promise<void>((resolve) => {
            g.waiting.push(resolve)
            if (g.waiting.length >= g.size) for (const r of g.waiting.splice(0)) r()
            else setTimeout(resolve, 1_000)
          })
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
}

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(provider)
  await pg.pool.query('create table orders (id text primary key, sku text not null, qty int not null)')
  await pg.pool.query(`insert into orders values ('o-1', 'SKU-A', 3), ('o-2', 'SKU-B', 1), ('o-eq', 'SKU-E', 4), ('o-down', 'SKU-DOWN', 1), ('o-reset', 'SKU-RESET', 1)`)
  for (let i = 0; i < 8; i++) await pg.pool.query('insert into orders values ($1, $2, 1)', [`p-${i}`, `SKU-P${i}`])
  await new Promise<void>((resolve) => inventory.listen(0, '127.0.0.1', resolve))
  const inventoryUrl = `http://127.0.0.1:${(inventory.address() as AddressInfo).port}`
  const express = createApp({ tracer: provider.getTracer('kata'), pool: gatedPool(pg.pool), inventoryUrl })
  app = await new Promise<http.Server>((resolve) => {
    const s = express.listen(0, '127.0.0.1', () => resolve(s))
  })
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
})

afterAll(async () => {
  for (const s of [app, inventory]) {
    if (!s?.listening) continue
    s.closeAllConnections()
    await new Promise((resolve) => s.close(resolve))
  }
  trace.disable()
  propagation.disable()
  context.disable()
})

beforeEach(() => {
  exporter.reset()
  seenTraceparent.clear()
})

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, { headers })
  return { status: res.status, body: (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined }
}

/**
 * Lets the last span.end() calls of a request land in the exporter: waits until no span is
 * open (a busy machine can delay them), at most a second, which a span never ended uses up.
 */
async function settle() {
  for (let waited = 0; waited < 1_000 && openSpans.open.size > 0; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10))
  await new Promise((resolve) => setTimeout(resolve, 10))
}

const spans = () => exporter.getFinishedSpans()
const idOf = (s: ReadableSpan) => s.spanContext().spanId
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId
const describeSpans = () => spans().map((s) => `${s.name} [${SpanKind[s.kind]}] parent=${parentOf(s) ?? '-'} id=${idOf(s)}`).join('; ') || 'no spans'
const micros = (t: [number, number]) => t[0] * 1e6 + t[1] / 1e3
/** The SDK anchors span clocks to Date.now(): allow its millisecond of jitter. */
const SLACK_US = 2_000

function traceOf(requestLabel: string) {
  const all = spans()
  const server = all.filter((s) => s.kind === SpanKind.SERVER)
  expect(server.length, `${requestLabel}: SERVER spans (${describeSpans()})`).toBe(1)
  const root = server[0]!
  const children = all.filter((s) => parentOf(s) === idOf(root))
  const db = children.filter((s) => s.kind === SpanKind.CLIENT && s.attributes['db.system.name'] === 'postgresql')
  const httpOut = children.filter((s) => s.kind === SpanKind.CLIENT && s.attributes['http.request.method'] !== undefined)
  return { all, root, db, httpOut }
}

describe('createApp({ tracer, pool, inventoryUrl }): the span tree of GET /orders/:id', () => {
  it('answers GET /orders/o-1 with the order and whether the inventory has enough', async () => {
    expect(await get('/orders/o-1'), 'GET /orders/o-1 (qty 3, inventory has 10)').toEqual({ status: 200, body: { id: 'o-1', sku: 'SKU-A', qty: 3, available: true } })
    expect(await get('/orders/o-2'), 'GET /orders/o-2 (qty 1, inventory has 0)').toEqual({ status: 200, body: { id: 'o-2', sku: 'SKU-B', qty: 1, available: false } })
    expect(await get('/orders/o-eq'), 'GET /orders/o-eq (qty 4, inventory has exactly 4: stock >= qty)').toEqual({ status: 200, body: { id: 'o-eq', sku: 'SKU-E', qty: 4, available: true } })
  })

  it('records one SERVER span "GET /orders/:id" with method, route template and status code', async () => {
    await get('/orders/o-1')
    await settle()
    const { root } = traceOf('GET /orders/o-1')
    expect(root.name, 'name of the SERVER span').toBe('GET /orders/:id')
    expect(root.attributes['http.request.method'], 'SERVER span attribute http.request.method').toBe('GET')
    expect(root.attributes['http.route'], 'SERVER span attribute http.route').toBe('/orders/:id')
    expect(root.attributes['http.response.status_code'], 'SERVER span attribute http.response.status_code (a number)').toBe(200)
    expect(root.parentSpanContext, 'parent of the SERVER span of a request without traceparent').toBeUndefined()
  })

  it('puts the database query in a CLIENT child span "SELECT orders" with the parameterised SQL', async () => {
    await get('/orders/o-1')
    await settle()
    const { root, db } = traceOf('GET /orders/o-1')
    expect(db.length, `CLIENT spans with db.system.name="postgresql" whose parent is the SERVER span (${describeSpans()})`).toBe(1)
    expect(db[0]!.name, 'name of the database span').toBe('SELECT orders')
    expect(db[0]!.spanContext().traceId, 'trace id of the database span').toBe(root.spanContext().traceId)
    const sql = String(db[0]!.attributes['db.query.text'] ?? '')
    expect(sql, 'db.query.text of the database span').toMatch(/from\s+orders/i)
    expect(sql, 'db.query.text keeps the parameter placeholder, not the requested id').not.toContain('o-1')
  })

  it('puts the call to the inventory service in a CLIENT child span "GET /stock/:sku"', async () => {
    await get('/orders/o-1')
    await settle()
    const { root, httpOut } = traceOf('GET /orders/o-1')
    expect(httpOut.length, `CLIENT spans with http.request.method whose parent is the SERVER span (${describeSpans()})`).toBe(1)
    const call = httpOut[0]!
    expect(call.name, 'name of the outgoing HTTP span').toBe('GET /stock/:sku')
    expect(call.attributes['url.full'], 'url.full of the outgoing HTTP span').toMatch(/\/stock\/SKU-A$/)
    expect(call.attributes['http.response.status_code'], 'http.response.status_code of the outgoing HTTP span').toBe(200)
    expect(call.spanContext().traceId, 'trace id of the outgoing HTTP span').toBe(root.spanContext().traceId)
  })

  it('nests the children inside the SERVER span in time: query first, then the inventory call', async () => {
    await get('/orders/o-1')
    await settle()
    const { root, db, httpOut } = traceOf('GET /orders/o-1')
    const [q, c] = [db[0], httpOut[0]]
    expect(q && c, `a database span and an HTTP span under the SERVER span (${describeSpans()})`).toBeTruthy()
    expect(micros(q!.startTime) + SLACK_US, 'database span starts after the SERVER span').toBeGreaterThanOrEqual(micros(root.startTime))
    expect(micros(q!.endTime), 'database span ends before the inventory call starts').toBeLessThanOrEqual(micros(c!.startTime) + SLACK_US)
    expect(micros(c!.endTime), 'inventory span ends before the SERVER span').toBeLessThanOrEqual(micros(root.endTime) + SLACK_US)
  })

  it('ends every span it starts', async () => {
    await get('/orders/o-1')
    await get('/orders/missing')
    await get('/orders/o-down')
    await settle()
    expect(openSpans.open.size, `spans started but never ended after three requests (finished: ${describeSpans()})`).toBe(0)
  })
})

describe('createApp: W3C trace context across HTTP', () => {
  it('sends traceparent to the inventory service, naming the outgoing CLIENT span as parent', async () => {
    await get('/orders/o-1')
    await settle()
    const { httpOut } = traceOf('GET /orders/o-1')
    const header = seenTraceparent.get('SKU-A')
    expect(header, 'traceparent header received by the inventory service').toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    const [, traceId, parentId] = header!.split('-')
    expect(traceId, 'trace id in the traceparent sent to the inventory service').toBe(httpOut[0]?.spanContext().traceId)
    expect(parentId, 'parent span id in that traceparent (must be the CLIENT span, not the SERVER span)').toBe(httpOut[0] && idOf(httpOut[0]))
  })

  it('continues the caller\'s trace when the request carries a traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const callerSpan = '00f067aa0ba902b7'
    expect((await get('/orders/o-1', { traceparent: `00-${traceId}-${callerSpan}-01` })).status, 'GET /orders/o-1 with a traceparent').toBe(200)
    await settle()
    const { root, all } = traceOf('GET /orders/o-1 with traceparent')
    expect(root.spanContext().traceId, 'trace id of the SERVER span').toBe(traceId)
    expect(parentOf(root), 'parent span id of the SERVER span').toBe(callerSpan)
    expect(root.parentSpanContext?.isRemote, 'the SERVER span\'s parent is marked remote').toBe(true)
    expect(all.every((s) => s.spanContext().traceId === traceId), 'every span of the request joined the caller\'s trace').toBe(true)
    expect(seenTraceparent.get('SKU-A')?.split('-')[1], 'trace id forwarded to the inventory service').toBe(traceId)
  })

  it('starts a new trace when the traceparent is malformed, and still answers', async () => {
    expect((await get('/orders/o-1', { traceparent: 'not-a-trace-context' })).status, 'GET /orders/o-1 with traceparent: not-a-trace-context').toBe(200)
    await settle()
    const { root } = traceOf('GET /orders/o-1 with a malformed traceparent')
    expect(root.parentSpanContext, 'parent of the SERVER span').toBeUndefined()
    expect(root.spanContext().traceId, 'trace id of the SERVER span').toMatch(/^(?!0{32})[0-9a-f]{32}$/)
  })

  it('keeps 8 concurrent requests in 8 separate traces, each child under its own request', async () => {
    gate = { size: 8, waiting: [] }
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => get(`/orders/p-${i}`))).finally(() => {
      gate = undefined
    })
    expect(results.map((r) => r.status), 'statuses of 8 concurrent GET /orders/p-0 … p-7').toEqual(Array(8).fill(200))
    await settle()
    const all = spans()
    const servers = all.filter((s) => s.kind === SpanKind.SERVER)
    expect(new Set(servers.map((s) => s.spanContext().traceId)).size, 'distinct trace ids of 8 concurrent requests').toBe(8)
    for (const s of all.filter((x) => x.kind === SpanKind.CLIENT)) {
      const parent = servers.find((p) => idOf(p) === parentOf(s))
      expect(parent, `parent of CLIENT span ${s.name} is one of the SERVER spans`).toBeDefined()
    }
    for (const server of servers) {
      const calls = all.filter((s) => s.kind === SpanKind.CLIENT && s.attributes['http.request.method'] !== undefined && parentOf(s) === idOf(server))
      expect(calls.length, `outgoing HTTP spans under the SERVER span ${idOf(server)}, with 8 requests in flight at once: each request has exactly one; when one has several and others none, the parent came from a variable shared by all requests instead of the request's own context (context.active()). Spans: ${describeSpans()}`).toBe(1)
    }
    for (let i = 0; i < 8; i++) {
      const call = all.find((s) => s.kind === SpanKind.CLIENT && String(s.attributes['url.full'] ?? '').endsWith(`/stock/SKU-P${i}`))
      expect(call, `outgoing span for GET /orders/p-${i}`).toBeDefined()
      expect(seenTraceparent.get(`SKU-P${i}`)?.split('-')[2], `traceparent the inventory got for SKU-P${i} names that request's outgoing span`).toBe(idOf(call!))
    }
  })
})

describe('createApp: failures in the trace', () => {
  it('answers 404 for an unknown order without calling the inventory; a 404 is not a server error', async () => {
    expect(await get('/orders/missing'), 'GET /orders/missing').toEqual({ status: 404, body: { error: 'order not found' } })
    await settle()
    const { root, httpOut } = traceOf('GET /orders/missing')
    expect(root.attributes['http.response.status_code'], 'http.response.status_code of the SERVER span').toBe(404)
    expect(root.status.code, 'status of the SERVER span of a 404 (UNSET = 0)').toBe(SpanStatusCode.UNSET)
    expect(httpOut.length, 'outgoing HTTP spans of a request for an unknown order').toBe(0)
  })

  it('answers 502 when the inventory fails, and marks both the outgoing and the SERVER span as errors', async () => {
    expect(await get('/orders/o-down'), 'GET /orders/o-down (the inventory answers 503)').toEqual({ status: 502, body: { error: 'inventory unavailable' } })
    await settle()
    const { root, httpOut } = traceOf('GET /orders/o-down')
    expect(httpOut[0]?.attributes['http.response.status_code'], 'http.response.status_code of the outgoing span').toBe(503)
    expect(httpOut[0]?.status.code, 'status of the outgoing span (ERROR = 2)').toBe(SpanStatusCode.ERROR)
    expect(root.attributes['http.response.status_code'], 'http.response.status_code of the SERVER span').toBe(502)
    expect(root.status.code, 'status of the SERVER span of a 502 (ERROR = 2)').toBe(SpanStatusCode.ERROR)
  })

  it('answers 502 too when the inventory cannot be reached at all (connection reset), and ends every span', async () => {
    expect(await get('/orders/o-reset'), 'GET /orders/o-reset (the inventory cuts the connection: fetch rejects)').toEqual({ status: 502, body: { error: 'inventory unavailable' } })
    await settle()
    const { root, httpOut } = traceOf('GET /orders/o-reset')
    expect(httpOut[0]?.status.code, 'status of the outgoing span of a call that failed with a network error (ERROR = 2)').toBe(SpanStatusCode.ERROR)
    expect(root.status.code, 'status of the SERVER span of a 502 (ERROR = 2)').toBe(SpanStatusCode.ERROR)
    expect(openSpans.open.size, 'spans started but never ended after a network error').toBe(0)
  })
})
