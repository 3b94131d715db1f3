import type { RequestListener } from 'node:http'

export interface ChargeRequest {
  amount: number
  currency: string
  customer: string
}

export interface Payment extends ChargeRequest {
  id: string
  status: 'succeeded'
}

export interface AppOptions {
  /** The payment provider: has a side effect, must run once per idempotency key. */
  charge(request: ChargeRequest): Promise<{ chargeId: string }>
  /** How long a key is remembered after its request completed (default 24 h). */
  ttlMs?: number
  /** The clock (default Date.now); the suite moves it by hand. */
  now?: () => number
}

/** POST /payments with Idempotency-Key, GET /payments/:id (see README.md). */
export function createApp(options: AppOptions): RequestListener {
  throw new Error('TODO: return a listener where a retried POST /payments with the same Idempotency-Key replays the first response\nTODO(ru): вернуть обработчик, в котором повторный POST /payments с тем же Idempotency-Key получает первый ответ')
}
