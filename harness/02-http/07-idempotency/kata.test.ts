import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { headersFirst, manualClock, sleep, type Reply } from '#support/http'
import { createApp } from '@kata/http/idempotency'

interface ChargeRequest {
  amount: number
  currency: string
  customer: string
}

/** A fake payment provider that records every charge (the side effect under test). */
function provider(opts: { delayMs?: number; failTimes?: number; hold?: () => Promise<unknown> } = {}) {
  const charges: ChargeRequest[] = []
  let failures = opts.failTimes ?? 0
  const calls = { count: 0, second: undefined as (() => void) | undefined }
  return {
    charges,
    /** How many times charge() was entered (a held call counts at once). */
    calls,
    charge: async (input: ChargeRequest) => {
      if (++calls.count === 2) calls.second?.()
      if (opts.hold) await opts.hold()
      if (opts.delayMs) await sleep(opts.delayMs)
      if (failures > 0) {
        failures--
        throw new Error('card network timeout')
      }
      charges.push(input)
      return { chargeId: `ch_${charges.length}` }
    },
  }
}

const body = { amount: 4200, currency: 'EUR', customer: 'cus_ada' }
const pay = (app: unknown, key: string | undefined, payload: unknown = body) => {
  const r = request(app as never).post('/payments')
  return (key === undefined ? r : r.set('Idempotency-Key', key)).send(payload as object)
}

