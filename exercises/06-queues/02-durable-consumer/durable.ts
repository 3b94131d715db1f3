import type { Channel, ConfirmChannel } from 'amqplib'

export type Handler = (message: unknown) => Promise<void>

/** A queue that outlives a broker restart: durable, not exclusive, not auto-deleted. */
export async function declareDurableQueue(channel: Channel, queue: string): Promise<void> {
  throw new Error('TODO: declare the queue durable (not exclusive, not auto-delete)\nTODO(ru): объявить очередь устойчивой (не exclusive, не auto-delete)')
}

/** Publishes `message` as persistent JSON and resolves once RabbitMQ has confirmed it. */
export async function publishPersistent(channel: ConfirmChannel, queue: string, message: unknown): Promise<void> {
  throw new Error('TODO: sendToQueue with persistent: true and wait for the publisher confirm\nTODO(ru): sendToQueue с persistent: true и дождаться подтверждения публикации')
}

/** Consumes with manual acks: acknowledge a message only after `handler` resolved. */
export async function startConsumer(channel: Channel, queue: string, handler: Handler): Promise<void> {
  throw new Error('TODO: declare the queue, consume with manual acks, ack after the handler, nack + requeue when it fails\nTODO(ru): объявить очередь, получать сообщения с ручным подтверждением: ack после обработчика, при его ошибке nack с возвратом в очередь')
}
