import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Pool } from 'pg'
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

export function createApp(deps: AppDeps): RequestListener {
  void deps
  throw new Error('TODO: createApp({ db, redis, channel, exchange }) — return a request listener with the users and products API (step 1 of README.md)\nTODO(ru): createApp({ db, redis, channel, exchange }) — вернуть обработчик запросов с API пользователей и товаров (шаг 1 в README.ru.md)')
}
