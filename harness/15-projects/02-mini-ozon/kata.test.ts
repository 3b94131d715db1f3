import { randomUUID } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import request from 'supertest'
import type { Pool } from 'pg'
import type { Channel, ChannelModel } from 'amqplib'
import { usePostgres } from '#support/postgres'
import { useRedis } from '#support/redis'
import { useRabbit } from '#support/rabbitmq'
import { serve, sleep, waitFor, type SpyMessage } from '#support/projects'
import { parseExposition, parsePromQL, walkPromQL, type MetricFamily, type PromExpr } from '#support/observability'
import { actionlint, allNeeds, commands, isDict, isNpmCi, jobsRunning, readWorkflow, simulate, usesAction, workflowSchemaErrors, type Job, type Workflow } from '#support/cicd'
import { startOzon } from '@kata/projects/mini-ozon'

const pg = usePostgres()
const redis = useRedis()
const rabbit = useRabbit()

interface Product {
  id: number
  name: string
  priceCents: number
  stock: number
}
interface Order {
  id: number
  userId: string
  status: string
  totalCents: number
  items: { productId: number; quantity: number; priceCents: number }[]
}
interface Charge {
  orderId: number
  userId: string
  amountCents: number
}
interface Mail {
  to: string
  template: string
  orderId: number
}
interface Reply {
  status: number
  body: any
  text: string
  headers: Record<string, string>
  label: string
}

/**
 * The bank of the tests decides by user id: "poor-…" is declined (after 400 ms), "flaky-…" throws on the
 * first two attempts for an order, "down-…" always throws; everybody else is approved.
 */
function fakeBank() {
  const calls: Charge[] = []
  return {
    calls,
    async charge(req: Charge) {
      calls.push({ ...req })
      await sleep(2)
      const attempts = calls.filter((c) => c.orderId === req.orderId).length
      if (req.userId.startsWith('down-')) throw new Error('bank: connection reset')
      if (req.userId.startsWith('flaky-') && attempts <= 2) throw new Error('bank: timeout')
      // A slow "no": the tests can look at the reserved stock before it comes back.
      if (req.userId.startsWith('poor-')) return sleep(400).then(() => ({ status: 'declined' as const, reason: 'insufficient funds' }))
      return { status: 'approved' as const }
    },
  }
}

function fakeMailer() {
  const sent: Mail[] = []
  return {
    sent,
    async send(mail: Mail) {
      sent.push({ ...mail })
    },
  }
}

let conn: ChannelModel
beforeAll(async () => {
  conn = await rabbit.connect()
})

/** A pg Pool whose query() and connect() calls are counted: a cache hit makes none. */
function countingPool(pool: Pool): Pool & { calls: number } {
  let calls = 0
  return new Proxy(pool, {
    get(target, prop) {
      if (prop === 'calls') return calls
      const v = Reflect.get(target, prop, target)
      if (prop === 'query' || prop === 'connect') {
        return (...args: unknown[]) => {
          calls++
          return (v as (...a: unknown[]) => unknown).apply(target, args)
        }
      }
      return typeof v === 'function' ? v.bind(target) : v
    },
  }) as Pool & { calls: number }
}

/**
 * The RabbitMQ connection handed to the shop: every channel it opens gets an error
 * listener, so a channel error (a double ack…) shows up in a failure message instead of
 * crashing the test run.
 */
function watchedConnection(errors: string[]): ChannelModel {
  const watch = <T extends Channel>(ch: T) => {
    ch.on('error', (err: Error) => errors.push(err.message))
    return ch
  }
  return new Proxy(conn, {
    get(target, prop) {
      if (prop === 'createChannel') return async () => watch(await target.createChannel())
      if (prop === 'createConfirmChannel') return async () => watch(await target.createConfirmChannel())
      const v = Reflect.get(target, prop, target)
      return typeof v === 'function' ? v.bind(target) : v
    },
  })
}

const openPools: Pool[] = []
const running: { stop(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.allSettled(running.splice(0).map((s) => s.stop()))
  await Promise.allSettled(openPools.splice(0).map((p) => p.end()))
})

