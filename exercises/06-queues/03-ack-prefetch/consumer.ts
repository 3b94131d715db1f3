import type { Channel } from 'amqplib'

export interface Delivery {
  body: unknown
  /** true when RabbitMQ delivered this message before and it was not acknowledged. */
  redelivered: boolean
}
export type Handler = (delivery: Delivery) => Promise<void>

/**
 * Consumes `queue` with at most `prefetch` unacknowledged messages in flight.
 * Success → ack. First failure → nack with requeue. Failure of a redelivered
 * message, or a body that is not JSON → nack without requeue.
 */
export async function startConsumer(channel: Channel, queue: string, options: { prefetch: number }, handler: Handler): Promise<void> {
  throw new Error('TODO: set channel.prefetch, consume, ack on success, nack (requeue once, then drop) on failure\nTODO(ru): задать channel.prefetch, получать сообщения, при успехе ack, при ошибке nack (один раз вернуть в очередь, потом отбросить)')
}
