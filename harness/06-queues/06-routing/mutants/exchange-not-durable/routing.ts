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
  await channel.assertExchange(topology.exchange, topology.type, { durable: false })
  // (queues hold the messages, so only they need to survive a restart)
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
  const p = pattern.split('.')
  const k = routingKey.split('.')
  // match(i, j): does p[i..] match k[j..]? Memoised so patterns with many `#` stay linear-ish.
  const memo = new Map<number, boolean>()
  const match = (i: number, j: number): boolean => {
    const id = i * (k.length + 1) + j
    const cached = memo.get(id)
    if (cached !== undefined) return cached
    let result: boolean
    if (i === p.length) result = j === k.length
    else if (p[i] === '#') result = match(i + 1, j) || (j < k.length && match(i, j + 1))
    else result = j < k.length && (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1)
    memo.set(id, result)
    return result
  }
  return match(0, 0)
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
