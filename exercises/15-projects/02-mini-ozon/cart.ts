// Cart service: carts live in Redis, so every instance sees the same cart.
import type { Router } from 'express'
import type { Redis } from 'ioredis'
import type { Catalog } from './catalog.ts'

export interface CartItem {
  productId: number
  name: string
  priceCents: number
  quantity: number
}

export interface CartView {
  userId: string
  items: CartItem[]
  totalCents: number
}

export interface Cart {
  /** productId → quantity, as stored. */
  lines(userId: string): Promise<{ productId: number; quantity: number }[]>
  view(userId: string): Promise<CartView>
  clear(userId: string): Promise<void>
  router: Router
}

export function createCart(deps: { redis: Redis; catalog: Catalog }): Cart {
  void deps
  throw new Error('TODO: createCart — GET /carts/:userId, PUT and DELETE /carts/:userId/items/:productId, kept in Redis (step 1 of README.md)\nTODO(ru): createCart — GET /carts/:userId, PUT и DELETE /carts/:userId/items/:productId, данные в Redis (шаг 1 в README.ru.md)')
}
