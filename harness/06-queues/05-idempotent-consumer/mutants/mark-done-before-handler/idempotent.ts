import type { Channel, ConsumeMessage } from 'amqplib'
import type { Redis } from 'ioredis'

export interface IdempotentOptions {
  channel: Channel
  queue: string
  redis: Redis
  /** How long a processed message id is remembered. */
  ttlSeconds: number
  /** How long a claim holds while a handler runs; after it a crashed consumer's message can be taken again. */
  lockMs: number
}
export type Handler = (body: unknown, meta: { messageId: string }) => Promise<void>

const RETRY_PAUSE_MS = 25

export async function startIdempotentConsumer(options: IdempotentOptions, handler: Handler): Promise<void> {
  const { channel, queue, redis, ttlSeconds, lockMs } = options

  const handle = async (msg: ConsumeMessage) => {
    const messageId = msg.properties.messageId as string | undefined
    let body: unknown
    try {
      if (!messageId) throw new Error('no messageId: cannot deduplicate')
      body = JSON.parse(msg.content.toString())
    } catch {
      channel.nack(msg, false, false)
      return
    }
    const key = `msg:${messageId}`
    // SET NX is the atomic "first one wins": of N copies only one gets OK.
    // Mark it first, so no other copy gets through while the handler runs.
    const claimed = await redis.set(key, 'done', 'EX', ttlSeconds, 'NX')
    if (!claimed) {
      if ((await redis.get(key)) === 'done') {
        channel.ack(msg) // a duplicate of finished work: nothing to do
      } else {
        // Someone holds the claim. They may still fail or die, so keep this copy: try again shortly.
        setTimeout(() => {
          try {
            channel.nack(msg, false, true)
          } catch {
            // The channel is gone: RabbitMQ requeues the message by itself.
          }
        }, RETRY_PAUSE_MS)
      }
      return
    }
    try {
      await handler(body, { messageId })
    } catch {
      channel.nack(msg, false, true)
      return
    }
    channel.ack(msg)
  }

  await channel.consume(queue, (msg) => {
    if (msg) void handle(msg).catch(() => channel.nack(msg, false, true))
  })
}
