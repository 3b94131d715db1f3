import type { Channel, ConfirmChannel } from 'amqplib'

export interface Topology {
  exchange: string
  type: 'direct' | 'topic'
  /** queue name → the binding keys (direct) or patterns (topic) it is bound with */
  bindings: Record<string, string[]>
}

/** Declares a durable exchange, durable queues, and every binding. Safe to call again. */
export async function declareTopology(channel: Channel, topology: Topology): Promise<void> {
  throw new Error('TODO: assertExchange, assertQueue for each queue, bindQueue for each key\nTODO(ru): assertExchange, assertQueue для каждой очереди, bindQueue для каждого ключа')
}

/** RabbitMQ's topic match: words split by ".", `*` is exactly one word, `#` is zero or more words. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  throw new Error('TODO: match the routing key against the pattern word by word\nTODO(ru): сравнить ключ маршрутизации с шаблоном по словам')
}

/** Publishes `event` as JSON; tells whether any queue received it. */
export async function publishEvent(channel: ConfirmChannel, exchange: string, routingKey: string, event: unknown): Promise<'routed' | 'unroutable'> {
  throw new Error('TODO: publish with mandatory: true, wait for the confirm, check whether the message was returned\nTODO(ru): опубликовать с mandatory: true, дождаться подтверждения и проверить, не вернулось ли сообщение')
}