/** One shop: its own pool, Redis client, bank, mailer and RabbitMQ names. */
async function shop(cacheTtlMs = 60_000) {
  const pool = pg.newPool({ max: 6, idleTimeoutMillis: 1000 })
  openPools.push(pool)
  const db = countingPool(pool)
  const bank = fakeBank()
  const mailer = fakeMailer()
  const exchanges: string[] = []
  const channelErrors: string[] = []
  const names = {
    exchange: (base: string) => {
      const name = rabbit.exchange(base)
      exchanges.push(name)
      return name
    },
    queue: (base: string) => rabbit.queue(base),
  }
  const ozon = (await startOzon({ db, redis: redis.client(), amqp: watchedConnection(channelErrors), names, bank, mailer, cacheTtlMs })) as { handler: unknown; stop(): Promise<void> }
  running.push(ozon)
  const server = await serve(ozon?.handler, 'startOzon(…).handler')
  const call = async (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown): Promise<Reply> => {
    let r = request(server.url)[method](path)
    if (body !== undefined) r = r.send(body as object)
    const res = await r
    return { status: res.status, body: res.body, text: res.text, headers: res.headers as Record<string, string>, label: `${method.toUpperCase()} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`}` }
  }
  const s = {
    db,
    bank,
    mailer,
    exchanges,
    call,
    /** " (RabbitMQ closed a channel: …)" when the shop's channels failed, else "". */
    trouble: () => (channelErrors.length ? ` (RabbitMQ closed a channel: ${channelErrors.join('; ')})` : ''),
    async product(fields: Partial<Omit<Product, 'id'>> = {}): Promise<Product> {
      const r = await call('post', '/catalog/products', { name: `Phone ${tag()}`, priceCents: 1000, stock: 10, ...fields })
      expect(r.status, `${r.label} → ${JSON.stringify(r.body)}`).toBe(201)
      return r.body
    },
    async put(user: string, productId: number, quantity: number) {
      const r = await call('put', `/carts/${user}/items/${productId}`, { quantity })
      expect(r.status, `${r.label} → ${JSON.stringify(r.body)}`).toBe(200)
      return r.body
    },
    stock: async (id: number) => (await call('get', `/catalog/products/${id}`)).body?.stock as number,
    async checkout(user: string): Promise<Order> {
      const r = await call('post', '/orders', { userId: user })
      expect(r.status, `${r.label} → ${JSON.stringify(r.body)}`).toBe(201)
      return r.body
    },
    /** Polls GET /orders/:id until the order reaches `status`. */
    async settle(orderId: number, status: string) {
      let last: unknown
      await waitFor(
        async () => (last = (await call('get', `/orders/${orderId}`)).body)?.status === status,
        () => `order ${orderId} to become "${status}" (GET /orders/${orderId} → ${JSON.stringify(last)}; bank calls for it: ${bank.calls.filter((c) => c.orderId === orderId).length}; mails: ${JSON.stringify(mailer.sent.filter((m) => m.orderId === orderId))})${s.trouble()}`,
        4000,
      )
    },
    async metrics() {
      const r = await call('get', '/metrics')
      expect(r.status, 'GET /metrics').toBe(200)
      return parseExposition(r.text)
    },
  }
  return s
}
type Shop = Awaited<ReturnType<typeof shop>>

const tag = () => randomUUID().slice(0, 8)
const user = (kind = 'u') => `${kind}-${tag()}`

/** Listens to every exchange the shop created: the events between its services. */
async function spy(s: Shop) {
  const ch = await conn.createChannel()
  const messages: SpyMessage[] = []
  expect(s.exchanges.length, 'exchanges the shop created through names.exchange(…)').toBeGreaterThan(0)
  for (const ex of s.exchanges) {
    const q = rabbit.queue('spy')
    await ch.assertQueue(q, { durable: false, autoDelete: true })
    await ch.bindQueue(q, ex, '#')
    await ch.consume(
      q,
      (msg) => {
        if (!msg) return
        let body: unknown
        try {
          body = JSON.parse(msg.content.toString())
        } catch {
          body = msg.content.toString()
        }
        messages.push({ routingKey: msg.fields.routingKey, body, raw: msg })
      },
      { noAck: true },
    )
  }
  return {
    messages,
    /** Routing keys of the events about one order, in the order they were seen. */
    keysFor: (orderId: number) => messages.filter((m) => (m.body as { orderId?: unknown })?.orderId === orderId).map((m) => m.routingKey),
    /** Publishes a copy of a seen event again: a redelivery as the services would get it. */
    replay(m: SpyMessage, times: number) {
      for (let i = 0; i < times; i++) ch.publish(m.raw.fields.exchange, m.routingKey, m.raw.content, m.raw.properties)
    },
  }
}

describe('step 1: catalog and cart', () => {
  it('POST /catalog/products creates a product: 201 { id, name, priceCents, stock }; GET returns it', async () => {
    const s = await shop()
    const r = await s.call('post', '/catalog/products', { name: 'Kettle', priceCents: 2590, stock: 4 })
    expect([r.status, r.body], r.label).toEqual([201, { id: expect.any(Number), name: 'Kettle', priceCents: 2590, stock: 4 }])
    const got = await s.call('get', `/catalog/products/${r.body.id}`)
    expect([got.status, got.body], got.label).toEqual([200, r.body])
    for (const path of ['/catalog/products/999999', '/catalog/products/abc']) expect((await s.call('get', path)).status, `GET ${path}`).toBe(404)
  })

  it('validates products: 400 for a bad name, price or stock; PATCH changes only the given fields', async () => {
    const s = await shop()
    for (const body of [{ priceCents: 1, stock: 1 }, { name: '', priceCents: 1, stock: 1 }, { name: 'X', priceCents: -1, stock: 1 }, { name: 'X', priceCents: 1.5, stock: 1 }, { name: 'X', priceCents: 1, stock: -1 }]) {
      const r = await s.call('post', '/catalog/products', body)
      expect(r.status, r.label).toBe(400)
    }
    const p = await s.product({ priceCents: 500, stock: 2 })
    const r = await s.call('patch', `/catalog/products/${p.id}`, { priceCents: 450 })
    expect([r.status, r.body], r.label).toEqual([200, { ...p, priceCents: 450 }])
    expect((await s.call('patch', `/catalog/products/${p.id}`, { stock: -3 })).status, `PATCH /catalog/products/${p.id} {"stock":-3}`).toBe(400)
    expect((await s.call('patch', '/catalog/products/999999', { stock: 3 })).status, 'PATCH /catalog/products/999999').toBe(404)
  })

  it('caches product reads in Redis: a repeated read, even by another instance, makes no database call', async () => {
    const [a, b] = [await shop(), await shop()]
    const p = await a.product()
    await a.call('get', `/catalog/products/${p.id}`)
    let before = a.db.calls
    await a.call('get', `/catalog/products/${p.id}`)
    expect(a.db.calls - before, `db calls for a second GET /catalog/products/${p.id}`).toBe(0)
    before = b.db.calls
    expect((await b.call('get', `/catalog/products/${p.id}`)).body, 'instance B reads the product instance A cached').toEqual(p)
    expect(b.db.calls - before, 'instance B: db calls for a product instance A cached').toBe(0)
    const raw = redis.raw()
    for (const k of await raw.keys(`${redis.prefix}*`)) expect(await raw.pttl(k), `PTTL of Redis key "${k}" (-1 = never expires)`).toBeGreaterThan(0)
  })

  it('a PATCH invalidates the cached product on every instance', async () => {
    const [a, b] = [await shop(), await shop()]
    const p = await a.product({ priceCents: 700 })
    await b.call('get', `/catalog/products/${p.id}`)
    await a.call('patch', `/catalog/products/${p.id}`, { priceCents: 650 })
    expect((await b.call('get', `/catalog/products/${p.id}`)).body?.priceCents, 'instance B: priceCents after instance A changed it to 650').toBe(650)
  })

  it('PUT /carts/:userId/items/:productId puts an item in the cart; GET /carts/:userId shows items with prices and the total', async () => {
    const s = await shop()
    const u = user()
    const phone = await s.product({ name: 'Phone', priceCents: 30000 })
    const case_ = await s.product({ name: 'Case', priceCents: 1500 })
    const empty = await s.call('get', `/carts/${u}`)
    expect([empty.status, empty.body], `${empty.label}: an empty cart`).toEqual([200, { userId: u, items: [], totalCents: 0 }])
    const r1 = await s.call('put', `/carts/${u}/items/${phone.id}`, { quantity: 1 })
    expect([r1.status, r1.body], r1.label).toEqual([200, { userId: u, items: [{ productId: phone.id, name: 'Phone', priceCents: 30000, quantity: 1 }], totalCents: 30000 }])
    await s.put(u, case_.id, 2)
    const r3 = await s.call('put', `/carts/${u}/items/${case_.id}`, { quantity: 3 })
    expect(r3.body, `${r3.label}: the quantity is replaced, not added`).toEqual({
      userId: u,
      items: [
        { productId: phone.id, name: 'Phone', priceCents: 30000, quantity: 1 },
        { productId: case_.id, name: 'Case', priceCents: 1500, quantity: 3 },
      ],
      totalCents: 34500,
    })
    const del = await s.call('delete', `/carts/${u}/items/${phone.id}`)
    expect([del.status, del.body], del.label).toEqual([200, { userId: u, items: [{ productId: case_.id, name: 'Case', priceCents: 1500, quantity: 3 }], totalCents: 4500 }])
  })

  it('rejects a bad quantity (400) and an unknown product (404)', async () => {
    const s = await shop()
    const u = user()
    const p = await s.product()
    for (const quantity of [0, -1, 1.5, '2']) {
      const r = await s.call('put', `/carts/${u}/items/${p.id}`, { quantity })
      expect(r.status, r.label).toBe(400)
    }
    const r = await s.call('put', `/carts/${u}/items/999999`, { quantity: 1 })
    expect(r.status, r.label).toBe(404)
    expect((await s.call('get', `/carts/${u}`)).body?.items, 'the cart after only rejected changes').toEqual([])
  })

  it('keeps carts in Redis: another instance sees the same cart, and users do not share carts', async () => {
    const [a, b] = [await shop(), await shop()]
    const [u1, u2] = [user(), user()]
    const p = await a.product({ priceCents: 800 })
    await a.put(u1, p.id, 2)
    expect((await b.call('get', `/carts/${u1}`)).body, `instance B: GET /carts/${u1}`).toEqual({ userId: u1, items: [{ productId: p.id, name: p.name, priceCents: 800, quantity: 2 }], totalCents: 1600 })
    expect((await b.call('get', `/carts/${u2}`)).body?.items, `GET /carts/${u2}: another user`).toEqual([])
  })
})

describe('step 2: checkout and the order pipeline', () => {
  it('POST /orders turns the cart into a pending order: 201, stock reserved, cart emptied', async () => {
    const s = await shop()
    const u = user()
    const a = await s.product({ priceCents: 1200, stock: 5 })
    const b = await s.product({ priceCents: 300, stock: 9 })
    await s.call('get', `/catalog/products/${a.id}`) // cached before the checkout
    await s.put(u, a.id, 2)
    await s.put(u, b.id, 1)
    const r = await s.call('post', '/orders', { userId: u })
    expect(r.status, `${r.label} → ${JSON.stringify(r.body)}`).toBe(201)
    expect(r.body, r.label).toMatchObject({ id: expect.any(Number), userId: u, status: 'pending', totalCents: 2700 })
    expect([...(r.body.items as Order['items'])].sort((x, y) => x.productId - y.productId), `${r.label}: items`).toEqual([
      { productId: a.id, quantity: 2, priceCents: 1200 },
      { productId: b.id, quantity: 1, priceCents: 300 },
    ])
    expect([await s.stock(a.id), await s.stock(b.id)], 'stock of both products right after the checkout (one was cached before it)').toEqual([3, 8])
    expect((await s.call('get', `/carts/${u}`)).body?.items, 'the cart after the checkout').toEqual([])
  })

  it('the order flows through payments to "paid": the bank is charged once, one mail "order-paid" is sent', async () => {
    const s = await shop()
    const u = user()
    const p = await s.product({ priceCents: 4999 })
    await s.put(u, p.id, 2)
    const order = await s.checkout(u)
    await s.settle(order.id, 'paid')
    expect(s.bank.calls.filter((c) => c.orderId === order.id), 'bank.charge calls for the order').toEqual([{ orderId: order.id, userId: u, amountCents: 9998 }])
    await waitFor(() => s.mailer.sent.length > 0, () => `a mail about order ${order.id}${s.trouble()}`)
    await sleep(200)
    expect(s.mailer.sent, 'mails sent').toEqual([{ to: u, template: 'order-paid', orderId: order.id }])
  })

  it('services talk through events on RabbitMQ: order.created → payment.approved → order.paid', async () => {
    const s = await shop()
    const events = await spy(s)
    const u = user()
    const p = await s.product()
    await s.put(u, p.id, 1)
    const order = await s.checkout(u)
    await s.settle(order.id, 'paid')
    await waitFor(() => events.keysFor(order.id).length >= 3, () => `three events about order ${order.id} (seen: ${JSON.stringify(events.keysFor(order.id))})`)
    await sleep(200)
    expect(events.keysFor(order.id), `routing keys of the events with orderId ${order.id}`).toEqual(['order.created', 'payment.approved', 'order.paid'])
  })

  it('refuses a checkout that cannot be served: empty cart 409, missing userId 400, not enough stock 409 (nothing reserved, cart kept)', async () => {
    const s = await shop()
    const u = user()
    const empty = await s.call('post', '/orders', { userId: u })
    expect(empty.status, `${empty.label}: the cart is empty`).toBe(409)
    const bad = await s.call('post', '/orders', {})
    expect(bad.status, bad.label).toBe(400)
    const a = await s.product({ stock: 5 })
    const b = await s.product({ stock: 1 })
    await s.put(u, a.id, 2)
    await s.put(u, b.id, 2)
    const r = await s.call('post', '/orders', { userId: u })
    expect(r.status, `${r.label}: 2 of product ${b.id} wanted, 1 in stock`).toBe(409)
    expect([await s.stock(a.id), await s.stock(b.id)], 'stock after the refused checkout (nothing reserved)').toEqual([5, 1])
    expect((await s.call('get', `/carts/${u}`)).body?.items?.length, 'items still in the cart, so the user can fix it').toBe(2)
    await sleep(200)
    expect(s.bank.calls, 'bank calls after only refused checkouts').toEqual([])
  })

  it('no oversell: 8 simultaneous checkouts for the last 3 units, through two instances, sell exactly 3', async () => {
    const [a, b] = [await shop(), await shop()]
    const p = await a.product({ stock: 3 })
    const users = Array.from({ length: 8 }, () => user())
    for (const u of users) await a.put(u, p.id, 1)
    const replies = await Promise.all(users.map((u, i) => (i % 2 ? a : b).call('post', '/orders', { userId: u })))
    const statuses = replies.map((r) => r.status)
    expect(statuses.filter((x) => x === 201).length, `201 replies of 8 checkouts for stock 3 (statuses: ${statuses.join(',')})`).toBe(3)
    expect(statuses.filter((x) => x === 409).length, '409 replies').toBe(5)
    expect(await a.stock(p.id), 'stock afterwards').toBe(0)
    for (const r of replies.filter((x) => x.status === 201)) await a.settle(r.body.id, 'paid')
  })
})

describe('step 3: payment failure and compensation', () => {
  it('a declined payment cancels the order and gives the stock back; one mail "order-cancelled"', async () => {
    const s = await shop()
    const events = await spy(s)
    const u = user('poor')
    const p = await s.product({ stock: 4, priceCents: 100000 })
    await s.put(u, p.id, 3)
    const order = await s.checkout(u)
    expect(await s.stock(p.id), 'stock right after the checkout (GET /catalog/products/:id caches it; the bank answers 400 ms later)').toBe(1)
    await s.settle(order.id, 'cancelled')
    expect(await s.stock(p.id), 'stock after the cancellation (GET /catalog/products/:id, which is cached)').toBe(4)
    await waitFor(() => s.mailer.sent.length > 0, () => `a mail about the cancelled order${s.trouble()}`)
    await sleep(200)
    expect(s.mailer.sent, 'mails sent').toEqual([{ to: u, template: 'order-cancelled', orderId: order.id }])
    expect(events.keysFor(order.id), 'routing keys of the events about the order').toEqual(['order.created', 'payment.declined', 'order.cancelled'])
    const other = user()
    await s.put(other, p.id, 4)
    await s.settle((await s.checkout(other)).id, 'paid')
  })

  it('retries a bank that fails: two errors then an approval is "paid" after 3 charge attempts', async () => {
    const s = await shop()
    const u = user('flaky')
    const p = await s.product()
    await s.put(u, p.id, 1)
    const order = await s.checkout(u)
    await s.settle(order.id, 'paid')
    expect(s.bank.calls.filter((c) => c.orderId === order.id).length, 'bank.charge calls for the order (it threw on the first two)').toBe(3)
  })

  it('gives up after 3 attempts when the bank keeps failing: the order is cancelled and the stock comes back', async () => {
    const s = await shop()
    const u = user('down')
    const p = await s.product({ stock: 2 })
    await s.put(u, p.id, 2)
    const order = await s.checkout(u)
    await s.settle(order.id, 'cancelled')
    expect(s.bank.calls.filter((c) => c.orderId === order.id).length, 'bank.charge calls for the order').toBe(3)
    expect(await s.stock(p.id), 'stock after the cancellation').toBe(2)
  })

  it('redelivered events change nothing: no second charge, no second mail, no stock given back twice', async () => {
    const s = await shop()
    const events = await spy(s)
    const [payer, poor] = [user(), user('poor')]
    const p = await s.product({ stock: 10 })
    await s.put(payer, p.id, 1)
    await s.put(poor, p.id, 2)
    const paid = await s.checkout(payer)
    const cancelled = await s.checkout(poor)
    await s.settle(paid.id, 'paid')
    await s.settle(cancelled.id, 'cancelled')
    await waitFor(() => s.mailer.sent.length === 2, () => `two mails (sent: ${JSON.stringify(s.mailer.sent)})`)
    await waitFor(() => events.keysFor(cancelled.id).length === 3 && events.keysFor(paid.id).length === 3, 'the spy to see all six events')
    for (const m of events.messages) events.replay(m, 2)
    await sleep(800)
    expect(s.bank.calls.filter((c) => c.orderId === paid.id).length, 'bank.charge calls for the paid order after order.created came 3 times').toBe(1)
    expect(s.bank.calls.filter((c) => c.orderId === cancelled.id).length, 'bank.charge calls for the declined order after order.created came 3 times').toBe(1)
    expect(s.mailer.sent.length, `mails after every event came 3 times: ${JSON.stringify(s.mailer.sent)}`).toBe(2)
    expect(await s.stock(p.id), 'stock after payment.declined came 3 times (10 − 1 paid)').toBe(9)
    expect((await s.call('get', `/orders/${paid.id}`)).body?.status, 'the paid order after payment events came again').toBe('paid')
  })
})

/** The value of a series with exactly these labels, 0 when it does not exist yet. */
function value(f: Map<string, MetricFamily>, name: string, labels: Record<string, string>): number {
  const want = JSON.stringify(Object.entries(labels).sort())
  for (const fam of f.values()) for (const s of fam.samples) if (s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === want) return s.value
  return 0
}
const familyOf = (f: Map<string, MetricFamily>, name: string) => [...f.values()].find((x) => x.name === name || x.name === name.replace(/_total$/, ''))

/** Runs two paid orders and one declined one, and waits until every mail is out. */
async function scenario(s: Shop) {
  const p = await s.product({ stock: 20, priceCents: 1000 })
  const orders: [Order, string][] = []
  for (const u of [user(), user(), user('poor')]) {
    await s.put(u, p.id, 1)
    orders.push([await s.checkout(u), u.startsWith('poor') ? 'cancelled' : 'paid'])
  }
  for (const [o, status] of orders) await s.settle(o.id, status)
  await waitFor(() => s.mailer.sent.length === 3, () => `three mails (sent: ${JSON.stringify(s.mailer.sent)})${s.trouble()}`)
  return p
}

describe('step 4: Prometheus metrics', () => {
  it('GET /metrics serves the Prometheus text format', async () => {
    const s = await shop()
    const r = await s.call('get', '/metrics')
    expect(r.status, r.label).toBe(200)
    expect(String(r.headers['content-type']), `${r.label}: content-type`).toMatch(/^text\/plain/)
    expect(() => parseExposition(r.text), `${r.label}: a body Prometheus can scrape`).not.toThrow()
  })

  it('counts orders, payments and mails by outcome: ozon_orders_total, ozon_payments_total, ozon_notifications_total', async () => {
    const s = await shop()
    await scenario(s)
    await sleep(100)
    const m = await s.metrics()
    const got = {
      'ozon_orders_total{status="created"}': value(m, 'ozon_orders_total', { status: 'created' }),
      'ozon_orders_total{status="paid"}': value(m, 'ozon_orders_total', { status: 'paid' }),
      'ozon_orders_total{status="cancelled"}': value(m, 'ozon_orders_total', { status: 'cancelled' }),
      'ozon_payments_total{result="approved"}': value(m, 'ozon_payments_total', { result: 'approved' }),
      'ozon_payments_total{result="declined"}': value(m, 'ozon_payments_total', { result: 'declined' }),
      'ozon_notifications_total{template="order-paid"}': value(m, 'ozon_notifications_total', { template: 'order-paid' }),
      'ozon_notifications_total{template="order-cancelled"}': value(m, 'ozon_notifications_total', { template: 'order-cancelled' }),
    }
    expect(got, 'series on a fresh instance after 2 paid orders and 1 declined one').toEqual({
      'ozon_orders_total{status="created"}': 3,
      'ozon_orders_total{status="paid"}': 2,
      'ozon_orders_total{status="cancelled"}': 1,
      'ozon_payments_total{result="approved"}': 2,
      'ozon_payments_total{result="declined"}': 1,
      'ozon_notifications_total{template="order-paid"}': 2,
      'ozon_notifications_total{template="order-cancelled"}': 1,
    })
    for (const name of ['ozon_orders_total', 'ozon_payments_total', 'ozon_notifications_total']) expect(familyOf(m, name)?.type, `# TYPE of ${name}`).toBe('counter')
  })

  it('each instance counts only its own work (a registry per instance, not the global one)', async () => {
    const a = await shop()
    await scenario(a)
    const b = await shop()
    const m = await b.metrics()
    expect(value(m, 'ozon_orders_total', { status: 'created' }), 'ozon_orders_total{status="created"} of a second, idle instance').toBe(0)
  })

  it('counts product cache hits and misses: ozon_cache_requests_total{result}', async () => {
    const s = await shop()
    const p = await s.product()
    const before = await s.metrics()
    await s.call('get', `/catalog/products/${p.id}`)
    await s.call('get', `/catalog/products/${p.id}`)
    await s.call('get', `/catalog/products/${p.id}`)
    const mid = await s.metrics()
    const delta = (f: Map<string, MetricFamily>, g: Map<string, MetricFamily>, result: string) => value(g, 'ozon_cache_requests_total', { result }) - value(f, 'ozon_cache_requests_total', { result })
    expect({ miss: delta(before, mid, 'miss'), hit: delta(before, mid, 'hit') }, 'change of ozon_cache_requests_total{result} for three GETs of a product nobody read before').toEqual({ miss: 1, hit: 2 })
    await s.call('patch', `/catalog/products/${p.id}`, { priceCents: 1 })
    await s.call('get', `/catalog/products/${p.id}`)
    const after = await s.metrics()
    expect({ miss: delta(mid, after, 'miss'), hit: delta(mid, after, 'hit') }, 'change for one GET after a PATCH invalidated the product').toEqual({ miss: 1, hit: 0 })
  })

  it('counts HTTP requests by method, route template and status, and times them in a histogram', async () => {
    const s = await shop()
    const [p, q] = [await s.product(), await s.product()]
    const before = await s.metrics()
    await s.call('get', `/catalog/products/${p.id}`)
    await s.call('get', `/catalog/products/${q.id}`)
    await s.call('get', `/catalog/products/${q.id}`)
    await s.call('get', '/catalog/products/999999')
    const m = await s.metrics()
    const route = '/catalog/products/:id'
    const d = (status: string) => value(m, 'http_requests_total', { method: 'GET', route, status }) - value(before, 'http_requests_total', { method: 'GET', route, status })
    expect({ 200: d('200'), 404: d('404') }, `change of http_requests_total{method="GET", route="${route}", status} for three 200s and one 404`).toEqual({ 200: 3, 404: 1 })
    const raw = [...m.values()].flatMap((f) => f.samples).filter((x) => Object.values(x.labels).some((v) => v.includes(String(q.id)) && v.includes('/')))
    expect(raw.map((x) => `${x.name}${JSON.stringify(x.labels)}`), 'series whose labels contain a raw path with an id (use the route template: one series per route, not per product)').toEqual([])
    expect(familyOf(m, 'http_request_duration_seconds')?.type, '# TYPE of http_request_duration_seconds').toBe('histogram')
    const count = value(m, 'http_request_duration_seconds_count', { method: 'GET', route }) - value(before, 'http_request_duration_seconds_count', { method: 'GET', route })
    expect(count, `change of http_request_duration_seconds_count{method="GET", route="${route}"} for four requests`).toBe(4)
    const inf = value(m, 'http_request_duration_seconds_bucket', { method: 'GET', route, le: '+Inf' })
    expect(inf, `http_request_duration_seconds_bucket{method="GET", route="${route}", le="+Inf"} equals its _count`).toBe(value(m, 'http_request_duration_seconds_count', { method: 'GET', route }))
  })
})

