import type { ChannelModel, ConfirmChannel } from 'amqplib'
import type pg from 'pg'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { useRabbit } from '#support/rabbitmq'
import { deferred, sleep, waitFor, withLatency } from '#support/highload'
import { createRelay, placeOrder } from '@kata/highload/outbox'

interface Order {
  id: string
  customer: string
  amountCents: number
}
type Publish = (topic: string, payload: unknown, messageId: string) => Promise<void>
interface Relay {
  runOnce(): Promise<number>
  start(): void
  stop(): Promise<void>
}
interface Delivered {
  messageId: string | undefined
  routingKey: string
  payload: { orderId?: string; customer?: string; amountCents?: number }
}

const pgx = usePostgres()
const rabbit = useRabbit()
let db: pg.Pool

/** A customer name for which the outbox insert fails (the suite's trigger), like a full disk would. */
const POISON = 'poison-outbox'

beforeAll(async () => {
  await pgx.pool.query(`
    create table orders (
      id text primary key,
      customer text not null,
      amount_cents int not null check (amount_cents > 0),
      created_at timestamptz not null default now()
    );
    create table outbox (
      id bigserial primary key,
      topic text not null,
      payload jsonb not null,
      created_at timestamptz not null default now(),
      published_at timestamptz
    );
    create function refuse_poison() returns trigger language plpgsql as $$
    begin
      if new.payload->>'customer' = '${POISON}' then
        raise exception 'outbox insert failed (injected by the tests)';
      end if;
      return new;
    end $$;
    create trigger refuse_poison before insert on outbox for each row execute function refuse_poison();
  `)
  db = withLatency(pgx.newPool({ max: 6 }), 1)
})

/**
 * The broker as the relay sees it: a `publish` backed by a real RabbitMQ confirm channel,
 * which the tests can break — close the connection (broker down), fail after n more
 * messages, or deliver a message and then throw as if the confirm got lost.
 */
class Broker {
  exchange = ''
  queue = ''
  delivered: Delivered[] = []
  down = false
  /** Publishes left before the broker "goes down" on its own; undefined: never. */
  failAfter: number | undefined
  /** The next n publishes reach the broker, then throw as if the confirm was lost. */
  loseAcks = 0
  published = 0
  private conn: ChannelModel | undefined
  private ch: ConfirmChannel | undefined

  async init() {
    this.exchange = rabbit.exchange('hl-outbox')
    this.queue = rabbit.queue('hl-outbox-events')
    const c = await rabbit.channel()
    await c.assertExchange(this.exchange, 'topic', { durable: false })
    await c.assertQueue(this.queue, { durable: false })
    await c.bindQueue(this.queue, this.exchange, '#')
    await c.consume(this.queue, (msg) => {
      if (!msg) return
      let payload: Delivered['payload'] = {}
      try {
        payload = JSON.parse(msg.content.toString()) as Delivered['payload']
      } catch {
        // not JSON: recorded as an empty payload, the checks will say so
      }
      this.delivered.push({ messageId: msg.properties.messageId as string | undefined, routingKey: msg.fields.routingKey, payload })
      c.ack(msg)
    })
    await this.up()
  }

  async up() {
    this.conn = await rabbit.connect()
    this.ch = await this.conn.createConfirmChannel()
    this.ch.on('error', () => undefined)
    this.down = false
  }

  /** Really closes the publishing connection: in-flight publishes fail, new ones throw. */
  async goDown() {
    this.down = true
    const conn = this.conn
    this.conn = undefined
    this.ch = undefined
    await conn?.close().catch(() => undefined)
  }

  publish: Publish = async (topic, payload, messageId) => {
    if (this.down || !this.ch) throw new Error('broker down: connection closed')
    if (this.failAfter !== undefined) {
      if (this.failAfter <= 0) throw new Error('broker down: connection refused')
      this.failAfter--
    }
    this.ch.publish(this.exchange, topic, Buffer.from(JSON.stringify(payload)), { messageId, persistent: true, contentType: 'application/json' })
    await this.ch.waitForConfirms()
    this.published++
    if (this.loseAcks > 0) {
      this.loseAcks--
      throw new Error('timed out waiting for the broker to confirm')
    }
  }

