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
  const done: { step: SagaStep<any>; result: unknown }[] = []
  const results: Record<string, unknown> = {}
  for (const step of steps) {
    let result: unknown
    try {
      // An action that throws synchronously is a failure like any other.
      result = await Promise.resolve().then(() => step.action())
    } catch (error) {
      const compensated: string[] = []
      const stuck: string[] = []
      for (const { step: s, result: r } of [...done].reverse()) {
        let undone = false
        for (let attempt = 1; attempt < compensationAttempts && !undone; attempt++) {
          try {
            await Promise.resolve().then(() => s.compensate(r))
            undone = true
          } catch {
            // transient failure: try again
          }
        }
        // A stuck compensation must not stop the others: undo as much as possible.
        ;(undone ? compensated : stuck).push(s.name)
      }
      return { ok: false, failedStep: step.name, error, compensated, stuck }
    }
    done.push({ step, result })
    results[step.name] = result
  }
  return { ok: true, results }
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
  const { inventory, payments, shipping } = services
  const outcome = await runSaga([
    {
      name: 'reserve',
      action: () => inventory.reserve(order.sku, order.qty),
      compensate: (reservationId: string) => inventory.release(reservationId),
    },
    {
      name: 'charge',
      action: () => payments.charge(order.customer, order.amountCents),
      compensate: (paymentId: string) => payments.refund(paymentId),
    },
    {
      name: 'ship',
      action: () => shipping.schedule(order.orderId, order.address),
      compensate: (shipmentId: string) => shipping.cancel(shipmentId),
    },
  ])
  if (outcome.ok) {
    const r = outcome.results as Record<'reserve' | 'charge' | 'ship', string>
    return { status: 'confirmed', reservationId: r.reserve, paymentId: r.charge, shipmentId: r.ship }
  }
  const reason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error)
  return { status: 'cancelled', failedStep: outcome.failedStep as 'reserve' | 'charge' | 'ship', reason, stuck: outcome.stuck }
}
