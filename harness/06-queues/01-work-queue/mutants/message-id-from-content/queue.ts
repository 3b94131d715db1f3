import { createHash } from 'node:crypto'
import type { Channel, ConsumeMessage } from 'amqplib'

export type JobHandler = (job: unknown, meta: { messageId: string }) => Promise<void>

export interface Worker {
  /** Stops taking new jobs; resolves once the jobs already being handled are done. */
  stop(): Promise<void>
}

/** Producer: puts one job (any JSON value) on `queue` and returns its message id. */
export async function sendJob(channel: Channel, queue: string, job: unknown): Promise<string> {
  await channel.assertQueue(queue, { durable: true })
  // The same job always gets the same id, so consumers can spot duplicates.
  const messageId = createHash('sha256').update(JSON.stringify(job)).digest('hex')
  channel.sendToQueue(queue, Buffer.from(JSON.stringify(job)), { contentType: 'application/json', messageId })
  return messageId
}

/** Consumer: hands every job of `queue` to `handler`, acknowledging it once handled. */
export async function startWorker(channel: Channel, queue: string, handler: JobHandler): Promise<Worker> {
  await channel.assertQueue(queue, { durable: true })
  const inFlight = new Set<Promise<void>>()

  const handle = async (msg: ConsumeMessage) => {
    try {
      await handler(JSON.parse(msg.content.toString()), { messageId: String(msg.properties.messageId ?? '') })
      channel.ack(msg)
    } catch {
      // A job that fails (or is not JSON) is dropped, not redelivered forever.
      channel.reject(msg, false)
    }
  }

  const { consumerTag } = await channel.consume(queue, (msg) => {
    if (!msg) return // the broker cancelled the consumer
    const p = handle(msg).finally(() => inFlight.delete(p))
    inFlight.add(p)
  })

  return {
    async stop() {
      await channel.cancel(consumerTag)
      await Promise.all(inFlight)
    },
  }
}
