import { randomUUID } from 'node:crypto'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import request from 'supertest'
import type { Pool } from 'pg'
import type { Channel, ChannelModel } from 'amqplib'
import { usePostgres } from '#support/postgres'
import { gate, instrument, lockWaiters, until } from '#support/faults/postgres'
import { useRedis } from '#support/redis'
import { useRabbit } from '#support/rabbitmq'
import { json, readyCount, serve, sleep, spyOn, waitFor, watchChannel } from '#support/projects'
import { launchApp, onGoTrack } from '#support/launch'
import { manualClock } from '#support/http'

// The learner's TypeScript is imported inside the tests: the Go track has none to load.
const app = () => import('@kata/projects/order-service')
const migrate = async (db: Pool) => (await import('@kata/projects/order-service/schema.ts')).migrate(db)

const pg = usePostgres()
const redis = useRedis()
const rabbit = useRabbit()

/**
 * On the Go track the app and the consumer are the learner's program, started over the wire:
 * the same binary with ROLE=app (HTTP API) or ROLE=consumer (it also listens on PORT, and
 * POST /stop stops its consumer). What the TypeScript track reads from inside (a counting
 * pool, a barrier on the pool) is read from the database there: locks the suite holds and
 * the backends that wait on them.
 */
const go = onGoTrack()
const clock = manualClock()
const programEnv = (more: Record<string, string>) => ({
  DATABASE_URL: pg.url,
  REDIS_URL: redis.url,
  REDIS_KEY_PREFIX: redis.prefix,
  AMQP_URL: rabbit.url,
  EXCHANGE: exchange,
  ...more,
})
const notTypeScript = (): never => {
  throw new Error('the Go track has no TypeScript app to load')
}

interface Product {
  id: number
  name: string
  priceCents: number
  stock: number
}
interface Order {
  id: number
  userId: number
  status: string
  totalCents: number
  items: { productId: number; quantity: number; priceCents: number }[]
}
interface Reply {
  status: number
  body: any
  label: string
}

let conn: ChannelModel
let exchange = ''
let migrated: Promise<void> | undefined
beforeAll(async () => {
  conn = await rabbit.connect()
  exchange = rabbit.exchange('orders.events')
  const ch = await conn.createChannel()
  await ch.assertExchange(exchange, 'topic', { durable: true })
  await ch.close()
})

/** migrate() once for the suite (its own test checks it runs twice); the Go program migrates when it starts. */
const schema = () => (go ? Promise.resolve() : (migrated ??= migrate(pg.pool) as Promise<void>))

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
 * Pools opened by the current test, ended after it: the PostgreSQL server is shared, and
 * idle connections of finished tests would only eat into its max_connections.
 */
const openPools: Pool[] = []
const pool = (max: number) => {
  const p = pg.newPool({ max, idleTimeoutMillis: 1000 })
  openPools.push(p)
  return p
}
afterEach(async () => {
  await Promise.allSettled(openPools.splice(0).map((p) => p.end()))
})

/** One instance of the service: its own pool, Redis connection and confirm channel (on the Go track: a process of its own). */
async function instance(cacheTtlMs = 60_000, keep = false) {
  if (go) {
    const url = (await launchApp(clock, notTypeScript, { env: programEnv({ ROLE: 'app', CACHE_TTL_MS: String(cacheTtlMs) }) })) as string
    return { db: undefined, call: caller(url), watch: { errors: [] as Error[], describe: () => '' }, url }
  }
  await schema()
  const db = countingPool(keep ? pg.newPool({ max: 8, idleTimeoutMillis: 1000 }) : pool(8))
  const channel = await conn.createConfirmChannel()
  const watch = watchChannel(channel)
  const created = (await app()).createApp({ db, redis: redis.client(), channel, exchange, cacheTtlMs })
  const server = await serve(created)
  return { db: db as Pool & { calls: number } | undefined, call: caller(server.url), watch, url: server.url }
}
function caller(url: string) {
  return async (method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: unknown): Promise<Reply> => {
    let r = request(url)[method](path)
    // A Go program is a process of its own: a request it never answers fails its test, not the run.
    if (go) r = r.timeout(REPLY_MS)
    if (body !== undefined) r = typeof body === 'string' ? r.set('content-type', 'application/json').send(body) : r.send(body as object)
    const label = `${method.toUpperCase()} ${path}${body === undefined ? '' : ` ${typeof body === 'string' ? body : JSON.stringify(body)}`}`
    const res = await r.catch((err: Error & { timeout?: number }) => {
      if (!err.timeout) throw err
      throw new Error(
        `${label}: no reply within ${REPLY_MS / 1000} s — is it waiting for a database connection an earlier request never gave back (a transaction neither committed nor rolled back, rows not closed), or for a lock such a transaction still holds?`,
      )
    })
    return { status: res.status, body: res.body, label }
  }
}
/** How long the Go track waits for a reply. */
const REPLY_MS = 10_000
type Instance = Awaited<ReturnType<typeof instance>>

let shared: Promise<Instance> | undefined
const svc = () => (shared ??= instance(60_000, true))
// A Go program lives for one test: the next test starts its own.
afterEach(() => {
  if (go) shared = undefined
})

