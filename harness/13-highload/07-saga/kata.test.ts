import { describe, expect, it } from 'vitest'
import { sleep } from '#support/highload'
import { placeOrderSaga, runSaga } from '@kata/highload/saga'

interface Step {
  name: string
  action: () => Promise<unknown>
  compensate: (result: never) => Promise<void>
}
type SagaResult =
  | { ok: true; results: Record<string, unknown> }
  | { ok: false; failedStep: string; error: unknown; compensated: string[]; stuck: string[] }
const run = runSaga as (steps: Step[], options?: { compensationAttempts?: number }) => Promise<SagaResult>

/**
 * Four steps that log every call. `fail` makes an action throw; `compensationFailures`
 * makes a compensation throw that many times before it succeeds (Infinity: always).
 */
function scripted(opts: { fail?: string; syncThrow?: boolean; compensationFailures?: Record<string, number> } = {}) {
  const log: string[] = []
  const failures = { ...opts.compensationFailures }
  const steps: Step[] = ['reserve', 'charge', 'ship', 'notify'].map((name, i) => ({
    name,
    action: ((): Promise<unknown> => {
      log.push(`do ${name}`)
      if (name === opts.fail) {
        if (opts.syncThrow) throw new Error(`${name} exploded`)
        return sleep(2).then(() => Promise.reject(new Error(`${name} failed`)))
      }
      return sleep(2).then(() => `${name}-result-${i}`)
    }) as Step['action'],
    compensate: (async (result: unknown) => {
      log.push(`undo ${name} (${String(result)})`)
      await sleep(1)
      if ((failures[name] ?? 0) > 0) {
        failures[name]!--
        throw new Error(`undo ${name} failed`)
      }
    }) as Step['compensate'],
  }))
  return { steps, log }
}

