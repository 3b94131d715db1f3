import type { Channel, ConsumeMessage } from 'amqplib'

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

const ATTEMPT = 'x-attempt'

export async function startRetryingConsumer(channel: Channel, names: RetryQueues, options: RetryOptions, handler: Handler): Promise<void> {
  const { queue, retryQueue, deadLetterQueue } = names
  await channel.assertQueue(queue, { durable: true })
  await channel.assertQueue(deadLetterQueue, { durable: true })
  // Expired messages are dead-lettered through the default exchange straight back to the work queue.
  await channel.assertQueue(retryQueue, {
    durable: true,
    arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
  })

  await channel.consume(queue, (msg: ConsumeMessage | null) => {
    if (!msg) return
    // The attempt number travels with the message, so it survives a consumer restart.
    const attempt = Number(msg.properties.headers?.[ATTEMPT] ?? 1)
    const properties = { ...msg.properties, persistent: true }
    const deadLetter = (error: string) => {
      channel.sendToQueue(deadLetterQueue, msg.content, {
        ...properties,
        headers: { ...msg.properties.headers, 'x-attempts': attempt, 'x-error': error },
      })
    }
    const fail = (err: unknown) => {
      const error = err instanceof Error ? err.message : String(err)
      if (attempt > options.maxRetries) return deadLetter(error)
      const delay = options.baseDelayMs * 2 ** (attempt - 1)
      channel.sendToQueue(retryQueue, msg.content, {
        ...properties,
        expiration: String(delay),
        headers: { ...msg.properties.headers, [ATTEMPT]: attempt + 1 },
      })
      // Publish first, ack second: a crash in between duplicates the message instead of losing it.
      channel.ack(msg)
    }
    let body: unknown
    try {
      body = JSON.parse(msg.content.toString())
    } catch {
      return deadLetter('body is not JSON') // no retry can fix it
    }
    handler(body, { attempt }).then(() => channel.ack(msg), fail)
  })
}