/**
 * Runs `work` while this suite holds `lock` (an SQL statement) in a transaction of its own,
 * and releases it once `waiters` backends wait on a lock (or `work` is done; after 5 s at the
 * latest, a safety net, never a verdict). Concurrent transactions of the app pile up behind
 * it, so a race is certain, not a matter of timing. Returns what `work` returned and whether
 * that many backends did wait.
 */
async function whileLocked<T>(lock: string, work: () => Promise<T>, waiters = 1): Promise<{ result: T; waited: boolean }> {
  const holder = await pool(1).connect()
  const observer = pool(1)
  await holder.query('begin')
  await holder.query(lock)
  let settled = false
  const pending = work()
  pending.then(
    () => (settled = true),
    () => (settled = true),
  )
  let waited = false
  try {
    await until(async () => settled || (waited = (await lockWaiters(observer)).length >= waiters), 5000, 10)
  } finally {
    await holder.query('rollback').catch(() => undefined)
    holder.release()
  }
  return { result: await pending, waited }
}

/**
 * How many times `req` went to the database for products. TypeScript track: query()/connect()
 * calls on the instance's counting pool. Go track: the suite holds an ACCESS EXCLUSIVE lock on
 * the products table while the request runs; a request that reads products waits on it (1),
 * one served from the cache answers without waiting (0).
 */
async function productReads(s: Instance, req: () => Promise<Reply>): Promise<{ reply: Reply; reads: number }> {
  if (!go) {
    const before = s.db!.calls
    const reply = await req()
    return { reply, reads: s.db!.calls - before }
  }
  const { result, waited } = await whileLocked('lock table products in access exclusive mode', req)
  return { reply: result, reads: waited ? 1 : 0 }
}

/** Backends of this database left inside a transaction that nobody finishes. */
const idleInTransaction = async () =>
  (
    await pg.pool.query<{ pid: number; query: string }>(
      `select pid, query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and state like 'idle in transaction%'`,
    )
  ).rows.map((r) => r.query)

const tag = () => randomUUID().slice(0, 8)
async function newUser(s?: Instance): Promise<number> {
  const r = await (s ?? (await svc())).call('post', '/users', { email: `u${tag()}@shop.test`, name: 'Ann' })
  expect(r.status, `${r.label} → ${JSON.stringify(r.body)}`).toBe(201)
  return r.body.id
}
async function newProduct(fields: Partial<Omit<Product, 'id'>> = {}, s?: Instance): Promise<Product> {
  const r = await (s ?? (await svc())).call('post', '/products', { name: `Mug ${tag()}`, priceCents: 1250, stock: 10, ...fields })
  expect(r.status, `${r.label} → ${JSON.stringify(r.body)}`).toBe(201)
  return r.body
}
const stockOf = async (id: number, s?: Instance) => (await (s ?? (await svc())).call('get', `/products/${id}`)).body?.stock