  orderIds() {
    return this.delivered.map((d) => d.payload.orderId)
  }
}

let broker: Broker
const relays: Relay[] = []
beforeEach(async () => {
  broker = new Broker()
  await broker.init()
  // Each test starts from an empty outbox: events of earlier tests are not its business.
  await pgx.pool.query('delete from outbox')
})
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop().catch(() => undefined)))
  await broker.goDown()
})

const relay = (opts: { batchSize?: number; pollMs?: number; publish?: Publish } = {}) => {
  const r = (createRelay as (o: { db: pg.Pool; publish: Publish; batchSize?: number; pollMs?: number }) => Relay)({ db, publish: broker.publish, ...opts })
  relays.push(r)
  return r
}

let n = 0
const order = (over: Partial<Order> = {}): Order => ({ id: `ord-${++n}`, customer: `cust-${n % 7}`, amountCents: 100 + n, ...over })
const place = (o: Order) => (placeOrder as (db: pg.Pool, o: Order) => Promise<void>)(db, o)
const outcome = (p: Promise<unknown>) => p.then(() => 'resolved' as const, (err: unknown) => err)

async function orderRow(id: string) {
  const { rows } = await pgx.pool.query<{ id: string; customer: string; amount_cents: number }>('select id, customer, amount_cents from orders where id = $1', [id])
  return rows[0]
}
async function outboxFor(orderId: string) {
  const { rows } = await pgx.pool.query<{ id: string; topic: string; payload: Delivered['payload']; published_at: Date | null }>(
    "select id, topic, payload, published_at from outbox where payload->>'orderId' = $1 order by id",
    [orderId],
  )
  return rows
}
async function pendingCount() {
  const { rows } = await pgx.pool.query<{ n: number }>('select count(*)::int as n from outbox where published_at is null')
  return rows[0]!.n
}

/** Waits until every id has been delivered at least once (or 15 s passed). */
async function waitDelivered(ids: string[], timeoutMs = 15_000) {
  return waitFor(() => {
    const got = new Set(broker.orderIds())
    return ids.every((id) => got.has(id))
  }, timeoutMs)
}

/** Every delivery is a real event: right topic, payload of a committed order, one message id per order. */
async function expectCleanDeliveries(what: string, committed: Order[], rejected: Order[]) {
  const byId = new Map(committed.map((o) => [o.id, o]))
  const rejectedIds = new Set(rejected.map((o) => o.id))
  const phantoms = broker.delivered.filter((d) => rejectedIds.has(d.payload.orderId ?? '')).map((d) => d.payload.orderId)
  expect(phantoms, `${what}: events delivered for orders that were rejected (phantom events)`).toEqual([])
  const missing = committed.filter((o) => !broker.orderIds().includes(o.id)).map((o) => o.id)
  expect(missing, `${what}: committed orders whose event never reached the broker (lost events)`).toEqual([])
  const wrong = broker.delivered
    .filter((d) => byId.has(d.payload.orderId ?? ''))
    .filter((d) => {
      const o = byId.get(d.payload.orderId!)!
      return d.routingKey !== 'order.placed' || d.payload.customer !== o.customer || d.payload.amountCents !== o.amountCents
    })
    .map((d) => `${d.routingKey} ${JSON.stringify(d.payload)}`)
  expect(wrong.slice(0, 3), `${what}: deliveries whose topic is not "order.placed" or whose payload does not match the order`).toEqual([])
  const idsPerOrder = new Map<string, Set<string | undefined>>()
  for (const d of broker.delivered) {
    const set = idsPerOrder.get(d.payload.orderId ?? '') ?? new Set()
    set.add(d.messageId)
    idsPerOrder.set(d.payload.orderId ?? '', set)
  }
  const unstable = [...idsPerOrder].filter(([, ids]) => ids.size > 1 || ids.has(undefined)).map(([id, ids]) => `${id}: ${[...ids].join(', ')}`)
  expect(unstable.slice(0, 3), `${what}: orders delivered without a message id, or twice with different ids (a consumer could not drop the duplicate)`).toEqual([])
}

