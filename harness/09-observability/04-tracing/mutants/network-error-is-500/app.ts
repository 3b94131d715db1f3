import { context, propagation, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api'
import express from 'express'
import type pg from 'pg'

export interface AppDeps {
  tracer: Tracer
  pool: pg.Pool
  /** Base URL of the inventory service, e.g. http://127.0.0.1:4000 */
  inventoryUrl: string
}

interface Order {
  id: string
  sku: string
  qty: number
}

export const ORDER_QUERY = 'select id, sku, qty from orders where id = $1'

/** Ends `span` after `fn`, marking it as failed when `fn` throws. */
async function inSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    span.recordException(err as Error)
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
    throw err
  } finally {
    span.end()
  }
}

export function createApp({ tracer, pool, inventoryUrl }: AppDeps): express.Express {
  const app = express()

  app.get('/orders/:id', (req, res) => {
    // The caller's trace context, if it sent a valid traceparent; otherwise a new trace.
    const parent = propagation.extract(context.active(), req.headers)
    const attributes = { 'http.request.method': 'GET', 'http.route': '/orders/:id' }
    tracer.startActiveSpan('GET /orders/:id', { kind: SpanKind.SERVER, attributes }, parent, async (server) => {
      const reply = (status: number, body: unknown) => {
        server.setAttribute('http.response.status_code', status)
        if (status >= 500) server.setStatus({ code: SpanStatusCode.ERROR })
        server.end()
        res.status(status).json(body)
      }
      try {
        const db = tracer.startSpan('SELECT orders', {
          kind: SpanKind.CLIENT,
          attributes: { 'db.system.name': 'postgresql', 'db.query.text': ORDER_QUERY },
        })
        const order = await inSpan(db, async () => (await pool.query<Order>(ORDER_QUERY, [req.params.id])).rows[0])
        if (!order) return reply(404, { error: 'order not found' })

        const url = `${inventoryUrl}/stock/${encodeURIComponent(order.sku)}`
        const http = tracer.startSpan('GET /stock/:sku', {
          kind: SpanKind.CLIENT,
          attributes: { 'http.request.method': 'GET', 'url.full': url },
        })
        // A non-2xx answer is the inventory being unavailable.
        const stock = await inSpan(http, async () => {
          const headers: Record<string, string> = {}
          // The client span is the parent the inventory service must see.
          propagation.inject(trace.setSpan(context.active(), http), headers)
          const r = await fetch(url, { headers })
          http.setAttribute('http.response.status_code', r.status)
          if (!r.ok) {
            http.setStatus({ code: SpanStatusCode.ERROR })
            return undefined
          }
          return ((await r.json()) as { stock: number }).stock
        })
        if (stock === undefined) return reply(502, { error: 'inventory unavailable' })
        reply(200, { ...order, available: stock >= order.qty })
      } catch (err) {
        server.recordException(err as Error)
        reply(500, { error: 'internal error' })
      }
    })
  })

  return app
}
