// The composition root: builds the five services, wires them to the bus, serves HTTP.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ChannelModel } from 'amqplib'
import type { Pool } from 'pg'
import type { Redis } from 'ioredis'
import type { Mailer } from './notifications.ts'
import type { Bank } from './payments.ts'
import type { Names } from './platform.ts'

export type { Bank, ChargeResult } from './payments.ts'
export type { Mailer, Template } from './notifications.ts'
export type { Names } from './platform.ts'

export interface OzonDeps {
  db: Pool
  redis: Redis
  /** A RabbitMQ connection: open the channels you need on it. */
  amqp: ChannelModel
  names: Names
  bank: Bank
  mailer: Mailer
  /** How long a product stays in the cache (default 60 000 ms). */
  cacheTtlMs?: number
}

export interface Ozon {
  handler: (req: IncomingMessage, res: ServerResponse) => void
  /** Stops consuming and closes the channels it opened (not the deps it was given). */
  stop(): Promise<void>
}

export async function startOzon(deps: OzonDeps): Promise<Ozon> {
  void deps
  throw new Error('TODO: startOzon(deps) — create the tables, start the five services and return { handler, stop } (step 1 of README.md)\nTODO(ru): startOzon(deps) — создать таблицы, запустить пять сервисов и вернуть { handler, stop } (шаг 1 в README.ru.md)')
}
