import { randomUUID } from 'node:crypto'
import type { ChannelModel, ConsumeMessage } from 'amqplib'

export interface EventEnvelope {
  id: string
  type: string
  occurredAt: string
  payload: unknown
}
export type EventHandler = (event: EventEnvelope) => Promise<void>

export interface Subscription {
  /** Stops consuming; resolves when the handlers in progress are done. The queue stays. */
  stop(): Promise<void>
}

export interface EventBus {
  publish(type: string, payload: unknown): Promise<EventEnvelope>
  subscribe(queue: string, patterns: string[], handler: EventHandler): Promise<Subscription>
}

export async function createEventBus(connection: ChannelModel, exchange: string): Promise<EventBus> {
  const pub = await connection.createConfirmChannel()
  await pub.assertExchange(exchange, 'topic', { durable: true })

  return {
    async publish(type, payload) {
      const event: EventEnvelope = { id: randomUUID(), type, occurredAt: new Date().toISOString(), payload }
      await new Promise<void>((resolve, reject) =>
        pub.publish(exchange, type, Buffer.from(JSON.stringify(event)), { persistent: true, messageId: event.id, type, contentType: 'application/json' }, (err) =>
          err ? reject(err) : resolve(),
        ),
      )
      return event
    },

    async subscribe(queue, patterns, handler) {
      // A channel per subscriber: its failures, hangs and prefetch window are its own.
      const ch = await connection.createChannel()
      ch.on('error', () => undefined)
      // Every instance gets its own copy of the events, in a queue named after the service.
      const own = `${queue}.${randomUUID()}`
      await ch.assertQueue(own, { durable: true })
      for (const p of patterns) await ch.bindQueue(own, exchange, p)
      await ch.prefetch(16)
      const inFlight = new Set<Promise<void>>()
      const handle = async (msg: ConsumeMessage) => {
        try {
          await handler(JSON.parse(msg.content.toString()) as EventEnvelope)
          ch.ack(msg)
        } catch {
          // This subscriber failed; others have their own copy. No endless redelivery.
          ch.nack(msg, false, false)
        }
      }
      const { consumerTag } = await ch.consume(own, (msg) => {
        if (!msg) return
        const p = handle(msg).finally(() => inFlight.delete(p))
        inFlight.add(p)
      })
      return {
        async stop() {
          await ch.cancel(consumerTag)
          await Promise.all(inFlight)
          await ch.close()
        },
      }
    },
  }
}