describe('a POST with an Idempotency-Key', () => {
  it('charges once and answers 201 with the payment and its Location', async () => {
    const p = provider()
    const app = createApp({ charge: p.charge })
    const res = await pay(app, 'key-1')
    expect(res.status, 'POST /payments with Idempotency-Key: key-1').toBe(201)
    expect(res.body, 'POST /payments: body').toEqual({ id: 'ch_1', ...body, status: 'succeeded' })
    expect(res.headers.location, 'POST /payments: Location').toBe('/payments/ch_1')
    expect(p.charges, 'charges made').toEqual([body])
    const got = await request(app).get('/payments/ch_1')
    expect(got.status, 'GET /payments/ch_1').toBe(200)
    expect(got.body, 'GET /payments/ch_1').toEqual(res.body)
  })

  it('replays the first response to a retry with the same key and body, without charging again', async () => {
    const p = provider()
    const app = createApp({ charge: p.charge })
    const first = await pay(app, 'key-retry')
    const retries = [await pay(app, 'key-retry'), await pay(app, 'key-retry')]
    for (const [i, again] of retries.entries()) {
      const what = `retry #${i + 1} of POST /payments with Idempotency-Key: key-retry`
      expect(again.status, `${what}: status`).toBe(201)
      expect(again.body, `${what}: body (the first response)`).toEqual(first.body)
      expect(again.headers.location, `${what}: Location`).toBe(first.headers.location)
      expect(again.headers['idempotent-replayed'], `${what}: Idempotent-Replayed header`).toBe('true')
    }
    expect(first.headers['idempotent-replayed'], 'the first response: Idempotent-Replayed header').toBeUndefined()
    expect(p.charges, 'charges after one request and two retries').toHaveLength(1)
  })

  it('treats the same JSON with another key order and spacing as the same body', async () => {
    const p = provider()
    const app = createApp({ charge: p.charge })
    await pay(app, 'key-order')
    const again = await request(app)
      .post('/payments')
      .set('Idempotency-Key', 'key-order')
      .set('Content-Type', 'application/json')
      .send('{ "customer": "cus_ada",  "currency": "EUR", "amount": 4200 }')
    expect(again.status, 'retry with the same fields in another order').toBe(201)
    expect(again.headers['idempotent-replayed'], 'retry with the same fields in another order: Idempotent-Replayed').toBe('true')
    expect(p.charges, 'charges').toHaveLength(1)
  })

  it('rejects the same key with a different body: 422 idempotency_key_reused, nothing charged', async () => {
    const p = provider()
    const app = createApp({ charge: p.charge })
    await pay(app, 'key-reuse')
    const res = await pay(app, 'key-reuse', { ...body, amount: 9900 })
    expect(res.status, 'POST /payments reusing key-reuse with amount 9900 instead of 4200').toBe(422)
    expect(res.body, 'body').toEqual({ error: 'idempotency_key_reused' })
    expect(p.charges, 'charges').toHaveLength(1)
  })

  it('charges separately for different keys, even with the same body', async () => {
    const p = provider()
    const app = createApp({ charge: p.charge })
    const a = await pay(app, 'key-a')
    const b = await pay(app, 'key-b')
    expect([a.status, b.status], 'two POSTs with keys key-a and key-b').toEqual([201, 201])
    expect(a.body.id, 'payment ids of key-a and key-b').not.toBe(b.body.id)
    expect(p.charges, 'charges').toHaveLength(2)
  })

  it('charges exactly once for 10 concurrent requests with the same key; the others get 409 + Retry-After or the replay', async () => {
    // Forced interleaving: all 10 requests reach the app before any body is sent, and the first
    // charge is held until the 9 others have answered (or a second charge starts: the bug).
    let answered = 0
    let othersDone!: () => void
    const others = new Promise<void>((resolve) => (othersDone = resolve))
    let secondCharge!: () => void
    const second = new Promise<void>((resolve) => (secondCharge = resolve))
    const p = provider({
      // 1.5 s is only for a design that makes duplicates wait for the first and replay it.
      hold: () => Promise.race([others, second, sleep(1500)]),
    })
    p.calls.second = secondCharge
    const app = createApp({ charge: p.charge })
    const track = (reply: Reply) => {
      if (++answered === 9) othersDone()
      return reply
    }
    const responses = (
      await headersFirst(app, 10, { method: 'POST', path: '/payments', headers: { 'Idempotency-Key': 'key-race' }, body: JSON.stringify(body) })
    ).map(track)
    expect(
      p.calls.count,
      `charge() calls for 10 concurrent POSTs with the same Idempotency-Key: ${p.calls.count}. Several requests found the key free before one of them marked it: ` +
        'look the key up and mark it "in progress" in one step, with no await in between (and after the body has been read)',
    ).toBe(1)
    const originals = responses.filter((r) => r.status === 201 && r.headers['idempotent-replayed'] === undefined)
    expect(originals, 'responses that are the original (non-replayed) 201').toHaveLength(1)
    for (const r of responses) {
      if (r.status === 201) {
        expect(r.body, 'a 201 among the concurrent responses: body').toEqual(originals[0]!.body)
      } else {
        expect(r.status, 'a concurrent duplicate that is not a replay: status').toBe(409)
        expect(r.body, 'a concurrent duplicate: body').toEqual({ error: 'request_in_progress' })
        expect(r.headers['retry-after'], 'a concurrent duplicate: Retry-After header').toMatch(/^\d+$/)
      }
    }
    const later = await pay(app, 'key-race')
    expect(later.headers['idempotent-replayed'], 'a retry after the race is over: Idempotent-Replayed').toBe('true')
    expect(later.body, 'a retry after the race is over: body').toEqual(originals[0]!.body)
  })

  it('answers 422 to the same key with a different body while the first request is still running', async () => {
    let secondAnswered!: () => void
    const answered = new Promise<void>((resolve) => (secondAnswered = resolve))
    const p = provider({ hold: () => Promise.race([answered, sleep(1500)]) })
    const app = createApp({ charge: p.charge })
    const first = pay(app, 'key-busy').then((r) => r)
    while (p.calls.count === 0) await sleep(5)
    const other = await pay(app, 'key-busy', { ...body, amount: 9900 })
    secondAnswered()
    expect(other.status, 'POST /payments with key-busy and amount 9900 while the first key-busy request (amount 4200) is being charged: a different body is 422 whatever state the key is in').toBe(422)
    expect(other.body, 'body').toEqual({ error: 'idempotency_key_reused' })
    expect((await first).status, 'the first request').toBe(201)
    expect(p.charges, 'charges').toHaveLength(1)
  })

  it('charges in parallel for 10 concurrent requests with different keys', async () => {
    const p = provider({ delayMs: 50 })
    const app = createApp({ charge: p.charge })
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => pay(app, `key-par-${i}`)))
    expect(responses.map((r) => r.status), 'statuses of 10 concurrent POSTs with 10 different keys').toEqual(Array(10).fill(201))
    expect(p.charges, 'charges').toHaveLength(10)
  })
})