// ---------------------------------------------------------------------------- step 5

interface Panel {
  id?: unknown
  type?: unknown
  title?: unknown
  datasource?: unknown
  gridPos?: { x?: unknown; y?: unknown; w?: unknown; h?: unknown }
  targets?: { refId?: unknown; expr?: unknown }[]
  panels?: Panel[]
}
interface Query {
  where: string
  expr: string
  ast: PromExpr | Error
}

async function dashboard(): Promise<{ d: Record<string, any>; panels: Panel[]; queries: Query[] }> {
  const text = ((await import('@kata/projects/mini-ozon/dashboard.json?raw')) as { default: string }).default
  let d: Record<string, any>
  try {
    d = JSON.parse(text)
  } catch (err) {
    expect.fail(`dashboard.json is not valid JSON: ${(err as Error).message}`)
  }
  const top: Panel[] = Array.isArray(d.panels) ? d.panels : []
  const panels = top.flatMap((p) => [p, ...(Array.isArray(p.panels) ? p.panels : [])]).filter((p) => p.type !== 'row')
  const queries = panels.flatMap((p) =>
    (Array.isArray(p.targets) ? p.targets : []).map((t) => {
      const expr = typeof t.expr === 'string' ? t.expr : ''
      let ast: PromExpr | Error
      try {
        ast = parsePromQL(expr)
      } catch (err) {
        ast = err as Error
      }
      return { where: `panel "${String(p.title)}", query ${String(t.refId)}: ${expr}`, expr, ast }
    }),
  )
  return { d, panels, queries }
}

