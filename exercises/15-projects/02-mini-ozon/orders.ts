// Orders service: checkout reserves stock in one transaction and starts the pipeline;
// payment results finish it — paid, or cancelled with the stock given back (compensation).
import type { Router } from 'express'
import type { Pool } from 'pg'
import type { Cart } from './cart.ts'
import type { Catalog } from './catalog.ts'
import type { Bus, Metrics } from './platform.ts'

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

export function createOrders(deps: OrdersDeps): Orders {
  void deps
  throw new Error('TODO: createOrders — POST /orders (checkout), GET /orders/:id, and the reaction to payment events (steps 2 and 3 of README.md)\nTODO(ru): createOrders — POST /orders (оформление заказа), GET /orders/:id и реакция на события оплаты (шаги 2 и 3 в README.ru.md)')
}
