import type { Channel, ConfirmChannel } from 'amqplib'

export interface Topology {
  exchange: string
  type: 'direct' | 'topic'
  /** queue name → the binding keys (direct) or patterns (topic) it is bound with */
  bindings: Record<string, string[]>
}

/** Declares a durable exchange, durable queues, and every binding. Safe to call again. */
export async function declareTopology(channel: Channel, topology: Topology): Promise<void> {
  throw new Error('TODO: assertExchange, assertQueue for each queue, bindQueue for each key')
}

/** RabbitMQ's topic match: words split by ".", `*` is exactly one word, `#` is zero or more words. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  throw new Error('TODO: match the routing key against the pattern word by word')
}

/** Publishes `event` as JSON; tells whether any queue received it. */
export async function publishEvent(channel: ConfirmChannel, exchange: string, routingKey: string, event: unknown): Promise<'routed' | 'unroutable'> {
  throw new Error('TODO: publish with mandatory: true, wait for the confirm, check whether the message was returned')
}