describe('failures and expiry', () => {
  it('does not remember a failed charge: 502, and a retry with the same key charges', async () => {
    const p = provider({ failTimes: 1 })
    const app = createApp({ charge: p.charge })
    const failed = await pay(app, 'key-fail')
    expect(failed.status, 'POST /payments while the provider throws').toBe(502)
    expect(failed.body, 'POST /payments while the provider throws: body').toEqual({ error: 'payment_failed' })
    const retry = await pay(app, 'key-fail')
    expect(retry.status, 'the retry with the same key once the provider works').toBe(201)
    expect(retry.headers['idempotent-replayed'], 'the retry after a failure is not a replay').toBeUndefined()
    expect(p.charges, 'charges').toHaveLength(1)
  })

  it('forgets a key after ttlMs: then the same key charges again', async () => {
    const clock = manualClock()
    const p = provider()
    const app = createApp({ charge: p.charge, ttlMs: 60_000, now: clock.now })
    await pay(app, 'key-ttl')
    clock.advance(59_000)
    const within = await pay(app, 'key-ttl')
    expect(within.headers['idempotent-replayed'], 'a retry 59 s later (ttlMs 60 s)').toBe('true')
    clock.advance(2_000)
    const after = await pay(app, 'key-ttl', { ...body, amount: 100 })
    expect(after.status, 'the same key 61 s later with another body (ttlMs 60 s): a new request').toBe(201)
    expect(after.headers['idempotent-replayed'], 'the same key after ttlMs: Idempotent-Replayed').toBeUndefined()
    expect(p.charges, 'charges').toHaveLength(2)
  })
})

describe('bad requests', () => {
  it('requires the Idempotency-Key header: 400 idempotency_key_required, nothing charged', async () => {
    const p = provider()
    const app = createApp({ charge: p.charge })
    for (const key of [undefined, '', 'k'.repeat(256)]) {
      const res = await pay(app, key)
      const what = key === undefined ? 'POST /payments without Idempotency-Key' : `POST /payments with a ${key.length}-character Idempotency-Key`
      expect(res.status, what).toBe(400)
      expect(res.body, `${what}: body`).toEqual({ error: 'idempotency_key_required' })
    }
    expect(p.charges, 'charges').toHaveLength(0)
  })

  it('accepts an Idempotency-Key of 1 and of 255 characters', async () => {
    const p = provider()
    const app = createApp({ charge: p.charge })
    expect((await pay(app, 'k')).status, 'POST /payments with a 1-character Idempotency-Key').toBe(201)
    expect((await pay(app, 'k'.repeat(255))).status, 'POST /payments with a 255-character Idempotency-Key (1..255 is allowed)').toBe(201)
  })

  it.each([
    ['a negative amount', { ...body, amount: -5 }],
    ['a fractional amount', { ...body, amount: 10.5 }],
    ['a lower-case currency', { ...body, currency: 'eur' }],
    ['no customer', { amount: 100, currency: 'EUR' }],
  ])('rejects %s with 400 invalid_body, nothing charged', async (_, payload) => {
    const p = provider()
    const res = await pay(createApp({ charge: p.charge }), 'key-bad', payload)
    expect(res.status, `POST /payments ${JSON.stringify(payload)}`).toBe(400)
    expect(res.body, 'body').toEqual({ error: 'invalid_body' })
    expect(p.charges, 'charges').toHaveLength(0)
  })
})
