/** One step of a saga: an action and the compensation that semantically undoes it. */
export interface SagaStep<T = unknown> {
  name: string
  action: () => Promise<T>
  /** Gets what the action resolved to (a reservation id, a payment id…). */
  compensate: (result: T) => Promise<void>
}

export interface SagaOptions {
  /** Tries per compensation before it is reported as stuck (default 3). */
  compensationAttempts?: number
}

export type SagaResult =
  | { ok: true; results: Record<string, unknown> }
  | {
      ok: false
      /** The step whose action failed. */
      failedStep: string
      /** What it threw. */
      error: unknown
      /** Steps compensated, in the order it happened (the reverse of the actions). */
      compensated: string[]
      /** Steps whose compensation kept failing: someone has to look at them. */
      stuck: string[]
    }

/**
 * Runs the actions one after another. When one fails, compensates the steps that had
 * completed, newest first, and reports what happened; never throws for a failed step.
 */
export async function runSaga(steps: readonly SagaStep<any>[], { compensationAttempts = 3 }: SagaOptions = {}): Promise<SagaResult> {
  throw new Error('TODO: runSaga — run the actions in order; on a failure, compensate the completed steps in reverse order (retrying each)\nTODO(ru): runSaga — выполнить действия по порядку; при сбое компенсировать выполненные шаги в обратном порядке (повторяя каждую компенсацию)')
}

export interface Services {
  inventory: {
    reserve(sku: string, qty: number): Promise<string>
    release(reservationId: string): Promise<void>
  }
  payments: {
    charge(customer: string, amountCents: number): Promise<string>
    refund(paymentId: string): Promise<void>
  }
  shipping: {
    schedule(orderId: string, address: string): Promise<string>
    cancel(shipmentId: string): Promise<void>
  }
}

export interface OrderRequest {
  orderId: string
  customer: string
  sku: string
  qty: number
  amountCents: number
  address: string
}

export type OrderOutcome =
  | { status: 'confirmed'; reservationId: string; paymentId: string; shipmentId: string }
  | { status: 'cancelled'; failedStep: 'reserve' | 'charge' | 'ship'; reason: string; stuck: string[] }

/** Places an order across three services: reserve stock → charge → ship, undone in reverse on failure. */
export async function placeOrderSaga(services: Services, order: OrderRequest): Promise<OrderOutcome> {
  throw new Error('TODO: placeOrderSaga — three saga steps (reserve, charge, ship) with their compensations, run by runSaga\nTODO(ru): placeOrderSaga — три шага саги (reserve, charge, ship) с компенсациями, выполняемые через runSaga')
}
