import { randomUUID } from 'node:crypto'
import type { Channel, ConfirmChannel, Message } from 'amqplib'

export interface Topology {
  exchange: string
  type: 'direct' | 'topic'
  /** queue name → the binding keys (direct) or patterns (topic) it is bound with */
  bindings: Record<string, string[]>
}

/** Declares a durable exchange, durable queues, and every binding. Safe to call again. */
export async function declareTopology(channel: Channel, topology: Topology): Promise<void> {
  await channel.assertExchange(topology.exchange, topology.type, { durable: true })
  for (const [queue, keys] of Object.entries(topology.bindings)) {
    await channel.assertQueue(queue, { durable: true })
    for (const key of keys) await channel.bindQueue(queue, topology.exchange, key)
  }
}

/**
 * RabbitMQ's topic match: words are separated by ".", `*` is exactly one word,
 * `#` is zero or more words.
 */
export function topicMatches(pattern: string, routingKey: string): boolean {
  // * is one word, # is zero or more words (with the dot that joins them).
  const source = pattern
    .replace(/\*/g, '[^.]+')
    .replace(/\.#/g, '(.[^.]+)*')
    .replace(/#\./g, '([^.]+.)*')
    .replace(/^#$/, '.*')
  return new RegExp(`^${source}$`).test(routingKey)
}

const returned = new WeakMap<Channel, Set<string>>()

/**
 * Publishes `event` as JSON with `mandatory: true` and waits for the confirm.
 * An unroutable mandatory message comes back as a basic.return *before* its confirm,
 * so by the time the confirm arrives we know which it was.
 */
export async function publishEvent(channel: ConfirmChannel, exchange: string, routingKey: string, event: unknown): Promise<'routed' | 'unroutable'> {
  let ids = returned.get(channel)
  if (!ids) {
    const set = new Set<string>()
    channel.on('return', (msg: Message) => set.add(String(msg.properties.messageId)))
    returned.set(channel, (ids = set))
  }
  const messageId = randomUUID()
  await new Promise<void>((resolve, reject) => {
    channel.publish(exchange, routingKey, Buffer.from(JSON.stringify(event)), { mandatory: true, messageId, persistent: true, contentType: 'application/json' }, (err) =>
      err ? reject(err) : resolve(),
    )
  })
  const wasReturned = ids.delete(messageId)
  return wasReturned ? 'unroutable' : 'routed'
}
