import type { Channel } from 'amqplib'
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

export async function startIdempotentConsumer(options: IdempotentOptions, handler: Handler): Promise<void> {
  throw new Error('TODO: consume the queue; claim each messageId in Redis with SET NX before calling the handler; skip duplicates\nTODO(ru): получать сообщения из очереди; перед вызовом обработчика занимать каждый messageId в Redis через SET NX; дубликаты пропускать')
}
