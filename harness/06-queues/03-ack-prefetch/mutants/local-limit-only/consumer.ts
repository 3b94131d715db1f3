import type { Channel, ConsumeMessage } from 'amqplib'

export interface Delivery {
  body: unknown
  /** true when RabbitMQ delivered this message before and it was not acknowledged. */
  redelivered: boolean
}
export type Handler = (delivery: Delivery) => Promise<void>

/**
 * Consumes `queue` with at most `prefetch` unacknowledged messages in flight.
 * Success → ack. First failure → nack with requeue (one more try). Failure of a
 * redelivered message, or a body that is not JSON → nack without requeue: RabbitMQ
 * drops it or moves it to the queue's dead-letter exchange.
 */
export async function startConsumer(channel: Channel, queue: string, options: { prefetch: number }, handler: Handler): Promise<void> {
  // The broker enforces the window: it stops pushing once `prefetch` messages are unacked.
  // Our own window: at most `prefetch` handlers at once, the rest wait their turn here.
  let running = 0
  const waiting: (() => void)[] = []
  const next = () => {
    running--
    waiting.shift()?.()
  }
  await channel.consume(queue, async (msg: ConsumeMessage | null) => {
    if (!msg) return
    if (running >= options.prefetch) await new Promise<void>((resolve) => waiting.push(resolve))
    running++
    let body: unknown
    try {
      body = JSON.parse(msg.content.toString())
    } catch {
      channel.nack(msg, false, false) // a poison message: no retry can fix it
      next()
      return
    }
    const redelivered = msg.fields.redelivered
    handler({ body, redelivered })
      .then(
        () => channel.ack(msg),
        () => channel.nack(msg, false, !redelivered),
      )
      .finally(next)
  })
}