describe('step 1: schema, users and products', () => {
  it('migrate(db) creates the schema and can run again on a database that already has it', async () => {
    let s: Instance
    if (go) {
      // The program migrates when it starts: a second one starts on a database that has the schema.
      await svc()
      s = await instance()
    } else {
      await schema()
      await expect(migrate(pg.pool), 'migrate(db) a second time (a restarted service runs it at start-up)').resolves.not.toThrow()
      s = await svc()
    }
    const r = await s.call('post', '/users', { email: `m${tag()}@shop.test`, name: 'Migrated' })
    expect(r.status, `${r.label} after migrate ran twice`).toBe(201)
  })

  it('POST /users creates a user: 201 { id, email, name }; GET /users/:id returns it', async () => {
    const s = await svc()
    const email = `ann.${tag()}@shop.test`
    const r = await s.call('post', '/users', { email, name: 'Ann Lee' })
    expect(r.status, r.label).toBe(201)
    expect(r.body, r.label).toEqual({ id: expect.any(Number), email, name: 'Ann Lee' })
    expect(Number.isInteger(r.body.id) && r.body.id > 0, `${r.label}: id is a positive integer`).toBe(true)
    const got = await s.call('get', `/users/${r.body.id}`)
    expect([got.status, got.body], got.label).toEqual([200, r.body])
  })

  it('POST /users with an email that is already registered, in any letter case, is 409', async () => {
    const s = await svc()
    const email = `bob.${tag()}@shop.test`
    expect((await s.call('post', '/users', { email, name: 'Bob' })).status, 'first registration').toBe(201)
    const again = await s.call('post', '/users', { email, name: 'Bob again' })
    expect([again.status, typeof again.body?.error], `${again.label}: same email`).toEqual([409, 'string'])
    const upper = await s.call('post', '/users', { email: email.toUpperCase(), name: 'BOB' })
    expect(upper.status, `${upper.label}: the same email in capitals`).toBe(409)
  })

  it('POST /users rejects invalid input with 400 and a JSON { error }', async () => {
    const s = await svc()
    const bad: unknown[] = [{ name: 'No email' }, { email: 'not-an-email', name: 'X' }, { email: `x${tag()}@shop.test` }, { email: `x${tag()}@shop.test`, name: '' }, { email: 42, name: 'X' }, '{"email": broken json']
    for (const body of bad) {
      const r = await s.call('post', '/users', body)
      expect(r.status, r.label).toBe(400)
      expect(typeof r.body?.error, `${r.label}: the body is JSON with an "error" message`).toBe('string')
    }
  })

  it('GET /users/:id is 404 for an id that does not exist or is not a number', async () => {
    const s = await svc()
    for (const id of ['999999', 'abc', '0']) {
      const r = await s.call('get', `/users/${id}`)
      expect(r.status, r.label).toBe(404)
    }
  })

  it('POST /products creates a product; GET /products/:id and GET /products return it', async () => {
    const s = await svc()
    const r = await s.call('post', '/products', { name: 'Green tea', priceCents: 399, stock: 7 })
    expect([r.status, r.body], r.label).toEqual([201, { id: expect.any(Number), name: 'Green tea', priceCents: 399, stock: 7 }])
    const one = await s.call('get', `/products/${r.body.id}`)
    expect([one.status, one.body], one.label).toEqual([200, r.body])
    const list = await s.call('get', '/products')
    expect(list.status, list.label).toBe(200)
    expect(list.body, `${list.label}: contains the new product`).toContainEqual(r.body)
    const ids = (list.body as Product[]).map((p) => p.id)
    expect(ids, `${list.label}: ordered by id`).toEqual([...ids].sort((a, b) => a - b))
  })

  it('POST /products rejects invalid input with 400', async () => {
    const s = await svc()
    const bad = [
      { priceCents: 100, stock: 1 },
      { name: '', priceCents: 100, stock: 1 },
      { name: 'X', priceCents: -1, stock: 1 },
      { name: 'X', priceCents: 9.99, stock: 1 },
      { name: 'X', priceCents: '100', stock: 1 },
      { name: 'X', priceCents: 100, stock: -5 },
      { name: 'X', priceCents: 100 },
    ]
    for (const body of bad) {
      const r = await s.call('post', '/products', body)
      expect(r.status, r.label).toBe(400)
    }
  })

  it('stores text verbatim: SQL in a name is data, not code', async () => {
    const s = await svc()
    const name = `Robert'); drop table products; --`
    const p = await newProduct({ name })
    expect((await s.call('get', `/products/${p.id}`)).body?.name, 'the name read back').toBe(name)
    expect((await s.call('get', '/products')).status, 'GET /products still works (the table is still there)').toBe(200)
  })

  it('PATCH /products/:id changes only the fields it is given', async () => {
    const s = await svc()
    const p = await newProduct({ name: 'Kettle', priceCents: 2500, stock: 3 })
    const r = await s.call('patch', `/products/${p.id}`, { priceCents: 2300 })
    expect([r.status, r.body], r.label).toEqual([200, { ...p, priceCents: 2300 }])
    const r2 = await s.call('patch', `/products/${p.id}`, { name: 'Steel kettle', stock: 9 })
    expect(r2.body, r2.label).toEqual({ id: p.id, name: 'Steel kettle', priceCents: 2300, stock: 9 })
    expect((await s.call('get', `/products/${p.id}`)).body, `GET /products/${p.id} after both patches`).toEqual(r2.body)
  })

  it('PATCH /products/:id: 400 for an invalid value, 404 for an unknown product', async () => {
    const s = await svc()
    const p = await newProduct()
    for (const body of [{ priceCents: -1 }, { stock: 1.5 }, { name: '' }]) {
      const r = await s.call('patch', `/products/${p.id}`, body)
      expect(r.status, r.label).toBe(400)
    }
    expect((await s.call('get', `/products/${p.id}`)).body, 'the product after rejected patches').toEqual(p)
    const r = await s.call('patch', '/products/999999', { priceCents: 100 })
    expect(r.status, r.label).toBe(404)
  })

  it('DELETE /products/:id: 204, then the product is 404; deleting it again is 404', async () => {
    const s = await svc()
    const p = await newProduct()
    const del = await s.call('delete', `/products/${p.id}`)
    expect(del.status, del.label).toBe(204)
    const get = await s.call('get', `/products/${p.id}`)
    expect(get.status, `${get.label} after the delete`).toBe(404)
    const again = await s.call('delete', `/products/${p.id}`)
    expect(again.status, `${again.label} a second time`).toBe(404)
  })
})

