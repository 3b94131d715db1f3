// Notifications service: one mail per order outcome, however often the event arrives.
import type { Redis } from 'ioredis'
import type { Bus, Metrics } from './platform.ts'

export type Template = 'order-paid' | 'order-cancelled'

export interface Mailer {
  send(mail: { to: string; template: Template; orderId: number }): Promise<void>
}

export interface Notifications {
  /** Subscribes to order.paid and order.cancelled. */
  start(): Promise<void>
}

export function createNotifications(deps: { redis: Redis; bus: Bus; mailer: Mailer; metrics: Metrics }): Notifications {
  void deps
  throw new Error('TODO: createNotifications — one mail per order.paid / order.cancelled (steps 2 and 3 of README.md)\nTODO(ru): createNotifications — одно письмо на каждое order.paid / order.cancelled (шаги 2 и 3 в README.ru.md)')
}
