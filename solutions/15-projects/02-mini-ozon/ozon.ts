// The composition root: builds the five services, wires them to the bus, serves HTTP.
import type { IncomingMessage, ServerResponse } from 'node:http'
import express, { type NextFunction, type Request, type Response } from 'express'
import type { ChannelModel } from 'amqplib'
import type { Pool } from 'pg'
import type { Redis } from 'ioredis'
import { createCart } from './cart.ts'
import { createCatalog } from './catalog.ts'
import { createNotifications, type Mailer } from './notifications.ts'
import { createOrders } from './orders.ts'
import { createPayments, type Bank } from './payments.ts'
import { createBus, createMetrics, HttpError, type Names } from './platform.ts'

export type { Bank, ChargeResult } from './payments.ts'
export type { Mailer, Template } from './notifications.ts'
export type { Names } from './platform.ts'

export interface OzonDeps {
  db: Pool
  redis: Redis
  /** A RabbitMQ connection: open the channels you need on it. */
  amqp: ChannelModel
  names: Names
  bank: Bank
  mailer: Mailer
  /** How long a product stays in the cache (default 60 000 ms). */
  cacheTtlMs?: number
}

export interface Ozon {
  handler: (req: IncomingMessage, res: ServerResponse) => void
  /** Stops consuming and closes the channels it opened (not the deps it was given). */
  stop(): Promise<void>
}

export async function startOzon(deps: OzonDeps): Promise<Ozon> {
  const { db, redis } = deps
  const metrics = createMetrics()
  const bus = await createBus(deps.amqp, deps.names)
  const catalog = createCatalog({ db, redis, metrics, cacheTtlMs: deps.cacheTtlMs ?? 60_000 })
  const cart = createCart({ redis, catalog })
  const orders = createOrders({ db, bus, cart, catalog, metrics })
  const payments = createPayments({ db, bus, bank: deps.bank, metrics })
  const notifications = createNotifications({ redis, bus, mailer: deps.mailer, metrics })

  // Each service owns its tables; the order of creation follows the foreign keys.
  await catalog.migrate()
  await orders.migrate()
  await payments.migrate()
  await orders.start()
  await payments.start()
  await notifications.start()

  const app = express()
  app.get('/metrics', async (_req: Request, res: Response) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics())
  })
  // RED metrics per route template, not per raw path: /catalog/products/:id is one series.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const stop = metrics.httpDuration.startTimer()
    res.on('finish', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched'
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) })
      stop({ method: req.method, route })
    })
    next()
  })
  app.use(express.json())
  app.use(catalog.router, cart.router, orders.router)
  app.use(() => {
    throw new HttpError(404, 'no such route')
  })
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof HttpError ? err.status : (err as { type?: string }).type === 'entity.parse.failed' ? 400 : 500
    res.status(status).json({ error: status === 500 ? 'internal error' : (err as Error).message })
  })

  return { handler: app, stop: () => bus.close() }
}