describe('step 2: orders in a transaction', () => {
  it('POST /orders places an order: 201 with the current prices and the total; stock goes down', async () => {
    const s = await svc()
    const user = await newUser()
    const a = await newProduct({ priceCents: 1250, stock: 10 })
    const b = await newProduct({ priceCents: 399, stock: 5 })
    const body = { userId: user, items: [{ productId: a.id, quantity: 2 }, { productId: b.id, quantity: 3 }] }
    const r = await s.call('post', '/orders', body)
    expect(r.status, `${r.label} → ${JSON.stringify(r.body)}`).toBe(201)
    expect(r.body, r.label).toEqual({
      id: expect.any(Number),
      userId: user,
      status: 'created',
      totalCents: 2 * 1250 + 3 * 399,
      items: [
        { productId: a.id, quantity: 2, priceCents: 1250 },
        { productId: b.id, quantity: 3, priceCents: 399 },
      ],
    })
    expect(await stockOf(a.id), `stock of product ${a.id} (10, ordered 2)`).toBe(8)
    expect(await stockOf(b.id), `stock of product ${b.id} (5, ordered 3)`).toBe(2)
  })

  it('GET /orders/:id and GET /users/:id/orders return the orders placed', async () => {
    const s = await svc()
    const user = await newUser()
    const p = await newProduct({ priceCents: 100, stock: 10 })
    const o1 = (await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 1 }] })).body as Order
    const o2 = (await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 4 }] })).body as Order
    const got = await s.call('get', `/orders/${o1.id}`)
    expect([got.status, got.body], got.label).toEqual([200, o1])
    const mine = await s.call('get', `/users/${user}/orders`)
    expect([mine.status, mine.body], `${mine.label}: both orders, oldest first`).toEqual([200, [o1, o2]])
    const none = await s.call('get', `/users/${await newUser()}/orders`)
    expect([none.status, none.body], `${none.label} for a user without orders`).toEqual([200, []])
    expect((await s.call('get', '/orders/999999')).status, 'GET /orders/999999').toBe(404)
    expect((await s.call('get', '/users/999999/orders')).status, 'GET /users/999999/orders').toBe(404)
  })

  it('an order keeps the prices it was placed at after the product price changes', async () => {
    const s = await svc()
    const user = await newUser()
    const p = await newProduct({ priceCents: 500, stock: 10 })
    const o = (await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 2 }] })).body as Order
    await s.call('patch', `/products/${p.id}`, { priceCents: 900 })
    const got = await s.call('get', `/orders/${o.id}`)
    expect([got.body?.totalCents, got.body?.items?.[0]?.priceCents], `${got.label} after the price went from 500 to 900: [totalCents, items[0].priceCents]`).toEqual([1000, 500])
  })

  it('POST /orders rejects invalid input with 400', async () => {
    const s = await svc()
    const user = await newUser()
    const p = await newProduct()
    const bad = [
      { items: [{ productId: p.id, quantity: 1 }] },
      { userId: 'me', items: [{ productId: p.id, quantity: 1 }] },
      { userId: user, items: [] },
      { userId: user },
      { userId: user, items: [{ productId: p.id, quantity: 0 }] },
      { userId: user, items: [{ productId: p.id, quantity: -2 }] },
      { userId: user, items: [{ productId: p.id, quantity: 1.5 }] },
      { userId: user, items: [{ quantity: 1 }] },
      { userId: user, items: [{ productId: p.id, quantity: 1 }, { productId: p.id, quantity: 2 }] },
    ]
    for (const body of bad) {
      const r = await s.call('post', '/orders', body)
      expect(r.status, r.label).toBe(400)
    }
    expect(await stockOf(p.id), 'stock after only rejected orders').toBe(p.stock)
  })

  it('POST /orders for an unknown user or product is 404 and changes nothing', async () => {
    const s = await svc()
    const user = await newUser()
    const p = await newProduct({ stock: 4 })
    const r1 = await s.call('post', '/orders', { userId: 999999, items: [{ productId: p.id, quantity: 1 }] })
    expect(r1.status, r1.label).toBe(404)
    const r2 = await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 1 }, { productId: 999999, quantity: 1 }] })
    expect(r2.status, r2.label).toBe(404)
    expect(await idleInTransaction(), `connections left open inside a transaction after ${r2.label} (roll back on every error)`).toEqual([])
    expect(await stockOf(p.id), `stock of product ${p.id} after both 404s (the order with an unknown product rolled back)`).toBe(4)
    expect((await s.call('get', `/users/${user}/orders`)).body, 'the user’s orders').toEqual([])
  })

  it('not enough stock for one item: 409, no stock changes and no order is stored (all or nothing)', async () => {
    const s = await svc()
    const user = await newUser()
    const a = await newProduct({ stock: 5 })
    const b = await newProduct({ stock: 2 })
    const r = await s.call('post', '/orders', { userId: user, items: [{ productId: a.id, quantity: 1 }, { productId: b.id, quantity: 3 }] })
    expect([r.status, typeof r.body?.error], r.label).toEqual([409, 'string'])
    expect(await idleInTransaction(), `connections left open inside a transaction after ${r.label} (roll back on every error)`).toEqual([])
    expect(await stockOf(a.id), `stock of product ${a.id}, the item that was available (must roll back)`).toBe(5)
    expect(await stockOf(b.id), `stock of product ${b.id}`).toBe(2)
    expect((await s.call('get', `/users/${user}/orders`)).body, 'the user’s orders after the 409').toEqual([])
    const exact = await s.call('post', '/orders', { userId: user, items: [{ productId: b.id, quantity: 2 }] })
    expect(exact.status, `${exact.label}: exactly the remaining stock`).toBe(201)
    expect(await stockOf(b.id), `stock of product ${b.id} after selling the last 2`).toBe(0)
  })

  it('no oversell: 30 concurrent orders for a product with stock 10, through two instances, sell exactly 10', async () => {
    const [s1, s2] = [await svc(), await instance()]
    const users = await Promise.all(Array.from({ length: 30 }, () => newUser()))
    const p = await newProduct({ stock: 10 })
    // The suite holds a lock that lets the orders read products but not change them, until
    // at least two orders wait on it: orders that read the stock and then write it all read 10.
    const { result: replies } = await whileLocked('lock table products in exclusive mode', () =>
      Promise.all(users.map((userId, i) => (i % 2 ? s1 : s2).call('post', '/orders', { userId, items: [{ productId: p.id, quantity: 1 }] }))),
      2,
    )
    const statuses = replies.map((r) => r.status)
    expect(statuses.filter((x) => x === 201).length, `201 replies of 30 concurrent orders for stock 10 (statuses: ${statuses.join(',')})`).toBe(10)
    expect(statuses.filter((x) => x === 409).length, '409 replies (sold out)').toBe(20)
    expect(await stockOf(p.id), 'stock afterwards').toBe(0)
    const placed = (await Promise.all(users.map(async (u) => (await s1.call('get', `/users/${u}/orders`)).body as Order[]))).flat()
    expect(placed.length, 'orders stored for the 30 users').toBe(10)
  })

  it('no lost update: 20 concurrent orders of 3 units on stock 10 sell 9 units and leave 1', async () => {
    const [s1, s2] = [await svc(), await instance()]
    const users = await Promise.all(Array.from({ length: 20 }, () => newUser()))
    const p = await newProduct({ stock: 10 })
    const { result: replies } = await whileLocked('lock table products in exclusive mode', () =>
      Promise.all(users.map((userId, i) => (i % 2 ? s1 : s2).call('post', '/orders', { userId, items: [{ productId: p.id, quantity: 3 }] }))),
      2,
    )
    expect(replies.filter((r) => r.status === 201).length, `201 replies (statuses: ${replies.map((r) => r.status).join(',')})`).toBe(3)
    expect(await stockOf(p.id), 'stock afterwards (10 − 3 × 3)').toBe(1)
  })

  it('orders that take the same products in opposite order all go through (no deadlock)', async () => {
    const [s1, s2] = [await svc(), await instance()]
    const a = await newProduct({ stock: 100 })
    const b = await newProduct({ stock: 100 })
    const users = await Promise.all(Array.from({ length: 24 }, () => newUser()))
    const replies = await Promise.all(
      users.map((userId, i) => {
        const items = i % 2 ? [{ productId: a.id, quantity: 1 }, { productId: b.id, quantity: 1 }] : [{ productId: b.id, quantity: 1 }, { productId: a.id, quantity: 1 }]
        return (i % 4 < 2 ? s1 : s2).call('post', '/orders', { userId, items })
      }),
    )
    const failed = replies.filter((r) => r.status !== 201).map((r) => `${r.status} ${JSON.stringify(r.body)}`)
    expect(failed, '24 concurrent orders, half for [A, B] and half for [B, A]: replies that were not 201 (a deadlock aborts one transaction)').toEqual([])
    expect([await stockOf(a.id), await stockOf(b.id)], 'stock of A and B afterwards').toEqual([76, 76])
  })

  it('a product that was ordered cannot be deleted: 409', async () => {
    const s = await svc()
    const p = await newProduct()
    await s.call('post', '/orders', { userId: await newUser(), items: [{ productId: p.id, quantity: 1 }] })
    const r = await s.call('delete', `/products/${p.id}`)
    expect(r.status, `${r.label}: the product is in an order`).toBe(409)
    expect((await s.call('get', `/products/${p.id}`)).status, 'the product is still there').toBe(200)
  })
})

