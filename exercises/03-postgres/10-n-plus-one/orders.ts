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
 * Loads orders with their customer and items, in the order of `orderIds`.
 * At most 3 queries, whether there is 1 order or 1000.
 */
export async function loadOrders(db: Db, orderIds: number[]): Promise<OrderView[]> {
  throw new Error('TODO: loadOrders — fetch all the orders in one query (WHERE id = ANY($1)), all their items in another, and group them in memory\nTODO(ru): loadOrders — получить все заказы одним запросом (WHERE id = ANY($1)), все их позиции другим и сгруппировать в памяти')
}
