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
  const client = await db.connect()
  try {
    await client.query('begin')
    await client.query('insert into orders (id, customer, amount_cents) values ($1, $2, $3)', [order.id, order.customer, order.amountCents])
    await client.query('insert into outbox (topic, payload) values ($1, $2)', [
      'order.placed',
      JSON.stringify({ orderId: order.id, customer: order.customer, amountCents: order.amountCents }),
    ])
    await client.query('commit')
  } catch (err) {
    await client.query('rollback').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * Moves committed events from the outbox table to the broker: at least once, in id order
 * within a batch. An event is marked published only after the broker confirmed it, so a
 * crash or a broker failure in between means it is sent again (same message id), never lost.
 */
export function createRelay({ db, publish, batchSize = 100, pollMs = 50 }: RelayOptions): Relay {
  let running = false
  let loop: Promise<void> | undefined

  async function runOnce(): Promise<number> {
    const client = await db.connect()
    let published = 0
    let failure: unknown
    try {
      await client.query('begin')
      // SKIP LOCKED: two relays (two instances) share the work instead of sending the
      // same rows twice or waiting for each other.
      const { rows } = await client.query<{ id: string; topic: string; payload: unknown }>(
        'select id, topic, payload from outbox where published_at is null order by id limit $1 for update skip locked',
        [batchSize],
      )
      for (const row of rows) {
        try {
          await publish(row.topic, row.payload, crypto.randomUUID())
        } catch (err) {
          failure = err // leave this one and the rest pending for the next round
          break
        }
        await client.query('update outbox set published_at = now() where id = $1', [row.id])
        published++
      }
      await client.query('commit')
    } catch (err) {
      await client.query('rollback').catch(() => undefined)
      throw err
    } finally {
      client.release()
    }
    if (failure !== undefined) throw failure
    return published
  }

  return {
    runOnce,
    start() {
      if (running) return
      running = true
      loop = (async () => {
        while (running) {
          let sent = 0
          try {
            sent = await runOnce()
          } catch {
            // Broker or database down: the events stay in the outbox; try again later.
          }
          if (sent === 0 && running) await sleep(pollMs)
        }
      })()
    },
    async stop() {
      running = false
      await loop
    },
  }
}
