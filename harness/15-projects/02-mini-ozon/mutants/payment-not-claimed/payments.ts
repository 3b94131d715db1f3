// Payments service: charges each created order once, through the bank it is given.
import type { Pool } from 'pg'
import { type Bus, type Metrics } from './platform.ts'

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

/** Attempts per order when the bank throws (a network error, a timeout). */
const ATTEMPTS = 3
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export function createPayments({ db, bus, bank, metrics }: { db: Pool; bus: Bus; bank: Bank; metrics: Metrics }): Payments {
  async function charge(orderId: number, userId: string, amountCents: number): Promise<ChargeResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await bank.charge({ orderId, userId, amountCents })
      } catch {
        if (attempt === ATTEMPTS) return { status: 'declined', reason: 'bank unavailable' }
        await sleep(50 * 2 ** (attempt - 1))
      }
    }
  }

  return {
    async migrate() {
      await db.query(`create table if not exists payments (
        order_id int primary key,
        status text not null,
        reason text)`)
    },
    async start() {
      await bus.subscribe('payments', ['order.created'], async (e) => {
        const { orderId, userId, totalCents } = e
        if (!Number.isInteger(orderId) || typeof userId !== 'string' || !Number.isInteger(totalCents)) return
        // The primary key claims the order: a redelivered order.created charges nobody twice.
        await db.query("insert into payments (order_id, status) values ($1, 'processing') on conflict (order_id) do update set status = 'processing'", [orderId])
        const result = await charge(orderId as number, userId, totalCents as number)
        const reason = result.status === 'declined' ? result.reason : null
        await db.query('update payments set status = $2, reason = $3 where order_id = $1', [orderId, result.status, reason])
        metrics.payments.inc({ result: result.status })
        await bus.publish(`payment.${result.status}`, { orderId, ...(reason ? { reason } : {}) })
      })
    },
  }
}
