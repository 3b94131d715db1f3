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
  await channel.prefetch(options.prefetch)
  // Handle messages in order, one after another.
  let chain: Promise<void> = Promise.resolve()
  await channel.consume(queue, (msg: ConsumeMessage | null) => {
    if (!msg) return
    let body: unknown
    try {
      body = JSON.parse(msg.content.toString())
    } catch {
      channel.nack(msg, false, false) // a poison message: no retry can fix it
      return
    }
    const redelivered = msg.fields.redelivered
    chain = chain.then(() =>
      handler({ body, redelivered }).then(
        () => channel.ack(msg),
        () => channel.nack(msg, false, !redelivered),
      ),
    )
  })
}
