import type pg from 'pg'

export interface Order {
  id: string
  customer: string
  amountCents: number
}

/** What the relay hands to the broker; the message id lets consumers drop duplicates. */
export type Publish = (topic: string, payload: unknown, messageId: string) => Promise<void>

export interface RelayOptions {
  db: pg.Pool
  publish: Publish
  /** At most this many events per runOnce (default 100). */
  batchSize?: number
  /** How long the loop waits when there was nothing to send or the broker failed (default 50 ms). */
  pollMs?: number
}

export interface Relay {
  /** Publishes pending events in id order; resolves to how many it published. */
  runOnce(): Promise<number>
  /** Runs runOnce in a loop until stop(). */
  start(): void
  /** Stops the loop; resolves once the current round is over. */
  stop(): Promise<void>
}

/**
 * Saves the order and its `order.placed` event in one transaction: both are committed or
 * neither is. Nothing is sent to the broker here — the relay does that later.
 */
export async function placeOrder(db: pg.Pool, order: Order): Promise<void> {
  throw new Error('TODO: placeOrder — insert the order and its outbox row in one transaction\nTODO(ru): placeOrder — вставить заказ и его строку outbox в одной транзакции')
}

/**
 * Moves committed events from the outbox table to the broker, at least once: an event is
 * marked published only after publish() resolved for it.
 */
export function createRelay({ db, publish, batchSize = 100, pollMs = 50 }: RelayOptions): Relay {
  return {
    async runOnce() {
      throw new Error('TODO: runOnce — publish the pending outbox rows in id order and mark each one published\nTODO(ru): runOnce — опубликовать ожидающие строки outbox в порядке id и пометить каждую опубликованной')
    },
    start() {
      throw new Error('TODO: start — call runOnce in a loop (waiting pollMs when idle or failing) until stop()\nTODO(ru): start — вызывать runOnce в цикле (ждать pollMs, когда работы нет или случилась ошибка) до вызова stop()')
    },
    async stop() {
      throw new Error('TODO: stop — end the loop and wait for the current round\nTODO(ru): stop — завершить цикл и дождаться окончания текущего прохода')
    },
  }
}
