import { randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import request from 'supertest'
import type { Pool } from 'pg'
import type { Channel, ChannelModel, GetMessage } from 'amqplib'
import { usePostgres } from '#support/postgres'
import { useRedis } from '#support/redis'
import { useRabbit } from '#support/rabbitmq'
import { loadTest, readyCount, serve, sleep, spyOn, waitFor, watchChannel } from '#support/projects'
import { createSale } from '@kata/projects/flash-sale'
import { createRelay } from '@kata/projects/flash-sale/outbox.ts'
import { startOrderWorker } from '@kata/projects/flash-sale/worker.ts'

const pg = usePostgres()
const redis = useRedis()
const rabbit = useRabbit()

interface Sale {
  open(stock: number): Promise<void>
  release(userId: string): Promise<void>
  handler: unknown
}
interface Relay {
  publishPending(limit?: number): Promise<number>
  start(intervalMs: number): { stop(): Promise<void> }
}
interface Reply {
  status: number
  body: any
  label: string
}
type Charge = (order: { orderId: string; userId: string }) => Promise<'paid' | 'declined'>

const SCHEMA = `
  create table orders (
    id uuid primary key,
    user_id text not null,
    status text not null check (status in ('pending', 'paid', 'cancelled', 'failed')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  );
  create unique index orders_one_active_per_user on orders (user_id) where status in ('pending', 'paid');
  create table outbox (
    id bigint generated always as identity primary key,
    topic text not null,
    payload jsonb not null,
    created_at timestamptz not null default now(),
    published_at timestamptz
  );`

let conn: ChannelModel
let admin: Channel
beforeAll(async () => {
  await pg.pool.query(SCHEMA)
  conn = await rabbit.connect()
  admin = await conn.createChannel()
})
beforeEach(async () => {
  await pg.pool.query('truncate orders, outbox restart identity')
})

/** A pg Pool whose query() and connect() calls are counted. */
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

// Pools and workers of a test end with it: the PostgreSQL server is shared.
const openPools: Pool[] = []
const stoppers: (() => Promise<void>)[] = []
const pool = (max = 10) => {
  const p = pg.newPool({ max, idleTimeoutMillis: 1000 })
  openPools.push(p)
  return p
}
afterEach(async () => {
  await Promise.allSettled(stoppers.splice(0).map((s) => s()))
  await Promise.allSettled(openPools.splice(0).map((p) => p.end()))
})

/** One instance of the sale: its own pool and Redis connection (the same keyspace). */
async function instance() {
  const db = countingPool(pool())
  const sale = createSale({ db, redis: redis.client() }) as Sale
  const server = await serve(sale?.handler, 'createSale(…).handler')
  const call = async (method: 'get' | 'post', path: string, body?: unknown): Promise<Reply> => {
    let r = request(server.url)[method](path)
    if (body !== undefined) r = r.send(body as object)
    const res = await r
    return { status: res.status, body: res.body, label: `${method.toUpperCase()} ${path}${body === undefined ? '' : ` ${JSON.stringify(body)}`}` }
  }
  return { db, sale, call, url: server.url, buy: (userId: string) => call('post', '/buy', { userId }) }
}
type Instance = Awaited<ReturnType<typeof instance>>

const user = () => `u-${randomUUID().slice(0, 8)}`
const stockOf = async (s: Instance) => (await s.call('get', '/stock')).body?.stock
const rows = async () => (await pg.pool.query<{ id: string; user_id: string; status: string }>('select id, user_id, status from orders order by created_at')).rows
const outboxRows = async () => (await pg.pool.query<{ id: string; topic: string; payload: { orderId?: string; userId?: string }; published_at: Date | null }>('select id, topic, payload, published_at from outbox order by id')).rows
const count = (xs: number[], v: number) => xs.filter((x) => x === v).length

describe('step 1: the buy endpoint, without overselling', () => {
  it('POST /buy takes a unit: 201 { orderId, status: "pending" }, the order is stored, GET /stock goes down', async () => {
    const s = await instance()
    await s.sale.open(3)
    expect(await s.call('get', '/stock').then((r) => [r.status, r.body]), 'GET /stock after open(3)').toEqual([200, { stock: 3 }])
    const u = user()
    const r = await s.buy(u)
    expect([r.status, r.body], r.label).toEqual([201, { orderId: expect.any(String), status: 'pending' }])
    expect(await rows(), 'rows of the orders table').toEqual([{ id: r.body.orderId, user_id: u, status: 'pending' }])
    expect(await stockOf(s), 'GET /stock after one sale').toBe(2)
    const got = await s.call('get', `/orders/${r.body.orderId}`)
    expect([got.status, got.body], got.label).toEqual([200, { id: r.body.orderId, userId: u, status: 'pending' }])
    for (const id of [randomUUID(), 'not-a-uuid']) expect((await s.call('get', `/orders/${id}`)).status, `GET /orders/${id}`).toBe(404)
  })

  it('answers 409 { error: "sold out" } when nothing is left and 409 { error: "already bought" } to a second buy by the same user', async () => {
    const s = await instance()
    await s.sale.open(1)
    const u = user()
    expect((await s.buy(u)).status, 'the first buy').toBe(201)
    const again = await s.buy(u)
    expect([again.status, again.body], `${again.label} again, by the same user`).toEqual([409, { error: 'already bought' }])
    const late = await s.buy(user())
    expect([late.status, late.body], `${late.label} by another user, stock 0`).toEqual([409, { error: 'sold out' }])
    expect(await stockOf(s), 'GET /stock').toBe(0)
  })

  it('answers 400 to a missing or malformed userId, and takes nothing', async () => {
    const s = await instance()
    await s.sale.open(5)
    for (const body of [{}, { userId: '' }, { userId: 42 }, { userId: 'x'.repeat(65) }]) {
      const r = await s.call('post', '/buy', body)
      expect(r.status, r.label).toBe(400)
    }
    expect(await stockOf(s), 'stock after only rejected requests').toBe(5)
  })

  it('no oversell: 60 simultaneous buyers through two instances for 20 units get exactly 20 orders', async () => {
    const [a, b] = [await instance(), await instance()]
    await a.sale.open(20)
    const replies = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).buy(user())))
    const statuses = replies.map((r) => r.status)
    expect(count(statuses, 201), `201 replies of 60 buys for 20 units (statuses: ${statuses.join(',')})`).toBe(20)
    expect(count(statuses, 409), '409 replies').toBe(40)
    expect((await rows()).length, 'rows in the orders table').toBe(20)
    expect(await stockOf(a), 'GET /stock').toBe(0)
  })

  it('one unit per user, even when one user sends 10 requests at once through two instances', async () => {
    const [a, b] = [await instance(), await instance()]
    await a.sale.open(10)
    const u = user()
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).buy(u)))
    expect(count(replies.map((r) => r.status), 201), `201 replies to 10 simultaneous buys by one user (statuses: ${replies.map((r) => r.status).join(',')})`).toBe(1)
    expect(await stockOf(a), 'GET /stock (10 − 1)').toBe(9)
  })

  it('answers a sold-out sale from Redis alone: no database call once the stock is gone', async () => {
    const s = await instance()
    await s.sale.open(2)
    await s.buy(user())
    await s.buy(user())
    const before = s.db.calls
    const late = await Promise.all(Array.from({ length: 20 }, () => s.buy(user())))
    expect(count(late.map((r) => r.status), 409), '409 replies to 20 buys after the sale sold out').toBe(20)
    expect(s.db.calls - before, 'db.query/db.connect calls made for those 20 sold-out requests').toBe(0)
  })

  it('open(stock) starts a new sale; release(userId) gives a held unit back once', async () => {
    const s = await instance()
    const u = user()
    await s.sale.open(1)
    expect((await s.buy(u)).status, 'buy the only unit').toBe(201)
    await s.sale.release(u)
    expect(await stockOf(s), 'GET /stock after release(user)').toBe(1)
    await s.sale.release(u)
    expect(await stockOf(s), 'GET /stock after release(user) a second time (they hold nothing now)').toBe(1)
    await s.sale.release(user())
    expect(await stockOf(s), 'GET /stock after releasing a user who never bought').toBe(1)
    await s.sale.open(4)
    expect(await stockOf(s), 'GET /stock after open(4)').toBe(4)
    await pg.pool.query('truncate orders, outbox')
    expect((await s.buy(u)).status, 'a buyer of the previous sale buys in the new one').toBe(201)
  })

  it('when writing the order fails after the unit was taken, the unit goes back to the sale', async () => {
    const s = await instance()
    await s.sale.open(1)
    const doomed = `doomed-${randomUUID().slice(0, 8)}`
    // A real failure from PostgreSQL, whatever SQL writes the order: a trigger refuses this
    // one user's order row (as a full disk or a dropped connection would refuse any write).
    await pg.pool.query(`
      create or replace function injected_order_failure() returns trigger language plpgsql as $$
      begin
        if new.user_id = '${doomed}' then raise exception 'injected fault: the order write fails'; end if;
        return new;
      end $$;
      create trigger injected_order_failure before insert on orders for each row execute function injected_order_failure();`)
    let failed: Reply
    try {
      failed = await s.buy(doomed)
    } finally {
      await pg.pool.query('drop trigger if exists injected_order_failure on orders; drop function if exists injected_order_failure()')
    }
    expect(failed.status, `${failed.label} while PostgreSQL refuses the order insert: not a sale`).not.toBe(201)
    expect(await rows(), 'rows of the orders table after the failed write').toEqual([])
    expect(await stockOf(s), 'GET /stock after the order write failed (open(1): the unit was taken in Redis but never sold, so it must be put back)').toBe(1)
    const next = await s.buy(user())
    expect([next.status, next.body], `${next.label} by another user after the failed write: the last unit is still for sale`).toEqual([201, { orderId: expect.any(String), status: 'pending' }])
  })
})