describe('step 1: placeOrder saves the order and its event in one transaction', () => {
  it('inserts the order and one pending outbox row { topic: "order.placed", payload }', async () => {
    const o = order({ customer: 'ann', amountCents: 4200 })
    expect(await outcome(place(o)), `placeOrder(${JSON.stringify(o)})`).toBe('resolved')
    expect(await orderRow(o.id), 'the orders row').toEqual({ id: o.id, customer: 'ann', amount_cents: 4200 })
    const rows = await outboxFor(o.id)
    expect(rows.length, 'outbox rows whose payload.orderId is the order').toBe(1)
    expect(rows[0]!.topic, 'outbox.topic').toBe('order.placed')
    expect(rows[0]!.payload, 'outbox.payload').toEqual({ orderId: o.id, customer: 'ann', amountCents: 4200 })
    expect(rows[0]!.published_at, 'outbox.published_at of a new event (null: not sent yet)').toBeNull()
    expect(broker.delivered, 'messages on the broker: placeOrder must not publish, the relay does').toEqual([])
  })

  it('leaves no event behind when the order insert fails (amount 0; a duplicate id)', async () => {
    const bad = order({ amountCents: 0 })
    expect(await outcome(place(bad)), 'placeOrder with amountCents 0 (the CHECK fails): must reject').toBeInstanceOf(Error)
    expect(await outboxFor(bad.id), 'outbox rows for the order with amount 0').toEqual([])
    const first = order()
    await place(first)
    const again = { ...first, customer: 'someone-else' }
    expect(await outcome(place(again)), 'placeOrder with an id that exists: must reject').toBeInstanceOf(Error)
    expect((await outboxFor(first.id)).length, 'outbox rows for that id: only the first one').toBe(1)
  })

  it('leaves no order behind when the outbox insert fails', async () => {
    const fine = order()
    expect(await outcome(place(fine)), `placeOrder(${JSON.stringify(fine)})`).toBe('resolved')
    const o = order({ customer: POISON })
    expect(await outcome(place(o)), 'placeOrder whose outbox insert fails: must reject').toBeInstanceOf(Error)
    expect(await orderRow(o.id), 'the orders row of an order whose event could not be saved (must be rolled back)').toBeUndefined()
  })

  it('30 orders placed in parallel: 30 orders, 30 events', async () => {
    const orders = Array.from({ length: 30 }, () => order())
    const results = await Promise.all(orders.map((o) => outcome(place(o))))
    expect(results.filter((r) => r !== 'resolved').map(String).slice(0, 3), 'parallel placeOrder calls that rejected').toEqual([])
    for (const o of orders) expect((await outboxFor(o.id)).length, `outbox rows for ${o.id}`).toBe(1)
  })
})