const RATE_FNS = ['rate', 'irate', 'increase']
type Vector = Extract<PromExpr, { kind: 'vector' }>
const vectors = (e: PromExpr) => [...walkPromQL(e)].filter((n) => n.node.kind === 'vector') as { node: Vector; ancestors: PromExpr[] }[]
const insideRate = (ancestors: PromExpr[]) => ancestors.some((a) => a.kind === 'call' && RATE_FNS.includes(a.fn))
/** Does a label matcher of the vector select `value` for `label`? */
function selects(v: Vector, label: string, value: string): boolean | undefined {
  const m = v.matchers.filter((x) => x.label === label)
  if (!m.length) return undefined
  return m.every((x) => {
    const re = new RegExp(`^(?:${x.value})$`)
    return x.op === '=' ? x.value === value : x.op === '!=' ? x.value !== value : x.op === '=~' ? re.test(value) : !re.test(value)
  })
}

/** A ratio query: lhs selects `label=value` of `metric`, rhs is `metric` without that filter. */
function isRatio(e: PromExpr, metric: string, label: string, value: string): boolean {
  for (const { node } of walkPromQL(e)) {
    if (node.kind !== 'binary' || node.op !== '/') continue
    const l = vectors(node.lhs).filter((x) => x.node.metric === metric)
    const r = vectors(node.rhs).filter((x) => x.node.metric === metric)
    if (l.length && r.length && l.every((x) => selects(x.node, label, value) === true) && r.every((x) => selects(x.node, label, value) === undefined)) return true
  }
  return false
}

