import type { Redis } from 'ioredis'

export type Handler = (message: unknown) => void

export interface BusOptions {
  /** A connected client for commands: PUBLISH goes through it. */
  publisher: Redis
  /** Makes a new connection; a subscribed connection can do nothing but (un)subscribe. */
  connect: () => Redis
  /** Put in front of every channel name: the prefix of keys does not apply to channels. */
  namespace: string
}

export interface Bus {
  publish(channel: string, message: unknown): Promise<number>
  subscribe(channel: string, handler: Handler): Promise<() => Promise<void>>
  close(): Promise<void>
}

/**
 * A message bus on Redis Pub/Sub. Messages travel as JSON on the channel
 * `namespace + channel`; all subscriptions of one bus share one subscriber connection.
 */
export function createBus({ publisher, connect, namespace }: BusOptions): Bus {
  return {
    async publish(channel, message) {
      throw new Error('TODO: publish(channel, message) — PUBLISH the message as JSON on namespace + channel\nTODO(ru): publish(channel, message) — PUBLISH сообщения в JSON в канал namespace + channel')
    },
    async subscribe(channel, handler) {
      throw new Error('TODO: subscribe(channel, handler) — SUBSCRIBE on a connection of its own, resolve once it is active\nTODO(ru): subscribe(channel, handler) — SUBSCRIBE на отдельном соединении; разрешиться, когда подписка начнёт действовать')
    },
    async close() {
      throw new Error('TODO: close() — drop every subscription and close the subscriber connection\nTODO(ru): close() — снять все подписки и закрыть соединение подписчика')
    },
  }
}