/** The exchange, and a spy queue on it, for one test. */
async function events() {
  const exchange = rabbit.exchange('sale.events')
  const spy = await spyOn(await conn.createChannel(), exchange, rabbit.queue('spy'), 'order.placed')
  return { exchange, spy }
}
async function relay(exchange: string) {
  const channel = await conn.createConfirmChannel()
  const watch = watchChannel(channel)
  return { relay: createRelay({ db: pool(5), channel, exchange }) as Relay, channel, watch }
}

describe('step 2: the outbox relay', () => {
  it('POST /buy writes its order.placed event into the outbox in the same transaction', async () => {
    const s = await instance()
    await s.sale.open(5)
    const users = [user(), user(), user()]
    const orders = []
    for (const u of users) orders.push((await s.buy(u)).body.orderId)
    const out = await outboxRows()
    expect(out.map((r) => [r.topic, r.payload, r.published_at]), 'outbox rows as [topic, payload, published_at]').toEqual(orders.map((orderId, i) => ['order.placed', { orderId, userId: users[i] }, null]))
  })

  it('publishPending() publishes each pending row once, oldest first, and marks it published', async () => {
    const s = await instance()
    await s.sale.open(5)
    const { exchange, spy } = await events()
    const orders = []
    for (let i = 0; i < 4; i++) orders.push((await s.buy(user())).body.orderId)
    const { relay: r, watch } = await relay(exchange)
    expect(await r.publishPending(), 'publishPending() with 4 pending rows').toBe(4)
    await waitFor(() => spy.messages.length >= 4, () => `4 order.placed messages on the exchange (got ${spy.messages.length})${watch.describe()}`)
    expect(spy.messages.map((m) => (m.body as { orderId?: string }).orderId), 'orderIds of the published messages, in order').toEqual(orders)
    expect(spy.messages[0]!.raw.properties.deliveryMode, 'deliveryMode of a published message (2 = persistent)').toBe(2)
    expect((await outboxRows()).every((row) => row.published_at !== null), 'every outbox row has published_at set').toBe(true)
    expect(await r.publishPending(), 'publishPending() again, nothing pending').toBe(0)
    await sleep(200)
    expect(spy.messages.length, 'messages after the second call').toBe(4)
  })

  it('when publishing fails the rows stay pending, and a later relay publishes them: no event is lost', async () => {
    const s = await instance()
    await s.sale.open(5)
    const { exchange, spy } = await events()
    for (let i = 0; i < 3; i++) await s.buy(user())
    const broken = await relay(exchange)
    await broken.channel.close() // the broker connection is gone
    const outcome = await broken.relay.publishPending().then(
      (n) => `resolved ${n}`,
      () => 'rejected',
    )
    expect(['rejected', 'resolved 0'], 'publishPending() on a closed channel').toContain(outcome)
    expect((await outboxRows()).map((r) => r.published_at), 'published_at of the 3 rows after the failed attempt').toEqual([null, null, null])
    const good = await relay(exchange)
    expect(await good.relay.publishPending(), 'publishPending() on a working channel').toBe(3)
    await waitFor(() => spy.messages.length === 3, () => `the 3 events to arrive (got ${spy.messages.length})`)
  })

  it('two relays working at once publish every one of 60 rows exactly once', async () => {
    const s = await instance()
    await s.sale.open(60)
    const { exchange, spy } = await events()
    await Promise.all(Array.from({ length: 60 }, () => s.buy(user())))
    const [r1, r2] = [await relay(exchange), await relay(exchange)]
    const drain = async (r: Relay) => {
      while ((await r.publishPending(10)) > 0);
    }
    await Promise.all([drain(r1.relay), drain(r2.relay)])
    await waitFor(() => spy.messages.length >= 60, () => `60 messages (got ${spy.messages.length})${r1.watch.describe()}${r2.watch.describe()}`)
    await sleep(300)
    const ids = spy.messages.map((m) => (m.body as { orderId?: string }).orderId)
    expect(ids.length - new Set(ids).size, `messages published twice by the two relays (of ${ids.length})`).toBe(0)
    expect(new Set(ids).size, 'distinct orders published').toBe(60)
  })

  it('start(intervalMs) keeps publishing new rows until stop()', async () => {
    const s = await instance()
    await s.sale.open(10)
    const { exchange, spy } = await events()
    const { relay: r } = await relay(exchange)
    const loop = r.start(20)
    stoppers.push(() => loop.stop())
    await s.buy(user())
    await waitFor(() => spy.messages.length === 1, 'the running relay to publish the first order')
    await s.buy(user())
    await waitFor(() => spy.messages.length === 2, 'the running relay to publish the second order')
    await loop.stop()
    await s.buy(user())
    await sleep(300)
    expect(spy.messages.length, 'messages published after stop()').toBe(2)
    expect((await outboxRows()).filter((row) => row.published_at === null).length, 'pending outbox rows after stop() (the last order waits)').toBe(1)
  })
})

