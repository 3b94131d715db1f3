import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import express, { type NextFunction, type Request, type Response } from 'express'
import type { Pool, PoolClient } from 'pg'
import type { ConfirmChannel } from 'amqplib'
import type { Redis } from 'ioredis'

export interface AppDeps {
  db: Pool
  redis: Redis
  channel: ConfirmChannel
  /** Durable topic exchange the OrderCreated events go to. */
  exchange: string
  /** How long a product stays in the cache (default 60 000 ms). */
  cacheTtlMs?: number
}

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void

export interface User {
  id: number
  email: string
  name: string
}

export interface Product {
  id: number
  name: string
  priceCents: number
  stock: number
}

export interface OrderItem {
  productId: number
  quantity: number
  priceCents: number
}

export interface Order {
  id: number
  userId: number
  status: 'created'
  totalCents: number
  items: OrderItem[]
}

export interface OrderCreated {
  eventId: string
  type: 'OrderCreated'
  occurredAt: string
  order: Order
}

/** An error that already knows its HTTP status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

const isInt = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== ''
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

/** A path id: a positive integer or nothing (then the resource does not exist). */
function idParam(raw: unknown): number | undefined {
  const n = Number(raw)
  return typeof raw === 'string' && /^\d{1,9}$/.test(raw) && n > 0 ? n : undefined
}

const toProduct = (r: { id: number; name: string; price_cents: number; stock: number }): Product => ({
  id: r.id,
  name: r.name,
  priceCents: r.price_cents,
  stock: r.stock,
})

async function inTransaction<T>(db: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await db.connect()
  try {
    await c.query('begin')
    const result = await fn(c)
    await c.query('commit')
    return result
  } catch (err) {
    await c.query('rollback').catch(() => undefined)
    throw err
  } finally {
    c.release()
  }
}