/** Consumers started by a test, and their channels: all gone before the next test. */
const running: { stop(): Promise<void>; channel?: Channel }[] = []
/**
 * Starts a consumer. `fresh`: from a new copy of consumer.ts, as another process would
 * run it, so that module-level state (an in-memory Set of seen ids) is not shared. On the
 * Go track every consumer is a process of its own (ROLE=consumer), and stop() is POST /stop.
 */
async function consumer(queue: string, fresh = false, db?: Pool) {
  if (go) {
    const url = (await launchApp(clock, notTypeScript, { env: programEnv({ ROLE: 'consumer', QUEUE: queue }) })) as string
    const stop = async () => {
      const r = await request(url).post('/stop')
      expect(r.status, `POST /stop to the consumer (ROLE=consumer) → ${r.status} ${r.text}`).toBe(204)
    }
    running.push({ stop: () => stop().catch(() => undefined) })
    return { stop, watch: { errors: [] as Error[], describe: () => '' } }
  }
  db ??= pool(3)
  let start = (await import('@kata/projects/order-service/consumer.ts')).startConsumer
  if (fresh) {
    vi.resetModules()
    start = (await import('@kata/projects/order-service/consumer.ts')).startConsumer
  }
  const channel = await conn.createChannel()
  const watch = watchChannel(channel)
  const c = (await start({ db, channel, exchange, queue })) as { stop(): Promise<void> }
  running.push({ stop: () => c.stop(), channel })
  return { stop: () => c.stop(), watch }
}
afterEach(async () => {
  // Closing the channel ends consumption even when stop() does not work.
  const all = running.splice(0)
  await Promise.allSettled(all.map((c) => c.stop()))
  await Promise.allSettled(all.map((c) => c.channel?.close()))
})
const statsOf = async (user: number) => (await (await svc()).call('get', `/users/${user}/stats`)).body

