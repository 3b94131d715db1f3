// The order worker: charges each placed order, retries with backoff, dead-letters what keeps
// failing, and releases the unit when a sale falls through.
import type { Channel } from 'amqplib'
import type { Pool } from 'pg'
import type { Sale } from './sale.ts'

export interface Payments {
  charge(order: { orderId: string; userId: string }): Promise<'paid' | 'declined'>
}

export interface WorkerDeps {
  db: Pool
  channel: Channel
  sale: Pick<Sale, 'release'>
  payments: Payments
  /** The exchange the relay publishes to; the queue is bound to `order.placed`. */
  exchange: string
  queues: { queue: string; retryQueue: string; deadLetterQueue: string }
  maxRetries: number
  baseDelayMs: number
}

export interface Worker {
  stop(): Promise<void>
}

export async function startOrderWorker(deps: WorkerDeps): Promise<Worker> {
  void deps
  throw new Error('TODO: startOrderWorker(deps) — charge each order.placed, retry, dead-letter and compensate (step 3 of README.md)\nTODO(ru): startOrderWorker(deps) — списать оплату по каждому order.placed, повторять при сбоях, отправлять неудачные в очередь недоставленных сообщений и компенсировать (шаг 3 в README.ru.md)')
}
