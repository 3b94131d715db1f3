// Orders service: checkout reserves stock in one transaction and starts the pipeline;
// payment results finish it — paid, or cancelled with the stock given back (compensation).
import { Router, type Request, type Response } from 'express'
import type { Pool, PoolClient } from 'pg'
import type { Cart } from './cart.ts'
import type { Catalog } from './catalog.ts'
import { HttpError, idParam, type Bus, type Metrics } from './platform.ts'

export type OrderStatus = 'pending' | 'paid' | 'cancelled'

export interface Order {
  id: number
  userId: string
  status: OrderStatus
  totalCents: number
  items: { productId: number; quantity: number; priceCents: number }[]
}

export interface OrdersDeps {
  db: Pool
  bus: Bus
  cart: Cart
  catalog: Catalog
  metrics: Metrics
}

export interface Orders {
  migrate(): Promise<void>
  /** Subscribes to payment.approved / payment.declined. */
  start(): Promise<void>
  router: Router
}

async function tx<T>(db: Pool, fn: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await db.connect()
  try {
    await c.query('begin')
    const r = await fn(c)
    await c.query('commit')
    return r
  } catch (err) {
    await c.query('rollback').catch(() => undefined)
    throw err
  } finally {
    c.release()
  }
}

export function createOrders({ db, bus, cart, catalog, metrics }: OrdersDeps): Orders {
  async function load(id: number): Promise<Order | undefined> {
    const { rows } = await db.query(
      `select o.id, o.user_id, o.status, o.total_cents,
              json_agg(json_build_object('productId', i.product_id, 'quantity', i.quantity, 'priceCents', i.price_cents) order by i.product_id) as items
         from orders o join order_items i on i.order_id = o.id where o.id = $1 group by o.id`,
      [id],
    )
    const r = rows[0]
    return r && { id: r.id, userId: r.user_id, status: r.status, totalCents: Number(r.total_cents), items: r.items }
  }

  async function checkout(userId: string): Promise<Order> {
    const lines = await cart.lines(userId)
    if (!lines.length) throw new HttpError(409, 'the cart is empty')
    const order = await tx(db, async (c) => {
      const items: Order['items'] = []
      // lines are sorted by productId: every checkout locks rows in the same order
      for (const { productId, quantity } of lines) {
        const { rows } = await c.query<{ price_cents: number }>('update products set stock = stock - $2 where id = $1 and stock >= $2 returning price_cents', [productId, quantity])
        if (!rows[0]) throw new HttpError(409, `not enough stock for product ${productId}`)
        items.push({ productId, quantity, priceCents: rows[0].price_cents })
      }
      const total = items.reduce((s, i) => s + i.priceCents * i.quantity, 0)
      const { rows } = await c.query<{ id: number }>("insert into orders (user_id, status, total_cents) values ($1, 'pending', $2) returning id", [userId, total])
      const id = rows[0]!.id
      for (const i of items) await c.query('insert into order_items (order_id, product_id, quantity, price_cents) values ($1, $2, $3, $4)', [id, i.productId, i.quantity, i.priceCents])
      return { id, userId, status: 'pending' as const, totalCents: total, items }
    })
    await cart.clear(userId)
    await catalog.invalidate(order.items.map((i) => i.productId))
    metrics.orders.inc({ status: 'created' })
    await bus.publish('order.created', { orderId: order.id, userId, totalCents: order.totalCents })
    return order
  }

  /** pending → paid. The status guard makes a redelivered approval a no-op. */
  async function markPaid(orderId: number) {
    const { rows } = await db.query("update orders set status = 'paid' where id = $1 and status = 'pending' returning user_id", [orderId])
    if (!rows[0]) return
    metrics.orders.inc({ status: 'paid' })
    await bus.publish('order.paid', { orderId, userId: rows[0].user_id })
  }

  /** pending → cancelled, and the reserved stock goes back, in one transaction. */
  async function cancel(orderId: number, reason: string) {
    const done = await tx(db, async (c) => {
      const { rows } = await c.query("update orders set status = 'cancelled' where id = $1 returning user_id", [orderId])
      if (!rows[0]) return undefined
      const back = await c.query<{ id: number }>(
        'update products p set stock = p.stock + i.quantity from order_items i where i.order_id = $1 and i.product_id = p.id returning p.id',
        [orderId],
      )
      return { userId: rows[0].user_id as string, products: back.rows.map((r) => r.id) }
    })
    if (!done) return
    await catalog.invalidate(done.products)
    metrics.orders.inc({ status: 'cancelled' })
    await bus.publish('order.cancelled', { orderId, userId: done.userId, reason })
  }

  const router = Router()

  router.post('/orders', async (req: Request, res: Response) => {
    const { userId } = req.body ?? {}
    if (typeof userId !== 'string' || !/^[\w.-]{1,64}$/.test(userId)) throw new HttpError(400, 'userId must be a string id')
    res.status(201).json(await checkout(userId))
  })

  router.get('/orders/:id', async (req: Request, res: Response) => {
    const id = idParam(req.params.id)
    const order = id === undefined ? undefined : await load(id)
    if (!order) throw new HttpError(404, `order ${req.params.id} not found`)
    res.json(order)
  })

  return {
    async migrate() {
      await db.query(`
        create table if not exists orders (
          id int generated always as identity primary key,
          user_id text not null,
          status text not null check (status in ('pending', 'paid', 'cancelled')),
          total_cents bigint not null);
        create table if not exists order_items (
          order_id int not null references orders (id),
          product_id int not null references products (id),
          quantity int not null check (quantity > 0),
          price_cents int not null,
          primary key (order_id, product_id))`)
    },
    async start() {
      await bus.subscribe('orders', ['payment.approved', 'payment.declined'], async (e, key) => {
        if (!Number.isInteger(e.orderId)) return // not for us: acknowledge and forget
        if (key === 'payment.approved') await markPaid(e.orderId as number)
        else await cancel(e.orderId as number, String(e.reason ?? 'payment declined'))
      })
    },
    router,
  }
}
