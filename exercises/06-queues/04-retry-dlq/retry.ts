import type { Channel } from 'amqplib'

export interface RetryQueues {
  /** Where producers publish and the consumer consumes. */
  queue: string
  /** A delay queue nobody consumes: messages wait here for their TTL, then go back to `queue`. */
  retryQueue: string
  /** Where messages end up once they used up every retry. */
  deadLetterQueue: string
}
export interface RetryOptions {
  maxRetries: number
  baseDelayMs: number
}
export type Handler = (body: unknown, info: { attempt: number }) => Promise<void>

export async function startRetryingConsumer(channel: Channel, names: RetryQueues, options: RetryOptions, handler: Handler): Promise<void> {
  throw new Error('TODO: declare the three queues, consume `queue`, send failures to the delay queue with a TTL, then to the DLQ\nTODO(ru): объявить три очереди, получать сообщения из `queue`, неудачные отправлять в очередь задержки с TTL, а затем в очередь недоставленных сообщений (DLQ)')
}
