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
  // One query: PostgreSQL nests the items itself; WITH ORDINALITY keeps the order of the ids.
  const { rows } = await db.query<{ id: number; placed_at: Date; customer: { id: number; name: string }; items: OrderItemView[] }>(
    `SELECT o.id, o.placed_at, json_build_object('id', c.id, 'name', c.name) AS customer,
            coalesce((SELECT json_agg(json_build_object('product', json_build_object('id', p.id, 'name', p.name), 'quantity', i.quantity, 'priceCents', i.price_cents) ORDER BY i.id)
                        FROM order_items i JOIN products p ON p.id = i.product_id
                       WHERE i.order_id = o.id), '[]') AS items
       FROM unnest($1::int[]) WITH ORDINALITY AS wanted(id, pos)
       JOIN orders o ON o.id = wanted.id
       JOIN customers c ON c.id = o.customer_id
      ORDER BY wanted.pos`,
    [ids],
  )
  return rows.map((r) => ({ id: r.id, placedAt: r.placed_at, customer: r.customer, items: r.items, totalCents: r.items.reduce((s, i) => s + i.quantity * i.priceCents, 0) }))
}