/** The whole pipeline: a sale, a running relay and a worker with the given payment service. */
async function pipeline(charge: Charge, opts: { maxRetries?: number; baseDelayMs?: number } = {}) {
  const s = await instance()
  const { exchange } = await events()
  const queues = { queue: rabbit.queue('orders'), retryQueue: rabbit.queue('orders.retry'), deadLetterQueue: rabbit.queue('orders.dlq') }
  const calls: { orderId: string; userId: string; at: number }[] = []
  const payments = {
    async charge(order: { orderId: string; userId: string }) {
      calls.push({ ...order, at: performance.now() })
      return charge(order)
    },
  }
  const channel = await conn.createChannel()
  const watch = watchChannel(channel)
  const worker = (await startOrderWorker({ db: pool(5), channel, sale: s.sale, payments, exchange, queues, maxRetries: opts.maxRetries ?? 2, baseDelayMs: opts.baseDelayMs ?? 30 })) as { stop(): Promise<void> }
  stoppers.push(async () => {
    await worker.stop()
    await channel.close().catch(() => undefined)
  })
  const { relay: r } = await relay(exchange)
  const loop = r.start(20)
  stoppers.push(() => loop.stop())
  const statusOf = async (orderId: string) => (await s.call('get', `/orders/${orderId}`)).body?.status
  return {
    ...s,
    exchange,
    queues,
    calls,
    watch,
    statusOf,
    async settle(orderId: string, status: string, timeoutMs = 4000) {
      let last: unknown
      await waitFor(
        async () => (last = await statusOf(orderId)) === status,
        () => `order ${orderId} to become "${status}" (status: ${JSON.stringify(last)}, charge calls: ${calls.filter((c) => c.orderId === orderId).length})${watch.describe()}`,
        timeoutMs,
      )
    },
  }
}

