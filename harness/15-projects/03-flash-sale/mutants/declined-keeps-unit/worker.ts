// The order worker: charges each placed order, retries a failing payment service with
// backoff, dead-letters what keeps failing, and releases the unit when a sale falls through.
import type { Channel, ConsumeMessage } from 'amqplib'
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

interface Placed {
  orderId: string
  userId: string
}

function parse(msg: ConsumeMessage): Placed | undefined {
  try {
    const e = JSON.parse(msg.content.toString()) as Placed
    return typeof e?.orderId === 'string' && typeof e.userId === 'string' ? e : undefined
  } catch {
    return undefined
  }
}

export async function startOrderWorker(deps: WorkerDeps): Promise<Worker> {
  const { db, channel: ch, sale, payments, exchange, maxRetries, baseDelayMs } = deps
  const { queue, retryQueue, deadLetterQueue } = deps.queues
  await ch.assertExchange(exchange, 'topic', { durable: true })
  await ch.assertQueue(queue, { durable: true })
  await ch.bindQueue(queue, exchange, 'order.placed')
  // Nobody consumes the retry queue: messages wait there for their TTL, then go back.
  await ch.assertQueue(retryQueue, { durable: true, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue } })
  await ch.assertQueue(deadLetterQueue, { durable: true })
  await ch.prefetch(20)
  const inFlight = new Set<Promise<void>>()

  /** pending → status; true when this call made the change (so it alone compensates). */
  const settle = async (orderId: string, status: 'paid' | 'cancelled' | 'failed') =>
    ((await db.query("update orders set status = $2, updated_at = now() where id = $1 and status = 'pending'", [orderId, status])).rowCount ?? 0) > 0

  const deadLetter = (msg: ConsumeMessage, error: string, attempts: number) =>
    ch.sendToQueue(deadLetterQueue, msg.content, { ...msg.properties, headers: { ...msg.properties.headers, 'x-error': error, 'x-attempts': attempts } })

  async function handle(msg: ConsumeMessage) {
    const order = parse(msg)
    if (!order) return deadLetter(msg, 'not an order.placed event', 1)
    const { rows } = await db.query<{ status: string }>('select status from orders where id = $1', [order.orderId])
    if (rows[0]?.status !== 'pending') return // unknown, or already settled: a redelivery
    const attempt = Number(msg.properties.headers?.['x-attempt'] ?? 1)
    let result: 'paid' | 'declined'
    try {
      result = await payments.charge({ orderId: order.orderId, userId: order.userId })
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err)
      if (attempt <= maxRetries) {
        ch.sendToQueue(retryQueue, msg.content, {
          ...msg.properties,
          expiration: String(baseDelayMs * 2 ** (attempt - 1)),
          headers: { ...msg.properties.headers, 'x-attempt': attempt + 1 },
        })
        return
      }
      deadLetter(msg, error, attempt)
      // Out of retries: the order fails and its unit goes back on sale.
      if (await settle(order.orderId, 'failed')) await sale.release(order.userId)
      return
    }
    if (result === 'paid') await settle(order.orderId, 'paid')
    else await settle(order.orderId, 'cancelled')
  }

  // After stop() the channel may close under a message in flight: its ack or nack then
  // throws, and the broker redelivers the message anyway.
  const safely = (fn: () => void) => {
    try {
      fn()
    } catch {
      // the channel is gone
    }
  }

  const { consumerTag } = await ch.consume(queue, (msg) => {
    if (!msg) return
    const p: Promise<void> = handle(msg).then(
      () => safely(() => ch.ack(msg)),
      () => void setTimeout(() => safely(() => ch.nack(msg, false, true)), 100), // the database hiccuped: later
    )
    inFlight.add(p)
    void p.finally(() => inFlight.delete(p))
  })

  return {
    async stop() {
      await ch.cancel(consumerTag)
      await Promise.allSettled(inFlight)
    },
  }
}