describe('step 1: runSaga(steps) runs actions and compensates in reverse', () => {
  it('runs every action once, in order, and resolves to their results by step name', async () => {
    const { steps, log } = scripted()
    const result = await run(steps)
    expect(log, 'calls made by runSaga(4 steps that all succeed)').toEqual(['do reserve', 'do charge', 'do ship', 'do notify'])
    expect(result, 'what runSaga resolved to').toEqual({ ok: true, results: { reserve: 'reserve-result-0', charge: 'charge-result-1', ship: 'ship-result-2', notify: 'notify-result-3' } })
  })

  it('waits for each action before starting the next', async () => {
    let running = 0
    let most = 0
    const slow = (name: string): Step => ({
      name,
      action: async () => {
        running++
        most = Math.max(most, running)
        await sleep(15)
        running--
        return name
      },
      compensate: async () => undefined,
    })
    await run([slow('a'), slow('b'), slow('c')])
    expect(most, 'most actions running at the same time').toBe(1)
  })

  it.each([
    { fail: 'reserve', calls: ['do reserve'], compensated: [] },
    { fail: 'charge', calls: ['do reserve', 'do charge', 'undo reserve (reserve-result-0)'], compensated: ['reserve'] },
    { fail: 'ship', calls: ['do reserve', 'do charge', 'do ship', 'undo charge (charge-result-1)', 'undo reserve (reserve-result-0)'], compensated: ['charge', 'reserve'] },
    {
      fail: 'notify',
      calls: ['do reserve', 'do charge', 'do ship', 'do notify', 'undo ship (ship-result-2)', 'undo charge (charge-result-1)', 'undo reserve (reserve-result-0)'],
      compensated: ['ship', 'charge', 'reserve'],
    },
  ])('a failure at "$fail" compensates exactly the completed steps, newest first, with their results', async ({ fail, calls, compensated }) => {
    const { steps, log } = scripted({ fail })
    const result = await run(steps)
    expect(log, `calls when the action of "${fail}" rejects`).toEqual(calls)
    expect(result.ok, `result.ok when "${fail}" fails`).toBe(false)
    if (result.ok) return
    expect(result.failedStep, 'result.failedStep').toBe(fail)
    expect(result.error, 'result.error: what the failed action threw').toEqual(new Error(`${fail} failed`))
    expect(result.compensated, 'result.compensated: in the order they ran').toEqual(compensated)
    expect(result.stuck, 'result.stuck').toEqual([])
  })

  it('treats an action that throws synchronously as a failed step', async () => {
    const { steps, log } = scripted({ fail: 'charge', syncThrow: true })
    const result = await run(steps).catch((err: unknown) => ({ threw: err }))
    expect(result, 'runSaga when the "charge" action throws before returning a promise: it must resolve, not reject').not.toHaveProperty('threw')
    expect(log, 'calls').toEqual(['do reserve', 'do charge', 'undo reserve (reserve-result-0)'])
    expect((result as SagaResult & { ok: false }).failedStep, 'failedStep').toBe('charge')
  })

  it('retries a compensation that fails (3 attempts by default)', async () => {
    const { steps, log } = scripted({ fail: 'ship', compensationFailures: { charge: 2 } })
    const result = await run(steps)
    expect(log.filter((l) => l.startsWith('undo charge')).length, 'attempts to undo "charge" when it fails twice, then works').toBe(3)
    expect(result, 'result').toMatchObject({ ok: false, failedStep: 'ship', compensated: ['charge', 'reserve'], stuck: [] })
  })

  it('reports a compensation that keeps failing as stuck, and still compensates the steps before it', async () => {
    const { steps, log } = scripted({ fail: 'notify', compensationFailures: { charge: Infinity } })
    const result = await run(steps)
    expect(log.filter((l) => l.startsWith('undo charge')).length, 'attempts to undo "charge" when it always fails').toBe(3)
    expect(log.at(-1), 'the last call: "reserve" must still be undone after "charge" got stuck').toBe('undo reserve (reserve-result-0)')
    expect(result, 'result').toMatchObject({ ok: false, failedStep: 'notify', compensated: ['ship', 'reserve'], stuck: ['charge'] })
  })

  it('honours compensationAttempts', async () => {
    const { steps, log } = scripted({ fail: 'charge', compensationFailures: { reserve: Infinity } })
    const result = await run(steps, { compensationAttempts: 5 })
    expect(log.filter((l) => l.startsWith('undo reserve')).length, 'attempts to undo "reserve" with { compensationAttempts: 5 }').toBe(5)
    expect(result, 'result').toMatchObject({ ok: false, stuck: ['reserve'], compensated: [] })
  })
})

// ------------------------------------------------------------------ step 2

/** Three in-memory services with an event log, failure switches and a few ms of latency. */
function shop() {
  const log: string[] = []
  const stock = new Map<string, number>([
    ['mug', 10],
    ['pen', 100],
    ['rare', 1],
  ])
  const balance = new Map<string, number>([
    ['ann', 10_000],
    ['bob', 10_000],
    ['broke', 50],
  ])
  const reservations = new Map<string, { sku: string; qty: number; released: boolean }>()
  const payments = new Map<string, { customer: string; amountCents: number; refunded: boolean }>()
  const shipments = new Map<string, { orderId: string; cancelled: boolean }>()
  /** The next n refunds fail before doing anything (a timeout). */
  const flaky = { refunds: 0 }
  let seq = 0
  const pause = () => sleep(1 + Math.floor(Math.random() * 3))
  const services = {
    inventory: {
      async reserve(sku: string, qty: number) {
        await pause()
        const left = stock.get(sku) ?? 0
        if (left < qty) throw new Error(`out of stock: ${sku}`)
        stock.set(sku, left - qty)
        const id = `res-${++seq}`
        reservations.set(id, { sku, qty, released: false })
        log.push(`reserve ${id}`)
        return id
      },
      async release(id: string) {
        await pause()
        const r = reservations.get(id)
        if (!r) throw new Error(`no reservation ${id}`)
        if (r.released) return
        r.released = true
        stock.set(r.sku, (stock.get(r.sku) ?? 0) + r.qty)
        log.push(`release ${id}`)
      },
    },
    payments: {
      async charge(customer: string, amountCents: number) {
        await pause()
        const left = balance.get(customer) ?? 0
        if (left < amountCents) throw new Error(`card declined: ${customer}`)
        balance.set(customer, left - amountCents)
        const id = `pay-${++seq}`
        payments.set(id, { customer, amountCents, refunded: false })
        log.push(`charge ${id}`)
        return id
      },
      async refund(id: string) {
        await pause()
        if (flaky.refunds > 0) {
          flaky.refunds--
          throw new Error('payments timeout')
        }
        const p = payments.get(id)
        if (!p) throw new Error(`no payment ${id}`)
        if (p.refunded) return
        p.refunded = true
        balance.set(p.customer, (balance.get(p.customer) ?? 0) + p.amountCents)
        log.push(`refund ${id}`)
      },
    },
    shipping: {
      async schedule(orderId: string, address: string) {
        await pause()
        if (address === 'nowhere') throw new Error('no courier delivers there')
        const id = `ship-${++seq}`
        shipments.set(id, { orderId, cancelled: false })
        log.push(`schedule ${id}`)
        return id
      },
      async cancel(id: string) {
        await pause()
        const s = shipments.get(id)
        if (!s) throw new Error(`no shipment ${id}`)
        s.cancelled = true
        log.push(`cancel ${id}`)
      },
    },
  }
  return { services, log, stock, balance, reservations, payments, shipments, flaky }
}