describe('step 2: the relay publishes pending events, at least once', () => {
  it('runOnce() publishes every pending event in id order, marks them, and resolves to the count', async () => {
    const orders = Array.from({ length: 5 }, () => order())
    for (const o of orders) await place(o)
    const r = relay()
    expect(await r.runOnce(), 'runOnce() with 5 pending events').toBe(5)
    await waitDelivered(orders.map((o) => o.id), 5000)
    expect(broker.orderIds(), 'orderId of each delivered message, in arrival order').toEqual(orders.map((o) => o.id))
    expect(await pendingCount(), 'outbox rows still pending (published_at null) after runOnce()').toBe(0)
    await expectCleanDeliveries('after runOnce()', orders, [])
    const ids = await Promise.all(orders.map(async (o) => (await outboxFor(o.id))[0]!.id))
    expect(broker.delivered.map((d) => d.messageId), 'messageId of each message: the outbox row id, as a string').toEqual(ids.map(String))
    expect(await r.runOnce(), 'a second runOnce() with nothing pending').toBe(0)
    await sleep(100)
    expect(broker.delivered.length, 'messages after the second runOnce()').toBe(5)
  })

  it('publishes at most batchSize events per runOnce()', async () => {
    for (let i = 0; i < 7; i++) await place(order())
    const r = relay({ batchSize: 3 })
    expect([await r.runOnce(), await r.runOnce(), await r.runOnce(), await r.runOnce()], 'four runOnce() with batchSize 3 and 7 pending events').toEqual([3, 3, 1, 0])
  })

  it('keeps every event when the broker is down, and sends them once it is back', async () => {
    const orders = Array.from({ length: 4 }, () => order())
    for (const o of orders) await place(o)
    await broker.goDown()
    const r = relay()
    expect(await outcome(r.runOnce()), 'runOnce() while the broker is down: must reject with the publish error').toBeInstanceOf(Error)
    expect(await pendingCount(), 'pending events after the failed runOnce() (none may be marked published)').toBe(4)
    await broker.up()
    expect(await r.runOnce(), 'runOnce() after the broker came back').toBe(4)
    expect(await waitDelivered(orders.map((o) => o.id)), 'all 4 events delivered after the broker came back').toBe(true)
    await expectCleanDeliveries('broker down, then up', orders, [])
  })

  it('marks only what the broker took when it fails halfway through a batch', async () => {
    const orders = Array.from({ length: 6 }, () => order())
    for (const o of orders) await place(o)
    broker.failAfter = 2
    const r = relay()
    expect(await outcome(r.runOnce()), 'runOnce() when the broker fails after 2 messages: must reject').toBeInstanceOf(Error)
    expect(await pendingCount(), 'pending events: the 4 the broker did not take').toBe(4)
    broker.failAfter = undefined
    expect(await r.runOnce(), 'the next runOnce(): the remaining 4').toBe(4)
    expect(await waitDelivered(orders.map((o) => o.id)), 'all 6 delivered').toBe(true)
    await sleep(100)
    expect(broker.delivered.length, 'messages delivered in total (none twice: the first 2 were marked)').toBe(6)
  })

  it('stops at the first rejected publish: the events after it stay pending too, even when the broker would take them', async () => {
    const orders = [order(), order(), order(), order()]
    for (const o of orders) await place(o)
    let calls = 0
    // Only the second publish fails (a single nack); the broker takes everything else.
    const r = relay({
      publish: (topic, payload, messageId) => (++calls === 2 ? Promise.reject(new Error('nack: the broker refused the message')) : broker.publish(topic, payload, messageId)),
    })
    expect(await outcome(r.runOnce()), 'runOnce() when the second publish rejects: must reject').toBeInstanceOf(Error)
    expect(calls, 'publish calls in that runOnce(): it must stop at the rejected one (the next rounds send them in order)').toBe(2)
    expect(await pendingCount(), 'pending events: the rejected one and the 2 after it').toBe(3)
  })

  it('sends an event again when its confirm got lost, with the same message id', async () => {
    const o = order()
    await place(o)
    broker.loseAcks = 1
    const r = relay()
    expect(await outcome(r.runOnce()), 'runOnce() when the broker took the message but the confirm was lost').toBeInstanceOf(Error)
    expect(await pendingCount(), 'pending events: an unconfirmed event must stay pending').toBe(1)
    expect(await r.runOnce(), 'the next runOnce()').toBe(1)
    await waitFor(() => broker.delivered.length >= 2, 5000)
    expect(broker.orderIds(), 'deliveries: the same event twice (at least once)').toEqual([o.id, o.id])
    await expectCleanDeliveries('lost confirm', [o], [])
  })
})

