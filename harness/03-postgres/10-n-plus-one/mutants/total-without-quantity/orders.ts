import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

export interface OrderItemView {
  product: { id: number; name: string }
  quantity: number
  priceCents: number
}
export interface OrderView {
  id: number
  placedAt: Date
  customer: { id: number; name: string }
  items: OrderItemView[]
  totalCents: number
}

/**
 * Loads orders with their customer and items in two queries, however many ids there are:
 * one for the orders (joined with customers), one for all their items (joined with products).
 * The N+1 version — one query for the orders, then one per order for its items — sends
 * 1 + N queries and gets slower with every order.
 */
export async function loadOrders(db: Db, orderIds: number[]): Promise<OrderView[]> {
  const ids = [...new Set(orderIds)]
  if (ids.length === 0) return []

  const { rows: orders } = await db.query<{ id: number; placed_at: Date; customer_id: number; customer_name: string }>(
    `SELECT o.id, o.placed_at, c.id AS customer_id, c.name AS customer_name
       FROM orders o JOIN customers c ON c.id = o.customer_id
      WHERE o.id = ANY($1::int[])`,
    [ids],
  )
  const { rows: items } = await db.query<{ order_id: number; product_id: number; product_name: string; quantity: number; price_cents: number }>(
    `SELECT i.order_id, p.id AS product_id, p.name AS product_name, i.quantity, i.price_cents
       FROM order_items i JOIN products p ON p.id = i.product_id
      WHERE i.order_id = ANY($1::int[])
      ORDER BY i.id`,
    [ids],
  )

  // Group the items in memory: one Map lookup per item instead of one query per order.
  const byOrder = new Map<number, OrderItemView[]>()
  for (const i of items) {
    const list = byOrder.get(i.order_id) ?? []
    list.push({ product: { id: i.product_id, name: i.product_name }, quantity: i.quantity, priceCents: i.price_cents })
    byOrder.set(i.order_id, list)
  }
  const found = new Map(orders.map((o) => [o.id, o]))
  return ids.flatMap((id) => {
    const o = found.get(id)
    if (!o) return []
    const list = byOrder.get(id) ?? []
    return [{
      id,
      placedAt: o.placed_at,
      customer: { id: o.customer_id, name: o.customer_name },
      items: list,
      totalCents: list.reduce((sum, i) => sum + i.priceCents, 0),
    }]
  })
}
