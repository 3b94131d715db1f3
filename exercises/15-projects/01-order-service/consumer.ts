import type { Channel } from 'amqplib'
import type { Pool } from 'pg'

export interface ConsumerDeps {
  db: Pool
  channel: Channel
  /** The topic exchange the app publishes OrderCreated events to. */
  exchange: string
  /** The consumer's own durable queue, bound to `order.created`. */
  queue: string
}

export interface Consumer {
  /** Stops taking new messages; resolves once the current ones are handled. */
  stop(): Promise<void>
}

export async function startConsumer(deps: ConsumerDeps): Promise<Consumer> {
  void deps
  throw new Error('TODO: startConsumer({ db, channel, exchange, queue }) — consume OrderCreated events and update user stats idempotently (step 3 of README.md)\nTODO(ru): startConsumer({ db, channel, exchange, queue }) — получать события OrderCreated и идемпотентно обновлять статистику пользователей (шаг 3 в README.ru.md)')
}
