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

export function createRelay({ db, channel, exchange }: RelayDeps): Relay {
  let ready: Promise<unknown> | undefined

  async function publishPending(limit = 100): Promise<number> {
    ready ??= channel.assertExchange(exchange, 'topic', { durable: true })
    await ready
    const c = await db.connect()
    try {
      await c.query('begin')
      // SKIP LOCKED: two relays split the rows between them instead of both sending them.
      const { rows } = await c.query<{ id: string; topic: string; payload: object }>(
        'select id, topic, payload from outbox where published_at is null order by id limit $1',
        [limit],
      )
      for (const r of rows) {
        channel.publish(exchange, r.topic, Buffer.from(JSON.stringify(r.payload)), {
          messageId: String(r.id),
          contentType: 'application/json',
          persistent: true,
        })
      }
      // Marked as published only once the broker confirmed every message. A crash in
      // between sends them again later: at least once, never lost.
      if (rows.length) await channel.waitForConfirms()
      await c.query('update outbox set published_at = now() where id = any($1::bigint[])', [rows.map((r) => r.id)])
      await c.query('commit')
      return rows.length
    } catch (err) {
      await c.query('rollback').catch(() => undefined)
      throw err
    } finally {
      c.release()
    }
  }

  return {
    publishPending,
    start(intervalMs) {
      let stopped = false
      let timer: NodeJS.Timeout | undefined
      let current: Promise<unknown> = Promise.resolve()
      const tick = () => {
        // Keep draining while there is a backlog; otherwise wait for the next tick.
        current = publishPending()
          .catch(() => 0)
          .then((n) => {
            if (!stopped) timer = setTimeout(tick, n > 0 ? 0 : intervalMs)
          })
      }
      tick()
      return {
        async stop() {
          stopped = true
          clearTimeout(timer)
          await current
        },
      }
    },
  }
}
