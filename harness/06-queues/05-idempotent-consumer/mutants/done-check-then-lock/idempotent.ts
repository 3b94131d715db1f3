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
    const doneKey = `done:${messageId}`
    const lockKey = `lock:${messageId}`
    // Already processed? Then it is a duplicate.
    if ((await redis.get(doneKey)) !== null) {
      channel.ack(msg)
      return
    }
    // Not done yet: take the lock so no other consumer handles it at the same time.
    const locked = await redis.set(lockKey, '1', 'PX', lockMs, 'NX')
    if (!locked) {
      setTimeout(() => {
        try {
          channel.nack(msg, false, true)
        } catch {
          // The channel is gone: RabbitMQ requeues the message by itself.
        }
      }, RETRY_PAUSE_MS)
      return
    }
    try {
      await handler(body, { messageId })
    } catch {
      await redis.del(lockKey)
      channel.nack(msg, false, true)
      return
    }
    await redis.set(doneKey, '1', 'EX', ttlSeconds)
    await redis.del(lockKey)
    channel.ack(msg)
  }

  await channel.consume(queue, (msg) => {
    if (msg) void handle(msg).catch(() => channel.nack(msg, false, true))
  })
}
