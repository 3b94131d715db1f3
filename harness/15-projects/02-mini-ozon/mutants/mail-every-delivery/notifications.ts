// Notifications service: one mail per order outcome, however often the event arrives.
import type { Redis } from 'ioredis'
import { type Bus, type Metrics } from './platform.ts'

export type Template = 'order-paid' | 'order-cancelled'

export interface Mailer {
  send(mail: { to: string; template: Template; orderId: number }): Promise<void>
}

export interface Notifications {
  /** Subscribes to order.paid and order.cancelled. */
  start(): Promise<void>
}

const TEMPLATES: Record<string, Template> = { 'order.paid': 'order-paid', 'order.cancelled': 'order-cancelled' }

export function createNotifications({ redis, bus, mailer, metrics }: { redis: Redis; bus: Bus; mailer: Mailer; metrics: Metrics }): Notifications {
  return {
    async start() {
      await bus.subscribe('notifications', Object.keys(TEMPLATES), async (e, key) => {
        const template = TEMPLATES[key]
        if (!template || !Number.isInteger(e.orderId) || typeof e.userId !== 'string') return
        // SET NX is the dedupe: only the first delivery of this outcome sends a mail.
        const mark = `notified:${e.orderId}:${template}`
        await redis.set(mark, '1', 'EX', 7 * 24 * 3600) // remember we sent it
        try {
          await mailer.send({ to: e.userId, template, orderId: e.orderId as number })
        } catch (err) {
          await redis.del(mark) // not sent: let the retry try again
          throw err
        }
        metrics.notifications.inc({ template })
      })
    },
  }
}