export function createApp(deps: AppDeps): RequestListener {
  const { db, redis, channel, exchange } = deps
  const ttlMs = deps.cacheTtlMs ?? 60_000
  const cacheKey = (id: number) => `product:${id}`
  let exchangeReady: Promise<unknown> | undefined

  // ---- users ------------------------------------------------------------------------
  async function findUser(id: number | undefined): Promise<User | undefined> {
    if (id === undefined) return undefined
    const { rows } = await db.query<User>('select id, email, name from users where id = $1', [id])
    return rows[0]
  }

  // ---- products (cache-aside: Redis first, the database on a miss) ------------------------
  async function findProduct(id: number | undefined): Promise<Product | undefined> {
    if (id === undefined) return undefined
    const cached = await redis.get(cacheKey(id))
    if (cached) return JSON.parse(cached) as Product
    const { rows } = await db.query('select id, name, price_cents, stock from products where id = $1', [id])
    if (!rows[0]) return undefined
    const product = toProduct(rows[0])
    await redis.set(cacheKey(id), JSON.stringify(product), 'PX', ttlMs)
    return product
  }

  /** Drops cached copies after a write: the next read loads what the database holds. */
  const invalidate = async (ids: number[]) => {
    if (ids.length) await redis.del(...ids.map(cacheKey))
  }

  // ---- orders --------------------------------------------------------------------------
  async function loadOrders(where: string, param: number): Promise<Order[]> {
    const { rows } = await db.query(
      `select o.id, o.user_id, o.status, o.total_cents,
              coalesce(json_agg(json_build_object('productId', i.product_id, 'quantity', i.quantity, 'priceCents', i.price_cents)
                       order by i.position) filter (where i.order_id is not null), '[]') as items
         from orders o left join order_items i on i.order_id = o.id
        where ${where} = $1 group by o.id order by o.id`,
      [param],
    )
    return rows.map((r) => ({ id: r.id, userId: r.user_id, status: r.status, totalCents: Number(r.total_cents), items: r.items }))
  }

  async function placeOrder(userId: number, items: { productId: number; quantity: number }[]): Promise<Order> {
    const order = await inTransaction(db, async (c) => {
      const user = await c.query('select 1 from users where id = $1', [userId])
      if (!user.rowCount) throw new HttpError(404, `user ${userId} not found`)
      // Lock rows in one global order (by id): two orders for [A, B] and [B, A] then
      // queue up behind each other instead of deadlocking.
      const byId = [...items].sort((a, b) => a.productId - b.productId)
      const prices = new Map<number, number>()
      for (const { productId, quantity } of byId) {
        // A conditional UPDATE is check-and-decrement in one step: no oversell window.
        const { rows } = await c.query<{ price_cents: number }>(
          'update products set stock = stock - $2 where id = $1 and stock >= $2 returning price_cents',
          [productId, quantity],
        )
        if (rows[0]) {
          prices.set(productId, rows[0].price_cents)
          continue
        }
        const exists = await c.query('select 1 from products where id = $1', [productId])
        throw exists.rowCount
          ? new HttpError(409, `not enough stock for product ${productId}`)
          : new HttpError(404, `product ${productId} not found`)
      }
      const lines = items.map((i) => ({ ...i, priceCents: prices.get(i.productId)! }))
      const total = lines.reduce((s, l) => s + l.priceCents * l.quantity, 0)
      const { rows } = await c.query<{ id: number }>('insert into orders (user_id, total_cents) values ($1, $2) returning id', [userId, total])
      const id = rows[0]!.id
      await c.query(
        `insert into order_items (order_id, position, product_id, quantity, price_cents)
         select $1, t.pos, t.product_id, t.quantity, t.price_cents
           from unnest($2::int[], $3::int[], $4::int[]) with ordinality as t(product_id, quantity, price_cents, pos)`,
        [id, lines.map((l) => l.productId), lines.map((l) => l.quantity), lines.map((l) => l.priceCents)],
      )
      const placed: Order = { id, userId, status: 'created', totalCents: total, items: lines }
      return placed
    })
    await publish(order) // the cached products expire on their own
    return order
  }

  /** Publishes after the commit: an order that rolled back never announces itself. */
  async function publish(order: Order) {
    exchangeReady ??= channel.assertExchange(exchange, 'topic', { durable: true })
    await exchangeReady
    const event: OrderCreated = { eventId: randomUUID(), type: 'OrderCreated', occurredAt: new Date().toISOString(), order }
    channel.publish(exchange, 'order.created', Buffer.from(JSON.stringify(event)), {
      messageId: event.eventId,
      contentType: 'application/json',
      persistent: true,
    })
    // A confirm channel: wait until the broker has taken the event.
    await channel.waitForConfirms()
  }

  // ---- HTTP ----------------------------------------------------------------------------
  const app = express()
  app.use(express.json())

  app.post('/users', async (req: Request, res: Response) => {
    const { email, name } = req.body ?? {}
    if (typeof email !== 'string' || !EMAIL.test(email)) throw new HttpError(400, 'email must look like name@host.tld')
    if (!isText(name)) throw new HttpError(400, 'name must be a non-empty string')
    try {
      const { rows } = await db.query<User>('insert into users (email, name) values ($1, $2) returning id, email, name', [email, name])
      res.status(201).json(rows[0])
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new HttpError(409, `email ${email} is already registered`)
      throw err
    }
  })

  app.get('/users/:id', async (req: Request, res: Response) => {
    const user = await findUser(idParam(req.params.id))
    if (!user) throw new HttpError(404, `user ${req.params.id} not found`)
    res.json(user)
  })

  app.get('/users/:id/orders', async (req: Request, res: Response) => {
    const user = await findUser(idParam(req.params.id))
    if (!user) throw new HttpError(404, `user ${req.params.id} not found`)
    res.json(await loadOrders('o.user_id', user.id))
  })

  app.get('/users/:id/stats', async (req: Request, res: Response) => {
    const user = await findUser(idParam(req.params.id))
    if (!user) throw new HttpError(404, `user ${req.params.id} not found`)
    const { rows } = await db.query('select orders_count, spent_cents from user_stats where user_id = $1', [user.id])
    res.json({ userId: user.id, ordersCount: rows[0]?.orders_count ?? 0, spentCents: Number(rows[0]?.spent_cents ?? 0) })
  })

  app.post('/products', async (req: Request, res: Response) => {
    const { name, priceCents, stock } = req.body ?? {}
    if (!isText(name)) throw new HttpError(400, 'name must be a non-empty string')
    if (!isInt(priceCents, 0)) throw new HttpError(400, 'priceCents must be an integer ≥ 0')
    if (!isInt(stock, 0)) throw new HttpError(400, 'stock must be an integer ≥ 0')
    const { rows } = await db.query('insert into products (name, price_cents, stock) values ($1, $2, $3) returning *', [name, priceCents, stock])
    res.status(201).json(toProduct(rows[0]))
  })

  app.get('/products', async (_req: Request, res: Response) => {
    const { rows } = await db.query('select id, name, price_cents, stock from products order by id')
    res.json(rows.map(toProduct))
  })

  app.get('/products/:id', async (req: Request, res: Response) => {
    const product = await findProduct(idParam(req.params.id))
    if (!product) throw new HttpError(404, `product ${req.params.id} not found`)
    res.json(product)
  })

  app.patch('/products/:id', async (req: Request, res: Response) => {
    const id = idParam(req.params.id)
    const body = (req.body ?? {}) as Record<string, unknown>
    const sets: string[] = []
    const params: unknown[] = [id]
    if ('name' in body) {
      if (!isText(body.name)) throw new HttpError(400, 'name must be a non-empty string')
      sets.push(`name = $${params.push(body.name)}`)
    }
    if ('priceCents' in body) {
      if (!isInt(body.priceCents, 0)) throw new HttpError(400, 'priceCents must be an integer ≥ 0')
      sets.push(`price_cents = $${params.push(body.priceCents)}`)
    }
    if ('stock' in body) {
      if (!isInt(body.stock, 0)) throw new HttpError(400, 'stock must be an integer ≥ 0')
      sets.push(`stock = $${params.push(body.stock)}`)
    }
    if (!sets.length) throw new HttpError(400, 'nothing to change: send name, priceCents or stock')
    if (id === undefined) throw new HttpError(404, `product ${req.params.id} not found`)
    const { rows } = await db.query(`update products set ${sets.join(', ')} where id = $1 returning *`, params)
    if (!rows[0]) throw new HttpError(404, `product ${id} not found`)
    await invalidate([id])
    res.json(toProduct(rows[0]))
  })

  app.delete('/products/:id', async (req: Request, res: Response) => {
    const id = idParam(req.params.id)
    if (id === undefined) throw new HttpError(404, `product ${req.params.id} not found`)
    try {
      const { rowCount } = await db.query('delete from products where id = $1', [id])
      if (!rowCount) throw new HttpError(404, `product ${id} not found`)
    } catch (err) {
      if ((err as { code?: string }).code === '23503') throw new HttpError(409, `product ${id} is part of orders and cannot be deleted`)
      throw err
    }
    await invalidate([id])
    res.status(204).end()
  })

  app.post('/orders', async (req: Request, res: Response) => {
    const { userId, items } = req.body ?? {}
    if (!isInt(userId, 1)) throw new HttpError(400, 'userId must be a positive integer')
    if (!Array.isArray(items) || items.length === 0) throw new HttpError(400, 'items must be a non-empty array')
    const seen = new Set<number>()
    for (const [i, item] of items.entries()) {
      if (!isInt(item?.productId, 1)) throw new HttpError(400, `items[${i}].productId must be a positive integer`)
      if (!isInt(item?.quantity, 1)) throw new HttpError(400, `items[${i}].quantity must be a positive integer`)
      if (seen.has(item.productId)) throw new HttpError(400, `product ${item.productId} appears twice`)
      seen.add(item.productId)
    }
    const clean = (items as { productId: number; quantity: number }[]).map(({ productId, quantity }) => ({ productId, quantity }))
    res.status(201).json(await placeOrder(userId, clean))
  })

  app.get('/orders/:id', async (req: Request, res: Response) => {
    const id = idParam(req.params.id)
    const [order] = id === undefined ? [] : await loadOrders('o.id', id)
    if (!order) throw new HttpError(404, `order ${req.params.id} not found`)
    res.json(order)
  })

  app.use((_req: Request, _res: Response) => {
    throw new HttpError(404, 'no such route')
  })

  // Known errors keep their status; anything else is a 500 that leaks no internals.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof HttpError ? err.status : (err as { type?: string }).type === 'entity.parse.failed' ? 400 : 500
    const message = status === 500 ? 'internal error' : (err as Error).message
    res.status(status).json({ error: message })
  })

  return app
}