describe('step 3: OrderCreated events and their consumer', () => {
  it('a placed order publishes one OrderCreated event (routing key order.created) carrying the order', async () => {
    const s = await svc()
    const spy = await spyOn(await conn.createChannel(), exchange, rabbit.queue('spy'))
    const p = await newProduct({ priceCents: 700 })
    const r = await s.call('post', '/orders', { userId: await newUser(), items: [{ productId: p.id, quantity: 2 }] })
    await waitFor(() => spy.messages.length > 0, () => `an event on exchange "${exchange}" after ${r.label}${s.watch.describe()}`)
    await sleep(200)
    expect(spy.messages.map((m) => m.routingKey), 'routing keys of the events published for one order').toEqual(['order.created'])
    const [m] = spy.messages
    const e = m!.body as Record<string, any>
    expect(e, 'the event body').toMatchObject({ type: 'OrderCreated', order: r.body })
    expect(typeof e.eventId === 'string' && e.eventId.length > 0, `eventId ${JSON.stringify(e.eventId)} is a non-empty string`).toBe(true)
    expect(m!.raw.properties.messageId, 'the messageId property equals eventId').toBe(e.eventId)
    expect(m!.raw.properties.contentType, 'the contentType property').toBe('application/json')
    expect(m!.raw.properties.deliveryMode, 'deliveryMode (2 = persistent)').toBe(2)
  })

  it('every order gets its own eventId, and a rejected order (400, 404, 409) publishes nothing', async () => {
    const s = await svc()
    const spy = await spyOn(await conn.createChannel(), exchange, rabbit.queue('spy'))
    const user = await newUser()
    const p = await newProduct({ stock: 2 })
    await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 1 }] })
    await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 1 }] })
    await waitFor(() => spy.messages.length >= 2, () => `2 events for 2 orders (got ${spy.messages.length})`)
    const ids = spy.messages.map((m) => (m.body as { eventId?: unknown }).eventId)
    expect(new Set(ids).size, `eventIds of two orders: ${JSON.stringify(ids)}`).toBe(2)
    const rejected = [
      await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 1 }] }),
      await s.call('post', '/orders', { userId: 999999, items: [{ productId: p.id, quantity: 1 }] }),
      await s.call('post', '/orders', { userId: user, items: [] }),
    ]
    expect(rejected.map((r) => r.status), 'statuses of three rejected orders').toEqual([409, 404, 400])
    await sleep(300)
    expect(spy.messages.length, 'events after the two orders and three rejected ones').toBe(2)
  })

  it('the event is published only after the order is committed', async () => {
    const s = await svc()
    const spy = await spyOn(await conn.createChannel(), exchange, rabbit.queue('spy'))
    const p = await newProduct({ priceCents: 300 })
    const user = await newUser()
    // A deferred trigger of the suite's makes the order's COMMIT wait for an advisory lock the
    // suite holds: an event that shows up while the COMMIT waits was published before it.
    await pg.pool.query(`create or replace function suite_hold_commit() returns trigger language plpgsql as $$
      begin perform pg_advisory_xact_lock_shared(715001); return null; end $$`)
    await pg.pool.query(`drop trigger if exists suite_hold_commit on products`)
    await pg.pool.query(`create constraint trigger suite_hold_commit after update on products deferrable initially deferred for each row execute function suite_hold_commit()`)
    let early = -1
    let pending: Promise<Reply> | undefined
    const holder = await pool(1).connect()
    try {
      await holder.query('begin')
      await holder.query('select pg_advisory_xact_lock(715001)')
      pending = s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 1 }] })
      pending.catch(() => undefined)
      // Once the COMMIT waits (or an event came), give an early event time to arrive.
      await until(async () => spy.messages.length > 0 || (await lockWaiters(pg.pool)).length > 0, 5000, 10)
      await sleep(300)
      early = spy.messages.length
    } finally {
      await holder.query('rollback').catch(() => undefined)
      holder.release()
      await pg.pool.query(`drop trigger if exists suite_hold_commit on products`)
    }
    const reply = await pending
    expect(reply.status, `${reply.label} → ${JSON.stringify(reply.body)}`).toBe(201)
    expect(early, 'events seen while the order’s COMMIT was still waiting (publish after the commit, never inside the transaction)').toBe(0)
    await waitFor(() => spy.messages.length > 0, () => `the event of ${reply.label} after its commit${s.watch.describe()}`)
  })

  it('startConsumer keeps GET /users/:id/stats up to date: ordersCount and spentCents', async () => {
    const s = await svc()
    const c = await consumer(rabbit.queue('stats'))
    const user = await newUser()
    expect(await statsOf(user), `GET /users/${user}/stats before any order`).toEqual({ userId: user, ordersCount: 0, spentCents: 0 })
    const p = await newProduct({ priceCents: 450 })
    await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 2 }] })
    await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 1 }] })
    const want = { userId: user, ordersCount: 2, spentCents: 3 * 450 }
    let last: unknown
    await waitFor(
      async () => JSON.stringify((last = await statsOf(user))) === JSON.stringify(want),
      () => `GET /users/${user}/stats to become ${JSON.stringify(want)} (last: ${JSON.stringify(last)})${c.watch.describe()}`,
    )
    expect((await s.call('get', '/users/999999/stats')).status, 'GET /users/999999/stats').toBe(404)
  })

  it('is idempotent: the same event delivered three more times is counted once', async () => {
    const s = await svc()
    const queue = rabbit.queue('stats')
    const c = await consumer(queue)
    const spy = await spyOn(await conn.createChannel(), exchange, rabbit.queue('spy'))
    const user = await newUser()
    const p = await newProduct({ priceCents: 1000 })
    await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 1 }] })
    await waitFor(async () => (await statsOf(user)).ordersCount === 1, () => `the consumer to count the first order${c.watch.describe()}`)
    await waitFor(() => spy.messages.length === 1, 'the spy to see the event')
    const original = spy.messages[0]!.raw
    const admin = await conn.createChannel()
    for (let i = 0; i < 3; i++) admin.publish(exchange, 'order.created', original.content, original.properties)
    await waitFor(async () => (await readyCount(admin, queue)) === 0, 'the consumer to take the copies')
    await sleep(400)
    expect(await statsOf(user), 'stats after the same event arrived 4 times').toEqual({ userId: user, ordersCount: 1, spentCents: 1000 })
  })

  it('copies of one event handled at the same moment by two consumers (two processes) are counted once', async () => {
    const queue = rabbit.queue('stats')
    // "At the same moment", made certain rather than left to timing: the consumers' database
    // statements go through a barrier. The first copy's first statement (after BEGIN) is held
    // once it has answered, until a second copy has had its own first statement answered too
    // — or until that second copy waits on a lock the first one holds (the primary key of a
    // processed-events table, an advisory lock…), which is how a correct consumer serialises
    // the two. A check (SELECT) before a separate mark lets both copies see "not done yet".
    let armed = false
    let arrivals = 0
    const bothLooked = gate()
    const hooks = {
      async after(s: { text: string }) {
        if (!armed || /^\s*(begin|start\s+transaction|set\s|commit|rollback|end\b)/i.test(s.text) || s.text.trim() === '') return
        arrivals++
        if (arrivals === 1) await bothLooked.passed
        else if (arrivals === 2) bothLooked.open()
      },
    }
    const observer = pool(1)
    await consumer(queue, false, go ? undefined : instrument(pool(3), hooks).pool)
    await consumer(queue, true, go ? undefined : instrument(pool(3), hooks).pool)
    const user = await newUser()
    const admin = await conn.createChannel()
    const event = { eventId: randomUUID(), type: 'OrderCreated', occurredAt: new Date().toISOString(), order: { id: 1, userId: user, status: 'created', totalCents: 700, items: [] } }
    if (go) {
      // Go track: the suite holds a lock on user_stats that lets the consumers read but not
      // write, until both wait: on it, or on a lock the other consumer's transaction holds
      // (the event id's primary key, an advisory lock…). A check (SELECT) before a separate
      // mark lets both copies see "not done yet" before they wait.
      await whileLocked(
        'lock table user_stats in exclusive mode',
        async () => {
          for (let i = 0; i < 10; i++) admin.publish(exchange, 'order.created', json(event), { messageId: event.eventId, contentType: 'application/json' })
          await until(async () => (await lockWaiters(observer)).length >= 2, 5000, 10)
        },
        2,
      )
    } else {
      armed = true
      try {
        for (let i = 0; i < 10; i++) admin.publish(exchange, 'order.created', json(event), { messageId: event.eventId, contentType: 'application/json' })
        await until(() => arrivals >= 1, 10_000)
        // Released as soon as the second copy has looked (or waits on a lock); the timeout is
        // only a safety net for a consumer that handles one message at a time.
        await until(async () => bothLooked.isOpen || (await lockWaiters(observer)).length > 0, 5000, 10)
      } finally {
        bothLooked.open()
      }
    }
    await waitFor(async () => (await statsOf(user)).ordersCount >= 1, 'the consumers to count the event')
    await waitFor(async () => (await readyCount(admin, queue)) === 0, 'the consumers to take every copy')
    await sleep(400)
    expect(
      await statsOf(user),
      '10 copies of one event, two consumers on one queue, two copies checked at the same moment: a check (SELECT) followed by a separate insert lets both copies pass — insert the event id in the same transaction (… on conflict do nothing) and apply only when it inserted a row',
    ).toEqual({ userId: user, ordersCount: 1, spentCents: 700 })
  })

  it('drops a message that is not a valid event (no endless requeue) and goes on with the next one', async () => {
    const queue = rabbit.queue('stats')
    const c = await consumer(queue)
    const user = await newUser()
    const admin = await conn.createChannel()
    admin.publish(exchange, 'order.created', Buffer.from('<not json>'))
    admin.publish(exchange, 'order.created', json({ hello: 'world' }))
    const event = { eventId: randomUUID(), type: 'OrderCreated', occurredAt: new Date().toISOString(), order: { id: 2, userId: user, status: 'created', totalCents: 300, items: [] } }
    admin.publish(exchange, 'order.created', json(event), { messageId: event.eventId })
    await waitFor(async () => (await statsOf(user)).ordersCount === 1, () => `the valid event after two broken ones to be counted${c.watch.describe()}`)
    await sleep(300)
    const q = await admin.checkQueue(queue)
    expect(q.messageCount, 'messages left in the consumer’s queue (a broken one must not be requeued forever)').toBe(0)
    expect(c.watch.errors.map((e) => e.message), 'channel errors').toEqual([])
    if (go) {
      // Stopping closes the consumer's connection: what it neither acked nor rejected, and
      // what it keeps requeueing, is back in the queue then.
      await c.stop()
      await sleep(200)
      expect((await admin.checkQueue(queue)).messageCount, 'messages back in the queue once the consumer stopped (reject a broken message without requeue: Nack(false, false))').toBe(0)
    }
  })

  it('stop() stops consuming; events wait in the durable queue and a new consumer counts them', async () => {
    const s = await svc()
    const queue = rabbit.queue('stats')
    const c = await consumer(queue)
    await c.stop()
    const user = await newUser()
    const p = await newProduct({ priceCents: 250 })
    await s.call('post', '/orders', { userId: user, items: [{ productId: p.id, quantity: 2 }] })
    const admin = await conn.createChannel()
    await waitFor(async () => (await readyCount(admin, queue)) === 1, 'the event to wait in the queue of the stopped consumer')
    await sleep(200)
    expect((await statsOf(user)).ordersCount, 'ordersCount while no consumer runs').toBe(0)
    await consumer(queue, true)
    await waitFor(async () => (await statsOf(user)).ordersCount === 1, 'a new consumer on the same queue to count the waiting event')
    expect(await statsOf(user), 'stats afterwards').toEqual({ userId: user, ordersCount: 1, spentCents: 500 })
  })
})

