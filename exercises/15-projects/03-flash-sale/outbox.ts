// The outbox relay: moves committed events from the outbox table to RabbitMQ.
import type { ConfirmChannel } from 'amqplib'
import type { Pool } from 'pg'

export interface RelayDeps {
  db: Pool
  channel: ConfirmChannel
  /** Durable topic exchange; each row is published with its topic as the routing key. */
  exchange: string
}

export interface Relay {
  /** Publishes up to `limit` unpublished rows, oldest first; resolves to how many it published. */
  publishPending(limit?: number): Promise<number>
  /** Calls publishPending every `intervalMs` until stop(). */
  start(intervalMs: number): { stop(): Promise<void> }
}

export function createRelay(deps: RelayDeps): Relay {
  void deps
  throw new Error('TODO: createRelay({ db, channel, exchange }) — publish the outbox rows exactly once (step 2 of README.md)\nTODO(ru): createRelay({ db, channel, exchange }) — опубликовать строки outbox ровно один раз (шаг 2 в README.ru.md)')
}
