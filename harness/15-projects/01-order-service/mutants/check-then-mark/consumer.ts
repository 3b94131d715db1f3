import type { Channel, ConsumeMessage } from 'amqplib'
import type { Pool } from 'pg'

export interface ConsumerDeps {
  db: Pool
  channel: Channel
  /** The topic exchange the app publishes OrderCreated events to. */
  exchange: string
  /** The consumer's own durable queue, bound to `order.created`. */
  queue: string
}

export interface Consumer {
  /** Stops taking new messages; resolves once the current ones are handled. */
  stop(): Promise<void>
}

interface OrderCreatedEvent {
  eventId: string
  type: 'OrderCreated'
  order: { userId: number; totalCents: number }
}

function parse(msg: ConsumeMessage): OrderCreatedEvent | undefined {
  try {
    const e = JSON.parse(msg.content.toString()) as OrderCreatedEvent
    const ok = typeof e?.eventId === 'string' && e.eventId !== '' && e.type === 'OrderCreated' && Number.isInteger(e.order?.userId) && Number.isFinite(e.order?.totalCents)
    return ok ? e : undefined
  } catch {
    return undefined
  }
}

/**
 * Applies an event once. The event id goes into processed_events in the same transaction
 * as the effect: a redelivered or republished event finds its id taken and changes nothing,
 * even when two consumers receive copies at the same moment (the primary key decides).
 */
async function apply(db: Pool, e: OrderCreatedEvent) {
  const c = await db.connect()
  try {
    await c.query('begin')
    const seen = await c.query('select 1 from processed_events where event_id = $1', [e.eventId])
    const fresh = { rowCount: seen.rowCount ? 0 : 1 }
    if (fresh.rowCount) {
      await c.query('insert into processed_events (event_id) values ($1) on conflict do nothing', [e.eventId])
      await c.query(
        `insert into user_stats (user_id, orders_count, spent_cents) values ($1, 1, $2)
         on conflict (user_id) do update set orders_count = user_stats.orders_count + 1,
                                             spent_cents = user_stats.spent_cents + excluded.spent_cents`,
        [e.order.userId, e.order.totalCents],
      )
    }
    await c.query('commit')
  } catch (err) {
    await c.query('rollback').catch(() => undefined)
    throw err
  } finally {
    c.release()
  }
}

export async function startConsumer(deps: ConsumerDeps): Promise<Consumer> {
  const { db, channel, exchange, queue } = deps
  await channel.assertExchange(exchange, 'topic', { durable: true })
  await channel.assertQueue(queue, { durable: true })
  await channel.bindQueue(queue, exchange, 'order.created')
  await channel.prefetch(10)
  const inFlight = new Set<Promise<void>>()

  // After stop() the channel may close under a message in flight: its ack or nack then
  // throws, and the broker redelivers the message anyway.
  const safely = (fn: () => void) => {
    try {
      fn()
    } catch {
      // the channel is gone
    }
  }

  const handle = async (msg: ConsumeMessage) => {
    const event = parse(msg)
    // A message that can never be understood is dropped, not requeued forever.
    if (!event) return safely(() => channel.nack(msg, false, false))
    try {
      await apply(db, event)
      safely(() => channel.ack(msg))
    } catch {
      // The database hiccuped: give the message back after a pause, so it is not lost.
      setTimeout(() => safely(() => channel.nack(msg, false, true)), 200)
    }
  }

  const { consumerTag } = await channel.consume(queue, (msg) => {
    if (!msg) return
    const p = handle(msg).finally(() => inFlight.delete(p))
    inFlight.add(p)
  })

  return {
    async stop() {
      await channel.cancel(consumerTag)
      await Promise.allSettled(inFlight)
    },
  }
}