describe('step 4: product cache in Redis', () => {
  const keysWithTtl = async () => {
    const raw = redis.raw()
    const keys = await raw.keys(`${redis.prefix}*`)
    return Promise.all(keys.map(async (k) => ({ key: k, pttl: await raw.pttl(k) })))
  }

  it('a repeated GET /products/:id is served from Redis without touching the database', async () => {
    const s = await instance()
    const p = await newProduct({}, s)
    await s.call('get', `/products/${p.id}`)
    const { reply: again, reads } = await productReads(s, () => s.call('get', `/products/${p.id}`))
    expect(again.body, again.label).toEqual(p)
    expect(reads, `${go ? 'reads of the products table (the suite locked it)' : 'db.query/db.connect calls'} made by a second ${again.label}`).toBe(0)
    expect((await keysWithTtl()).length, 'keys under this suite’s Redis prefix after caching a product').toBeGreaterThan(0)
  })

  it('the cache lives in Redis: a second instance gets a hit for what the first cached', async () => {
    const [a, b] = [await instance(), await instance()]
    const p = await newProduct({}, a)
    await a.call('get', `/products/${p.id}`)
    const { reply: r, reads } = await productReads(b, () => b.call('get', `/products/${p.id}`))
    expect(r.body, `instance B: ${r.label}`).toEqual(p)
    expect(reads, `instance B: ${go ? 'reads of the products table' : 'db calls'} for ${r.label} after instance A cached it`).toBe(0)
  })

  it('every cached entry expires: PTTL at most cacheTtlMs, and after it the database is read again', async () => {
    const s = await instance(400)
    const p = await newProduct({}, s)
    await s.call('get', `/products/${p.id}`)
    for (const { key, pttl } of await keysWithTtl()) {
      expect(pttl, `PTTL of "${key}" (-1 = never expires)`).toBeGreaterThan(0)
      expect(pttl, `PTTL of "${key}": no longer than the largest cacheTtlMs used (60000)`).toBeLessThanOrEqual(60_000)
    }
    await sleep(600)
    const { reads } = await productReads(s, () => s.call('get', `/products/${p.id}`))
    expect(reads, `${go ? 'reads of the products table' : 'db calls'} for GET /products/${p.id} 600 ms later with cacheTtlMs 400 (the entry expired)`).toBeGreaterThan(0)
  })

  it('PATCH invalidates: every instance sees the new value right away', async () => {
    const [a, b] = [await instance(), await instance()]
    const p = await newProduct({ priceCents: 1000 }, a)
    await a.call('get', `/products/${p.id}`)
    await b.call('get', `/products/${p.id}`)
    await a.call('patch', `/products/${p.id}`, { priceCents: 1200 })
    expect((await b.call('get', `/products/${p.id}`)).body?.priceCents, `instance B: priceCents after instance A patched it to 1200`).toBe(1200)
    expect((await a.call('get', `/products/${p.id}`)).body?.priceCents, `instance A: priceCents after its own patch`).toBe(1200)
  })

  it('an order invalidates the cached stock of each of its products', async () => {
    const [a, b] = [await instance(), await instance()]
    const p = await newProduct({ stock: 10 }, a)
    const q = await newProduct({ stock: 10 }, a)
    await b.call('get', `/products/${p.id}`)
    await b.call('get', `/products/${q.id}`)
    const r = await a.call('post', '/orders', { userId: await newUser(a), items: [{ productId: p.id, quantity: 3 }, { productId: q.id, quantity: 1 }] })
    expect(r.status, r.label).toBe(201)
    expect([await stockOf(p.id, b), await stockOf(q.id, b)], 'instance B: stock of both products after the order (both were cached before it)').toEqual([7, 9])
  })

  it('DELETE invalidates: the product is 404 on every instance', async () => {
    const [a, b] = [await instance(), await instance()]
    const p = await newProduct({}, a)
    await b.call('get', `/products/${p.id}`)
    await a.call('delete', `/products/${p.id}`)
    expect((await b.call('get', `/products/${p.id}`)).status, `instance B: GET /products/${p.id} after instance A deleted it`).toBe(404)
  })
})
