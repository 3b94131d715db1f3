import type { Channel, ConfirmChannel, ConsumeMessage } from 'amqplib'

export type Handler = (message: unknown) => Promise<void>

/** A queue that outlives a broker restart: durable, not exclusive, not auto-deleted. */
export async function declareDurableQueue(channel: Channel, queue: string): Promise<void> {
  await channel.assertQueue(queue, { durable: true, exclusive: false, autoDelete: false })
}

/**
 * Publishes `message` as persistent JSON and resolves once RabbitMQ has confirmed it:
 * before the confirm the message may still be lost with the publisher's connection.
 */
export async function publishPersistent(channel: ConfirmChannel, queue: string, message: unknown): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    channel.sendToQueue(queue, Buffer.from(JSON.stringify(message)), { persistent: true, contentType: 'application/json' }, (err) =>
      err ? reject(err) : resolve(),
    )
  })
}

/**
 * Consumes with manual acks: a message is acknowledged only after `handler` resolved,
 * so a consumer that dies mid-way leaves its unfinished messages to the next one.
 */
export async function startConsumer(channel: Channel, queue: string, handler: Handler): Promise<void> {
  await declareDurableQueue(channel, queue)
  await channel.consume(
    queue,
    (msg: ConsumeMessage | null) => {
      if (!msg) return
      let body: unknown
      try {
        body = JSON.parse(msg.content.toString())
      } catch {
        channel.reject(msg, false) // not JSON: no retry can fix it
        return
      }
      channel.ack(msg)
      handler(body).catch(() => undefined)
    },
    { noAck: false },
  )
}