const deadLetters = async (queue: string) => {
  const out: GetMessage[] = []
  for (;;) {
    const m = await admin.get(queue, { noAck: true })
    if (!m) return out
    out.push(m)
  }
}

describe('step 3: payments with retries, a DLQ and compensation', () => {
  it('a placed order is charged once and becomes "paid"', async () => {
    const p = await pipeline(async () => 'paid')
    await p.sale.open(5)
    const u = user()
    const { orderId } = (await p.buy(u)).body
    await p.settle(orderId, 'paid')
    await sleep(150)
    expect(p.calls.map((c) => [c.orderId, c.userId]), 'payments.charge calls').toEqual([[orderId, u]])
  })

  it('a declined payment cancels the order and releases the unit: the stock comes back and the user may buy again', async () => {
    const p = await pipeline(async ({ userId }) => (userId.startsWith('poor') ? 'declined' : 'paid'))
    await p.sale.open(1)
    const poor = `poor-${user()}`
    const { orderId } = (await p.buy(poor)).body
    await p.settle(orderId, 'cancelled')
    expect(await stockOf(p), 'GET /stock after the cancellation').toBe(1)
    const again = await p.buy(poor)
    expect(again.status, `${again.label}: the same user after their order was cancelled`).toBe(201)
  })

  it('retries a failing payment service with exponential backoff through the retry queue, then settles', async () => {
    let failures = 2
    const p = await pipeline(
      async () => {
        if (failures-- > 0) throw new Error('payments: 503')
        return 'paid'
      },
      { maxRetries: 3, baseDelayMs: 60 },
    )
    await p.sale.open(5)
    const { orderId } = (await p.buy(user())).body
    await p.settle(orderId, 'paid')
    const gaps = p.calls.slice(1).map((c, i) => Math.round(c.at - p.calls[i]!.at))
    expect(p.calls.length, 'payments.charge calls (it threw twice, then paid)').toBe(3)
    expect(gaps[0]!, `ms between attempts 1 and 2 (baseDelayMs 60); gaps: ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(55)
    expect(gaps[1]!, `ms between attempts 2 and 3 (60 × 2); gaps: ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(115)
    expect(await readyCount(admin, p.queues.deadLetterQueue), 'messages in the DLQ').toBe(0)
  })

  it('after maxRetries the event goes to the DLQ with x-error and x-attempts, the order "failed", the unit released', async () => {
    const p = await pipeline(
      async () => {
        throw new Error('payments: down')
      },
      { maxRetries: 2, baseDelayMs: 20 },
    )
    await p.sale.open(1)
    const u = user()
    const { orderId } = (await p.buy(u)).body
    await p.settle(orderId, 'failed')
    await waitFor(async () => (await readyCount(admin, p.queues.deadLetterQueue)) === 1, 'the event to reach the DLQ')
    expect(p.calls.length, 'payments.charge calls (1 try + maxRetries 2)').toBe(3)
    const [dead] = await deadLetters(p.queues.deadLetterQueue)
    expect(JSON.parse(dead!.content.toString()), 'the dead-lettered body').toEqual({ orderId, userId: u })
    expect(dead!.properties.headers?.['x-error'], 'header x-error').toBe('payments: down')
    expect(Number(dead!.properties.headers?.['x-attempts']), 'header x-attempts').toBe(3)
    expect(await stockOf(p), 'GET /stock after the order failed').toBe(1)
  })

  it('a redelivered event for a settled order charges nobody again', async () => {
    const p = await pipeline(async () => 'paid')
    await p.sale.open(5)
    const u = user()
    const { orderId } = (await p.buy(u)).body
    await p.settle(orderId, 'paid')
    const copy = Buffer.from(JSON.stringify({ orderId, userId: u }))
    for (let i = 0; i < 3; i++) admin.publish(p.exchange, 'order.placed', copy, { contentType: 'application/json' })
    await waitFor(async () => (await readyCount(admin, p.queues.queue)) === 0, 'the worker to take the copies')
    await sleep(300)
    expect(p.calls.length, 'payments.charge calls after the event came 4 times').toBe(1)
    expect(await p.statusOf(orderId), 'the order status').toBe('paid')
  })

  it('a message that is not an order.placed event goes straight to the DLQ', async () => {
    const p = await pipeline(async () => 'paid')
    admin.publish(p.exchange, 'order.placed', Buffer.from('<html>'))
    await waitFor(async () => (await readyCount(admin, p.queues.deadLetterQueue)) === 1, () => `the broken message to reach the DLQ${p.watch.describe()}`)
    expect(p.calls.length, 'payments.charge calls').toBe(0)
  })
})

// Fixed by the statement: 1000 requests/s for 4 s from 100 connections, p99 under 500 ms,
// under 1% errors. Generous on purpose: the load generator, your server, PostgreSQL, Redis
// and RabbitMQ share two cores with whatever else runs on the machine.
const RATE = 1000
const SECONDS = 4
const P99_MS = 500
const MAX_ERROR_SHARE = 0.01
const STOCK = 300
/** The share of the trivial server's answered requests per second your server must answer. */
const RPS_SHARE = 0.6

const load = (url: string, seconds: number, rate: number) => loadTest({ url, path: '/buy', body: '{"userId":"load-[<id>]"}', rate, seconds })

/**
 * What this machine can do right now: the same load against a server that does nothing but
 * answer 409, measured in every attempt right before the learner's server (and again right after when the bar is missed). The bounds are a
 * ratio against it, so load from other processes (which slows the load generator and the
 * trivial server too) cancels out: at least RPS_SHARE of what it answered (never more than the
 * offered rate), and p99 under max(P99_MS, 3 × its p99 + 100 ms).
 */
async function reference(seconds = 2) {
  const trivial = await serve((req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(409, { 'content-type': 'application/json' })
      res.end('{"error":"sold out"}')
    })
  }, 'the reference server')
  try {
    const r = await load(trivial.url, seconds, RATE)
    return { ...r, answeredPerSecond: Object.values(r.statuses).reduce((a, b) => a + b, 0) / seconds }
  } finally {
    await trivial.close()
  }
}

