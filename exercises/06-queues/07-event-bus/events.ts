import type { ChannelModel } from 'amqplib'

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
  throw new Error('TODO: declare a topic exchange; publish envelopes to it; give every subscriber its own queue and channel\nTODO(ru): объявить обменник типа topic, публиковать в него конверты, каждому подписчику выделить свою очередь и канал')
}
