import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api'
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

class InventoryError extends Error {}

export function createApp({ tracer, pool, inventoryUrl }: AppDeps): express.Express {
  const app = express()

  app.get('/orders/:id', async (req, res) => {
    // The SERVER span lives as long as the response: it is ended when the response is finished.
    const parent = propagation.extract(ROOT_CONTEXT, req.headers)
    const server = tracer.startSpan('GET /orders/:id', { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'http.route': '/orders/:id' } }, parent)
    res.once('finish', () => {
      server.setAttribute('http.response.status_code', res.statusCode)
      if (res.statusCode >= 500) server.setStatus({ code: SpanStatusCode.ERROR })
      server.end()
    })
    await context.with(trace.setSpan(parent, server), async () => {
      try {
        const order = await tracer.startActiveSpan('SELECT orders', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': ORDER_QUERY } }, async (span) => {
          try {
            return (await pool.query<Order>(ORDER_QUERY, [req.params.id])).rows[0]
          } finally {
            span.end()
          }
        })
        if (!order) return void res.status(404).json({ error: 'order not found' })
        const url = `${inventoryUrl}/stock/${encodeURIComponent(order.sku)}`
        const stock = await tracer.startActiveSpan('GET /stock/:sku', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'url.full': url } }, async (span) => {
          try {
            const headers: Record<string, string> = {}
            propagation.inject(context.active(), headers)
            const r = await fetch(url, { headers }).catch((err: unknown) => {
              throw new InventoryError(String(err))
            })
            span.setAttribute('http.response.status_code', r.status)
            if (!r.ok) throw new InventoryError(`inventory answered ${r.status}`)
            return ((await r.json()) as { stock: number }).stock
          } catch (err) {
            span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message })
            throw err
          } finally {
            span.end()
          }
        })
        res.json({ ...order, available: stock >= order.qty })
      } catch (err) {
        if (err instanceof InventoryError) res.status(502).json({ error: 'inventory unavailable' })
        else res.status(500).json({ error: 'internal error' })
      }
    })
  })

  return app
}