async function workflowSource(): Promise<string> {
  return ((await import('@kata/projects/mini-ozon/.github/workflows/ci.yml?raw')) as { default: string }).default
}
function workflowOf(src: string): Workflow {
  const wf = readWorkflow(src)
  expect(wf !== undefined && wf.jobs.size > 0, '.github/workflows/ci.yml defines jobs: (it has none so far)').toBe(true)
  return wf!
}
const IMAGES = { postgres: /(^|\/)postgres(:|@|$)/, redis: /(^|\/)redis(:|@|$)/, rabbitmq: /(^|\/)rabbitmq(:|@|$)/ }
const testJob = (wf: Workflow): Job => {
  const jobs = jobsRunning(wf, 'test')
  expect(jobs.map((j) => j.id), 'jobs that run `npm test`').not.toEqual([])
  return jobs[0]!
}
const deploys = (wf: Workflow) => [...wf.jobs.values()].filter((j) => j.steps.some((s) => usesAction(s, 'docker/build-push-action') || commands(s.run).some((c) => /^docker\s+(push|buildx\s+build\b.*--push)/.test(c))))

describe('step 5: the Grafana dashboard and the CI/CD pipeline', () => {
  it('dashboard.json is a Grafana dashboard: title, uid, schemaVersion ≥ 36, ≥ 4 panels with unique ids on the 24-column grid', async () => {
    const { d, panels } = await dashboard()
    expect(typeof d.title === 'string' && d.title.trim() !== '' && !d.title.startsWith('TODO'), `"title" (${JSON.stringify(d.title)})`).toBe(true)
    expect(typeof d.uid === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(d.uid), `"uid" (${JSON.stringify(d.uid)}) is 1–40 letters, digits, "-" or "_"`).toBe(true)
    expect(typeof d.schemaVersion === 'number' && d.schemaVersion >= 36, `"schemaVersion" (${JSON.stringify(d.schemaVersion)}) ≥ 36`).toBe(true)
    expect(panels.length, 'panels (not counting rows)').toBeGreaterThanOrEqual(4)
    const ids = panels.map((p) => p.id)
    expect(new Set(ids).size, `panel ids ${JSON.stringify(ids)} are unique`).toBe(ids.length)
    for (const p of panels) {
      const g = p.gridPos ?? {}
      const ok = [g.x, g.y, g.w, g.h].every((v) => Number.isInteger(v)) && (g.x as number) >= 0 && (g.w as number) >= 1 && (g.h as number) >= 1 && (g.x as number) + (g.w as number) <= 24
      expect(ok, `panel "${String(p.title)}": gridPos ${JSON.stringify(p.gridPos)} has integers with x ≥ 0, w, h ≥ 1, x + w ≤ 24`).toBe(true)
      expect((p.datasource as { type?: unknown } | undefined)?.type, `panel "${String(p.title)}": datasource.type`).toBe('prometheus')
    }
  })

  it('every query is valid PromQL over metrics the shop really exports, and counters sit inside rate()', async () => {
    const { queries } = await dashboard()
    expect(queries.length, 'queries (panel targets with an "expr")').toBeGreaterThanOrEqual(4)
    const s = await shop()
    const p = await scenario(s)
    await s.call('get', `/catalog/products/${p.id}`)
    await s.call('get', `/catalog/products/${p.id}`)
    const m = await s.metrics()
    const exported = new Set<string>()
    for (const f of m.values()) {
      exported.add(f.name)
      for (const x of f.samples) exported.add(x.name)
      if (f.type === 'histogram') for (const sfx of ['_bucket', '_sum', '_count']) exported.add(f.name + sfx)
      if (f.type === 'counter' && !f.name.endsWith('_total')) exported.add(`${f.name}_total`)
    }
    for (const q of queries) {
      expect(q.ast instanceof Error ? q.ast.message : 'parses', q.where).toBe('parses')
      for (const { node, ancestors } of vectors(q.ast as PromExpr)) {
        expect(exported.has(node.metric), `${q.where}: "${node.metric}" is not a series GET /metrics exports (typo?)`).toBe(true)
        if (/_(total|bucket|count|sum)$/.test(node.metric)) expect(insideRate(ancestors), `${q.where}: "${node.metric}" only ever grows; show it through rate() or increase()`).toBe(true)
      }
    }
  })

  it('has the panels an on-call engineer needs: orders by status, decline ratio, cache hit ratio, p95 latency', async () => {
    const { queries } = await dashboard()
    const asts = queries.map((q) => q.ast).filter((a): a is PromExpr => !(a instanceof Error))
    const ordersByStatus = asts.some((e) => [...walkPromQL(e)].some(({ node }) => node.kind === 'aggregate' && (node.by ?? []).includes('status') && vectors(node).some((v) => v.node.metric === 'ozon_orders_total' && insideRate(v.ancestors))))
    expect(ordersByStatus, 'a query like sum by (status) (rate(ozon_orders_total[$__rate_interval]))').toBe(true)
    expect(asts.some((e) => isRatio(e, 'ozon_payments_total', 'result', 'declined')), 'a decline ratio: ozon_payments_total{result="declined"} / ozon_payments_total (rates of both)').toBe(true)
    expect(asts.some((e) => isRatio(e, 'ozon_cache_requests_total', 'result', 'hit')), 'a cache hit ratio: ozon_cache_requests_total{result="hit"} / ozon_cache_requests_total (rates of both)').toBe(true)
    const p95 = asts.some((e) =>
      [...walkPromQL(e)].some(({ node }) => {
        if (node.kind !== 'call' || node.fn !== 'histogram_quantile') return false
        const phi = node.args[0]
        const inner = node.args[1]
        return phi?.kind === 'number' && phi.value === 0.95 && inner?.kind === 'aggregate' && (inner.by ?? []).includes('le') && vectors(inner).some((v) => v.node.metric === 'http_request_duration_seconds_bucket')
      }),
    )
    expect(p95, 'p95 latency: histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[$__rate_interval])))').toBe(true)
  })

  it('.github/workflows/ci.yml is a valid workflow (GitHub schema and actionlint)', async () => {
    const src = await workflowSource()
    expect(workflowSchemaErrors('ci.yml', src), "errors from GitHub's workflow parser").toEqual([])
    workflowOf(src)
    expect(await actionlint('ci.yml', src), 'actionlint findings (line:column message [rule])').toEqual([])
  })

  it('CI: every push to main and every pull request runs npm test after checkout, setup-node and npm ci, with postgres, redis and rabbitmq containers', async () => {
    const wf = workflowOf(await workflowSource())
    const job = testJob(wf)
    for (const ev of [{ name: 'push', ref: 'refs/heads/main' }, { name: 'pull_request', ref: 'refs/heads/main', headRef: 'feature/cart', pr: 5 }] as const) {
      const sim = simulate(wf, ev)
      expect(sim.ran, `jobs that run on a ${ev.name === 'push' ? 'push to main' : 'pull request into main'}${sim.errors.length ? ` (${sim.errors.join('; ')})` : ''}`).toContain(job.id)
    }
    const at = (pred: (i: number) => boolean) => job.steps.findIndex((_, i) => pred(i))
    const checkout = at((i) => usesAction(job.steps[i]!, 'actions/checkout'))
    const setup = at((i) => usesAction(job.steps[i]!, 'actions/setup-node'))
    const ci = at((i) => commands(job.steps[i]!.run).some(isNpmCi))
    const test = at((i) => commands(job.steps[i]!.run).some((c) => /^npm\s+(test|t|run\s+test)\b/.test(c)))
    expect(checkout >= 0 && setup > checkout && ci > setup && test > ci, `jobs.${job.id}: steps in the order checkout (${checkout + 1}), setup-node (${setup + 1}), npm ci (${ci + 1}), npm test (${test + 1}); 0 = missing`).toBe(true)
    const services = isDict(job.raw.services) ? Object.values(job.raw.services) : []
    for (const [name, re] of Object.entries(IMAGES)) {
      expect(services.some((svc) => isDict(svc) && typeof svc.image === 'string' && re.test(svc.image)), `jobs.${job.id}.services: a ${name} container (image: ${name}:<version>)`).toBe(true)
    }
  })

  it('CD: a job builds and pushes the image only for a push to main, and only after the tests passed', async () => {
    const wf = workflowOf(await workflowSource())
    const job = testJob(wf)
    const found = deploys(wf)
    expect(found.map((j) => j.id), 'jobs that push an image (docker/build-push-action, or `docker push`)').not.toEqual([])
    for (const d of found) {
      expect([...allNeeds(wf, d.id)], `jobs.${d.id}.needs (directly or through other jobs): the tests must pass first`).toContain(job.id)
      expect(simulate(wf, { name: 'push', ref: 'refs/heads/main' }).ran, `jobs run by a push to main`).toContain(d.id)
      expect(simulate(wf, { name: 'pull_request', ref: 'refs/heads/main', headRef: 'feature/x', pr: 9 }).ran, 'jobs run by a pull request (a PR must not deploy)').not.toContain(d.id)
      expect(simulate(wf, { name: 'push', ref: 'refs/heads/feature/x' }).ran, 'jobs run by a push to a feature branch').not.toContain(d.id)
    }
  })
})