describe('step 3: an outage in the middle of the traffic', () => {
  it('two relays running while orders pour in and the broker goes down: no event lost, none invented', async () => {
    const a = relay({ pollMs: 30 })
    const b = relay({ pollMs: 30 })
    a.start()
    b.start()
    const committed: Order[] = []
    const rejected: Order[] = []
    const wave = async (good: number, badAmount: number, poison: number) => {
      const batch = [
        ...Array.from({ length: good }, () => ({ o: order(), ok: true })),
        ...Array.from({ length: badAmount }, () => ({ o: order({ amountCents: -5 }), ok: false })),
        ...Array.from({ length: poison }, () => ({ o: order({ customer: POISON }), ok: false })),
      ]
      const results = await Promise.all(batch.map(({ o }) => outcome(place(o))))
      batch.forEach(({ o, ok }, i) => {
        const fine = results[i] === 'resolved'
        expect(fine, `placeOrder(${JSON.stringify(o)}) ${ok ? 'must resolve' : 'must reject'}`).toBe(ok)
        ;(ok ? committed : rejected).push(o)
      })
    }

    await wave(20, 3, 2)
    expect(await waitDelivered(committed.map((o) => o.id)), 'the first 20 events delivered while the broker is up').toBe(true)

    await broker.goDown()
    const before = committed.length
    await wave(15, 2, 1)
    await sleep(400)
    const during = committed.slice(before).filter((o) => broker.orderIds().includes(o.id))
    expect(during.length, 'events of orders placed during the outage that reached the broker before it came back').toBe(0)
    expect(await pendingCount(), 'pending outbox rows during the outage').toBe(15)

    await broker.up()
    expect(await waitDelivered(committed.map((o) => o.id)), 'all 35 events delivered after the broker came back').toBe(true)
    await sleep(200)
    await expectCleanDeliveries('after the outage', committed, rejected)

    await Promise.all([a.stop(), b.stop()])
    const late = order()
    await place(late)
    await sleep(300)
    expect(broker.orderIds().includes(late.id), 'an order placed after both relays stopped: delivered anyway? (stop() must stop)').toBe(false)
    expect(await pendingCount(), 'pending events after stop()').toBe(1)
  })

  it('two relays share the rows: while one is in the middle of its batch, the other neither sends the same events nor waits for it', async () => {
    const orders = [order(), order(), order()]
    for (const o of orders) await place(o)
    // Relay A's first publish is held until B has run: A has taken the rows and marked none.
    const held = deferred<void>()
    const release = deferred<void>()
    let first = true
    const a = relay({
      publish: async (topic, payload, messageId) => {
        if (first) {
          first = false
          held.resolve()
          await release.promise
        }
        await broker.publish(topic, payload, messageId)
      },
    })
    const b = relay()
    const ra = outcome(a.runOnce())
    const aStarted = await Promise.race([held.promise.then(() => true), sleep(10_000).then(() => false)])
    expect(aStarted, 'relay A called publish for the 3 pending events').toBe(true)
    let bDone = false
    const rb = outcome(b.runOnce()).then((r) => {
      bDone = true
      return r
    })
    await waitFor(() => bDone, 5000)
    const bWaited = !bDone
    release.resolve()
    await Promise.all([ra, rb])
    await sleep(300)
    const counts = orders.map((o) => broker.orderIds().filter((id) => id === o.id).length)
    expect(
      counts,
      'deliveries of each of the 3 events when relay B ran while relay A was publishing them: B sent events A had taken but not yet marked. Take the rows with `select … for update skip locked` inside the transaction that marks them, so the other relay skips them',
    ).toEqual([1, 1, 1])
    expect(
      bWaited,
      'relay B waited for relay A to finish its batch (for update without skip locked): the relays take turns instead of sharing the rows',
    ).toBe(false)
  })
})