describe('step 4: 1000 requests per second', () => {
  it(`sustains ${RATE} rps for ${SECONDS} s (p99 < ${P99_MS} ms, < 1% errors), sells exactly the stock, and every sale is paid and announced once`, async () => {
    const p = await pipeline(async () => 'paid')
    const spy = await spyOn(await conn.createChannel(), p.exchange, rabbit.queue('spy'), 'order.placed')
    const paidCount = async () => Number((await pg.pool.query("select count(*) from orders where status = 'paid'")).rows[0].count)
    // Waits until every order so far is paid and announced: autocannon stops at its deadline
    // without waiting for the requests still in flight, so a run's tail lands after it.
    let announcedBase = 0
    const quiesce = async (what: string) => {
      let n = 0
      let paid = 0
      await waitFor(
        async () => (paid = await paidCount()) === (n = (await rows()).length) && spy.messages.length === n - announcedBase,
        () => `${what}: all ${n} orders to be paid and announced (paid: ${paid}, events: ${spy.messages.length} of ${n - announcedBase})${p.watch.describe()}`,
        15_000,
        100,
      )
      return n
    }
    await p.sale.open(STOCK)
    await load(p.url, 0.5, 200) // warm-up: JIT, connection pools
    await sleep(300)
    // Up to three attempts, each a fresh sale: a burst of work from other processes on a shared
    // machine can spoil one run; a server that is really too slow fails all three.
    const tries: string[] = []
    let before = 0
    let charged = 0
    let run: { r: Awaited<ReturnType<typeof load>>; codes: Record<string, number>; total: number; bad: number; rps: number; minRps: number; maxP99: number; figures: string; machine: string } | undefined
    for (let attempt = 1; attempt <= 3; attempt++) {
      before = await quiesce(attempt === 1 ? 'after the warm-up' : `after attempt ${attempt - 1}`)
      announcedBase = before
      spy.messages.length = 0
      charged = p.calls.length
      // The baseline of this attempt, measured right before it: see reference().
      const ref = await reference()
      await p.sale.open(STOCK)
      const r = await load(p.url, SECONDS, RATE)
      const codes = r.statuses
      const answered = Object.values(codes).reduce((a, b) => a + b, 0)
      const total = answered + r.errors + r.timeouts
      const rps = answered / SECONDS
      // A burst of other work can start during the learner's run, after the baseline: when the
      // bar is missed, the baseline is measured again right after and the lower of the two counts.
      let base = ref
      if (rps < RPS_SHARE * Math.min(RATE, ref.answeredPerSecond) || r.p99 >= Math.max(P99_MS, 3 * ref.p99 + 100)) {
        const after = await reference()
        base = { ...ref, answeredPerSecond: Math.min(ref.answeredPerSecond, after.answeredPerSecond), p99: Math.max(ref.p99, after.p99) }
      }
      const minRps = RPS_SHARE * Math.min(RATE, base.answeredPerSecond)
      const maxP99 = Math.max(P99_MS, 3 * base.p99 + 100)
      const machine = `; a server that only answers 409, on this machine around your run: ${Math.round(base.answeredPerSecond)} rps, p99 ${base.p99} ms`
      run = {
        r,
        codes,
        total,
        bad: total - (codes['201'] ?? 0) - (codes['409'] ?? 0),
        rps,
        minRps,
        maxP99,
        figures: `your server: ${Math.round(rps)} rps, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, statuses ${JSON.stringify(codes)}, errors ${r.errors}, timeouts ${r.timeouts}`,
        machine,
      }
      tries.push(`attempt ${attempt}: ${run.figures}`)
      // Correctness is not retried: overselling or errors fail at once.
      expect(run.bad / total, `share of requests that failed (neither 201 nor 409, or no answer). ${run.figures}`).toBeLessThan(MAX_ERROR_SHARE)
      // Never more than the stock (an oversell fails at once); fewer only when the buyers that
      // got through were fewer, which a busy machine can cause: then the attempt is retried.
      expect(codes['201'] ?? 0, `201 replies (the stock was ${STOCK} for ${total} buyers): more than the stock is an oversell. ${run.figures}`).toBeLessThanOrEqual(STOCK)
      if (run.rps >= run.minRps && r.p99 < run.maxP99 && (codes['201'] ?? 0) === STOCK) break
    }
    const { r, figures, machine } = run!
    const history = tries.length > 1 ? ` [${tries.join('; ')}]` : ''
    expect(run!.codes['201'] ?? 0, `201 replies (the stock was ${STOCK} for ${run!.total} buyers): the sale must sell out. ${figures}${machine}${history}`).toBe(STOCK)
    expect(run!.rps, `requests per second answered (offered: ${RATE}/s for ${SECONDS} s; needed ≥ ${Math.round(run!.minRps)}). ${figures}${machine}${history}`).toBeGreaterThanOrEqual(run!.minRps)
    expect(r.p99, `p99 latency in ms (needed < ${run!.maxP99}). ${figures}${machine}${history}`).toBeLessThan(run!.maxP99)
    expect(await stockOf(p), 'GET /stock after the sale').toBe(0)
    let paid = 0
    await waitFor(
      async () => (paid = (await paidCount()) - before) >= STOCK,
      () => `all ${STOCK} orders to be paid (paid: ${paid}, events seen: ${spy.messages.length})${p.watch.describe()}`,
      15_000,
      100,
    )
    expect((await rows()).length - before, 'new rows in the orders table').toBe(STOCK)
    await waitFor(() => spy.messages.length >= STOCK, () => `${STOCK} order.placed events (seen: ${spy.messages.length})`, 5000)
    await sleep(300)
    const ids = spy.messages.map((m) => (m.body as { orderId?: string }).orderId)
    expect([ids.length, new Set(ids).size], `[events, distinct orders] announced for ${STOCK} sales`).toEqual([STOCK, STOCK])
    expect(new Set(p.calls.slice(charged).map((c) => c.orderId)).size, 'orders charged').toBe(STOCK)
  })

  it('GET /debug/profile?seconds=1 returns a CPU profile, taken under load, in which your code shows up', async () => {
    const s = await instance()
    await s.sale.open(100)
    const running = load(s.url, 2, 500)
    await sleep(300)
    const started = Date.now()
    const res = await request(s.url).get('/debug/profile?seconds=1')
    const took = Date.now() - started
    await running
    expect(res.status, 'GET /debug/profile?seconds=1').toBe(200)
    expect(String(res.headers['content-type']), 'content-type of the profile').toMatch(/json/)
    const prof = res.body as { nodes?: { callFrame?: { url?: string; functionName?: string } }[]; startTime?: number; endTime?: number; samples?: number[]; timeDeltas?: number[] }
    expect(Array.isArray(prof.nodes) && Array.isArray(prof.samples) && Array.isArray(prof.timeDeltas), 'the profile has nodes, samples and timeDeltas (the .cpuprofile format of the V8 inspector)').toBe(true)
    const µs = (prof.endTime ?? 0) - (prof.startTime ?? 0)
    expect(µs, 'endTime − startTime of the profile, in µs (seconds=1)').toBeGreaterThanOrEqual(900_000)
    expect(took, 'ms GET /debug/profile?seconds=1 took').toBeLessThan(5000)
    expect(prof.samples!.length, 'samples in the profile').toBeGreaterThan(50)
    const files = new Set(prof.nodes!.map((n) => n.callFrame?.url ?? '').filter(Boolean))
    expect([...files].some((f) => /sale\.ts/.test(f)), `a frame of sale.ts among the sampled functions (files seen: ${[...files].slice(0, 8).join(', ')}…)`).toBe(true)
    for (const q of ['abc', '0', '120']) expect((await request(s.url).get(`/debug/profile?seconds=${q}`)).status, `GET /debug/profile?seconds=${q}`).toBe(400)
  })
})
