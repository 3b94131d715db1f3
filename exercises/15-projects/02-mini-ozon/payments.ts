// Payments service: charges each created order once, through the bank it is given.
import type { Pool } from 'pg'
import type { Bus, Metrics } from './platform.ts'

export type ChargeResult = { status: 'approved' } | { status: 'declined'; reason: string }

/** The outside world: a real bank in production, a fake in the tests. */
export interface Bank {
  charge(request: { orderId: number; userId: string; amountCents: number }): Promise<ChargeResult>
}

export interface Payments {
  migrate(): Promise<void>
  /** Subscribes to order.created. */
  start(): Promise<void>
}

export function createPayments(deps: { db: Pool; bus: Bus; bank: Bank; metrics: Metrics }): Payments {
  void deps
  throw new Error('TODO: createPayments — charge each order.created once and publish payment.approved / payment.declined (steps 2 and 3 of README.md)\nTODO(ru): createPayments — списать оплату по каждому order.created один раз и опубликовать payment.approved / payment.declined (шаги 2 и 3 в README.ru.md)')
}