interface OrderRequest {
  orderId: string
  customer: string
  sku: string
  qty: number
  amountCents: number
  address: string
}
type Outcome =
  | { status: 'confirmed'; reservationId: string; paymentId: string; shipmentId: string }
  | { status: 'cancelled'; failedStep: string; reason: string; stuck: string[] }
const place = placeOrderSaga as (services: ReturnType<typeof shop>['services'], order: OrderRequest) => Promise<Outcome>
const req = (over: Partial<OrderRequest>): OrderRequest => ({ orderId: 'o-1', customer: 'ann', sku: 'mug', qty: 2, amountCents: 1500, address: 'Baker St 221b', ...over })

describe('step 2: placeOrderSaga(services, order) keeps three services consistent', () => {
  it('reserves, charges and ships, and answers with the three ids', async () => {
    const s = shop()
    const outcome = await place(s.services, req({}))
    expect(outcome, 'placeOrderSaga for 2 mugs, 1500 cents, ann').toEqual({ status: 'confirmed', reservationId: 'res-1', paymentId: 'pay-2', shipmentId: 'ship-3' })
    expect(s.log, 'calls to the services, in order').toEqual(['reserve res-1', 'charge pay-2', 'schedule ship-3'])
    expect(s.stock.get('mug'), 'mugs in stock afterwards (10 before)').toBe(8)
    expect(s.balance.get('ann'), "ann's balance afterwards (10000 before)").toBe(8500)
  })

  it('cancels at "reserve" when out of stock, touching nothing else', async () => {
    const s = shop()
    const outcome = await place(s.services, req({ sku: 'rare', qty: 2 }))
    expect(outcome, 'placeOrderSaga for 2 of "rare" (1 in stock)').toEqual({ status: 'cancelled', failedStep: 'reserve', reason: 'out of stock: rare', stuck: [] })
    expect(s.log, 'calls to the services').toEqual([])
  })

  it('cancels at "charge" when the card is declined, releasing the stock', async () => {
    const s = shop()
    const outcome = await place(s.services, req({ customer: 'broke' }))
    expect(outcome, 'placeOrderSaga for customer "broke" (balance 50)').toEqual({ status: 'cancelled', failedStep: 'charge', reason: 'card declined: broke', stuck: [] })
    expect(s.log, 'calls to the services').toEqual(['reserve res-1', 'release res-1'])
    expect(s.stock.get('mug'), 'mugs in stock afterwards').toBe(10)
  })

  it('cancels at "ship" when nobody delivers: refund first, then release', async () => {
    const s = shop()
    const outcome = await place(s.services, req({ address: 'nowhere' }))
    expect(outcome, 'placeOrderSaga to address "nowhere"').toEqual({ status: 'cancelled', failedStep: 'ship', reason: 'no courier delivers there', stuck: [] })
    expect(s.log, 'calls to the services').toEqual(['reserve res-1', 'charge pay-2', 'refund pay-2', 'release res-1'])
    expect(s.balance.get('ann'), "ann's balance afterwards").toBe(10_000)
    expect(s.stock.get('mug'), 'mugs in stock afterwards').toBe(10)
  })

  it('gets the refund through when the payments service times out twice', async () => {
    const s = shop()
    s.flaky.refunds = 2
    const outcome = await place(s.services, req({ address: 'nowhere' }))
    expect(outcome, 'placeOrderSaga to "nowhere" with two refund timeouts').toEqual({ status: 'cancelled', failedStep: 'ship', reason: 'no courier delivers there', stuck: [] })
    expect(s.balance.get('ann'), "ann's balance afterwards").toBe(10_000)
  })

  it('reports the refund as stuck when payments stays down, and still releases the stock', async () => {
    const s = shop()
    s.flaky.refunds = 1000
    const outcome = await place(s.services, req({ address: 'nowhere' }))
    expect(outcome, 'placeOrderSaga to "nowhere" while refunds always time out').toEqual({ status: 'cancelled', failedStep: 'ship', reason: 'no courier delivers there', stuck: ['charge'] })
    expect(s.stock.get('mug'), 'mugs in stock afterwards: the release must still happen').toBe(10)
  })

  it('40 sagas in parallel, a third of them failing at different steps, leave every service consistent', async () => {
    const s = shop()
    const orders: OrderRequest[] = Array.from({ length: 40 }, (_, i) => {
      const kind = i % 6
      return req({
        orderId: `o-${i}`,
        customer: kind === 1 ? 'broke' : i % 2 ? 'ann' : 'bob',
        sku: kind === 2 ? 'rare' : 'pen',
        qty: kind === 2 ? 1 : 1 + (i % 3),
        amountCents: 100 + i,
        address: kind === 3 ? 'nowhere' : `street ${i}`,
      })
    })
    const outcomes = await Promise.all(orders.map((o) => place(s.services, o)))
    const confirmed = orders.filter((_, i) => outcomes[i]!.status === 'confirmed')
    const expectedPens = 100 - confirmed.filter((o) => o.sku === 'pen').reduce((a, o) => a + o.qty, 0)
    const expectedRare = 1 - confirmed.filter((o) => o.sku === 'rare').length
    expect(s.stock.get('pen'), 'pens in stock = 100 minus the pens of confirmed orders').toBe(expectedPens)
    expect(s.stock.get('rare'), '"rare" in stock = 1 minus confirmed orders of it').toBe(expectedRare)
    for (const who of ['ann', 'bob', 'broke']) {
      const spent = confirmed.filter((o) => o.customer === who).reduce((a, o) => a + o.amountCents, 0)
      expect(s.balance.get(who), `${who}'s balance = start minus confirmed orders`).toBe((who === 'broke' ? 50 : 10_000) - spent)
    }
    const liveShipments = [...s.shipments.values()].filter((x) => !x.cancelled).map((x) => x.orderId).sort()
    expect(liveShipments, 'shipments not cancelled = the confirmed orders').toEqual(confirmed.map((o) => o.orderId).sort())
    const heldByCancelled = [...s.reservations.entries()].filter(([id, r]) => !r.released && !outcomes.some((o) => o.status === 'confirmed' && o.reservationId === id))
    expect(heldByCancelled.length, 'reservations still held that belong to no confirmed order').toBe(0)
    expect(outcomes.filter((o) => o.status === 'cancelled').length, 'cancelled orders (every 6th is "broke", "rare" sells once, "nowhere" cannot ship)').toBeGreaterThanOrEqual(13)
  })
})
