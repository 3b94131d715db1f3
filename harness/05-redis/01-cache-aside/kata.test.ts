import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { useRedis } from '#support/redis'
import { clearKeys, lazyRaw, sleep, ttlsUnder } from '#support/redis-chapter'
import { raceGate, tapRedis } from '#support/faults/redis'
import { deferred } from '#support/async'
import { createCatalog } from '@kata/redis/cache-aside'

const pg = usePostgres()
const redis = useRedis()
const raw = lazyRaw(redis)

interface Product {
  id: number
  name: string
  priceCents: number
}
interface Catalog {
  getProduct(id: number): Promise<Product | null>
  updateProduct(id: number, changes: Partial<Omit<Product, 'id'>>): Promise<Product | null>
}

const SEED: Product[] = [
  { id: 1, name: 'Keyboard', priceCents: 4900 },
  { id: 2, name: 'Mouse', priceCents: 1900 },
  { id: 3, name: 'Monitor', priceCents: 19900 },
]

/** A db that counts the queries the catalog sends, so a hit can be told from a miss; it can hold the next UPDATE. */
function countingDb() {
  let gate: { opened: ReturnType<typeof deferred<void>>; reached: ReturnType<typeof deferred<void>> } | undefined
  const db = {
    queries: 0,
    /** Holds the next UPDATE statement until `release()`; `reached` resolves when it arrives. */
    holdNextUpdate() {
      const g = { opened: deferred<void>(), reached: deferred<void>() }
      gate = g
      return { reached: g.reached.promise, release: () => g.opened.resolve() }
    },
    query: async (text: string, params?: unknown[]) => {
      db.queries++
      if (gate && /^\s*update\b/i.test(text)) {
        const g = gate
        gate = undefined
        g.reached.resolve()
        await g.opened.promise
      }
      return pg.pool.query(text, params)
    },
  }
  return db
}

/** One app instance: its own db counter and its own Redis connection (same keyspace). */
function instance(ttlMs = 60_000) {
  const db = countingDb()
  const tap = tapRedis(redis.client())
  const catalog = createCatalog({ db, redis: tap.client, ttlMs }) as Catalog
  return { db, catalog, tap }
}

/** Changes a row behind the catalog's back, as another service would. */
const setPriceInDb = (id: number, priceCents: number) =>
  pg.pool.query('update products set price_cents = $2 where id = $1', [id, priceCents])

beforeAll(async () => {
  await pg.pool.query('create table products (id int primary key, name text not null, price_cents int not null)')
})

beforeEach(async () => {
  await pg.pool.query('truncate products')
  for (const p of SEED) await pg.pool.query('insert into products values ($1, $2, $3)', [p.id, p.name, p.priceCents])
  await clearKeys(raw(), redis.prefix)
})

describe('createCatalog({ db, redis, ttlMs }).getProduct(id)', () => {
  it('returns the row as { id, name, priceCents }, and null for an id that is not in the table', async () => {
    const { catalog } = instance()
    expect(await catalog.getProduct(2), 'getProduct(2), first call (a miss)').toEqual({ id: 2, name: 'Mouse', priceCents: 1900 })
    expect(await catalog.getProduct(404), 'getProduct(404): no such row').toBeNull()
  })

  it('serves a repeated read from Redis without querying the database, with the same value', async () => {
    const { db, catalog } = instance()
    const first = await catalog.getProduct(1)
    expect(db.queries, 'db queries after the first getProduct(1) (a miss must read the db once)').toBe(1)
    const second = await catalog.getProduct(1)
    const third = await catalog.getProduct(1)
    expect(db.queries, 'db queries after getProduct(1) three times: only the first may read the db').toBe(1)
    expect(second, 'getProduct(1) from the cache must equal what the db returned').toEqual(first)
    expect(third, 'getProduct(1), third call').toEqual({ id: 1, name: 'Keyboard', priceCents: 4900 })
  })

  it('keeps the cache in Redis: another app instance gets a hit for what the first one cached', async () => {
    const a = instance()
    const b = instance()
    await a.catalog.getProduct(3)
    expect(await b.catalog.getProduct(3), 'instance B: getProduct(3) after instance A cached it').toEqual(SEED[2])
    expect(b.db.queries, 'db queries made by instance B (the value was already in Redis)').toBe(0)
  })

  it('caches each product separately', async () => {
    const { db, catalog } = instance()
    expect(await catalog.getProduct(1), 'getProduct(1)').toEqual(SEED[0])
    expect(await catalog.getProduct(2), 'getProduct(2) after getProduct(1): a different product').toEqual(SEED[1])
    expect(await catalog.getProduct(1), 'getProduct(1) again').toEqual(SEED[0])
    expect(await catalog.getProduct(2), 'getProduct(2) again').toEqual(SEED[1])
    expect(db.queries, 'db queries for two products read twice each').toBe(2)
  })

  it('gives every cached entry a TTL of at most ttlMs', async () => {
    const { catalog } = instance(5000)
    await catalog.getProduct(1)
    await catalog.getProduct(2)
    const ttls = await ttlsUnder(raw(), redis.prefix)
    expect(Object.keys(ttls).length, 'keys in Redis after caching two products').toBeGreaterThan(0)
    for (const [key, ttl] of Object.entries(ttls)) {
      expect(ttl, `PTTL of "${key}" (-1 means it never expires)`).toBeGreaterThan(0)
      expect(ttl, `PTTL of "${key}" with ttlMs 5000`).toBeLessThanOrEqual(5000)
    }
  })

  it('never leaves a key without a TTL: not for a miss, not when the instance dies right after writing the value', async () => {
    const { catalog, tap } = instance(5000)
    expect(await catalog.getProduct(404), 'getProduct(404): no such row').toBeNull()
    // The "crash": the suite fails any TTL command sent after the value was written.
    const gate = tap.hold((cmd, before) => ['pexpire', 'expire', 'pexpireat', 'expireat'].includes(cmd.name) && !cmd.batched && before.some((c) => c.name === 'set'))
    const read = catalog.getProduct(1).catch((err: unknown) => err)
    try {
      if ((await raceGate(gate, read)) === 'reached') gate.fail(new Error('the instance died here (injected by the suite)'))
      await read
    } finally {
      tap.releaseAll()
    }
    const ttls = await ttlsUnder(raw(), redis.prefix)
    for (const [key, ttl] of Object.entries(ttls)) {
      expect(
        ttl,
        `PTTL of "${key}" after getProduct(404) and getProduct(1), with ttlMs 5000 (-1: it never expires). Write the value and its TTL in one command (SET key value PX ttlMs), a cached miss included`,
      ).toBeGreaterThan(0)
      expect(ttl, `PTTL of "${key}" with ttlMs 5000`).toBeLessThanOrEqual(5000)
    }
  })

  it('reads the database again once the cached entry has expired', async () => {
    const { db, catalog } = instance(500)
    await catalog.getProduct(1)
    await setPriceInDb(1, 5500)
    expect(await catalog.getProduct(1), 'getProduct(1) right after another service changed the price: still the cached row').toEqual(SEED[0])
    await sleep(1000)
    expect(await catalog.getProduct(1), 'getProduct(1) 1000 ms later, with ttlMs 500: the entry expired, the new price is read').toEqual({
      id: 1,
      name: 'Keyboard',
      priceCents: 5500,
    })
    expect(db.queries, 'db queries: one miss, then one more after expiry').toBe(2)
  })
})

describe('createCatalog({ db, redis, ttlMs }).updateProduct(id, changes)', () => {
  it('writes the change to the database and returns the updated product', async () => {
    const { catalog } = instance()
    const updated = await catalog.updateProduct(2, { priceCents: 2500 })
    expect(updated, 'updateProduct(2, { priceCents: 2500 })').toEqual({ id: 2, name: 'Mouse', priceCents: 2500 })
    const { rows } = await pg.pool.query('select name, price_cents from products where id = 2')
    expect(rows[0], 'row 2 in the database after updateProduct(2, { priceCents: 2500 })').toEqual({ name: 'Mouse', price_cents: 2500 })
    const renamed = await catalog.updateProduct(2, { name: 'Trackball' })
    expect(renamed, 'updateProduct(2, { name: "Trackball" }) keeps the price').toEqual({ id: 2, name: 'Trackball', priceCents: 2500 })
  })

  it('invalidates the cached copy: the next read returns the new value', async () => {
    const { catalog } = instance()
    expect(await catalog.getProduct(1), 'getProduct(1) before the update (now cached)').toEqual(SEED[0])
    await catalog.updateProduct(1, { name: 'Mechanical keyboard', priceCents: 8900 })
    for (const [key, ttl] of Object.entries(await ttlsUnder(raw(), redis.prefix))) {
      expect(ttl, `PTTL of "${key}" after updateProduct(1, …) (-1: it never expires)`).not.toBe(-1)
    }
    expect(await catalog.getProduct(1), 'getProduct(1) after updateProduct(1, …)').toEqual({ id: 1, name: 'Mechanical keyboard', priceCents: 8900 })
  })

  it('does not let a read that runs during the update cache the old row', async () => {
    const writer = instance()
    const reader = instance()
    const gate = writer.db.holdNextUpdate()
    const updating = writer.catalog.updateProduct(2, { priceCents: 2990 })
    const outcome = await Promise.race([gate.reached.then(() => 'reached' as const), updating.then(() => 'done' as const, () => 'done' as const)])
    // While the UPDATE is on its way to the database, another instance reads product 2.
    if (outcome === 'reached') {
      expect(await reader.catalog.getProduct(2), 'instance B: getProduct(2) while A\'s update is still running (the old row is right)').toEqual(SEED[1])
      gate.release()
    }
    await updating
    expect(
      await reader.catalog.getProduct(2),
      'instance B: getProduct(2) after A\'s updateProduct(2, { priceCents: 2990 }) finished. If A dropped the cached copy before writing, B\'s read in between cached the old row again: invalidate after the database write',
    ).toEqual({ id: 2, name: 'Mouse', priceCents: 2990 })
  })

  it('invalidates for every app instance, not only the one that wrote', async () => {
    const a = instance()
    const b = instance()
    await a.catalog.getProduct(3)
    await b.catalog.getProduct(3)
    await b.catalog.updateProduct(3, { priceCents: 17900 })
    expect(await a.catalog.getProduct(3), 'instance A: getProduct(3) after instance B updated it').toEqual({ id: 3, name: 'Monitor', priceCents: 17900 })
  })

  it('leaves the other products cached', async () => {
    const { db, catalog } = instance()
    await catalog.getProduct(1)
    await catalog.getProduct(2)
    const before = db.queries
    await catalog.updateProduct(1, { priceCents: 100 })
    const afterUpdate = db.queries
    expect(await catalog.getProduct(2), 'getProduct(2) after updating product 1').toEqual(SEED[1])
    expect(db.queries - afterUpdate, 'db queries for getProduct(2) after updating product 1: it must still be a hit').toBe(0)
    expect(afterUpdate - before, 'db queries made by one updateProduct call').toBeGreaterThanOrEqual(1)
  })

  it('returns null for an id that is not in the table and changes nothing', async () => {
    const { catalog } = instance()
    expect(await catalog.updateProduct(404, { priceCents: 1 }), 'updateProduct(404, { priceCents: 1 })').toBeNull()
    const { rows } = await pg.pool.query('select count(*)::int as n from products')
    expect(rows[0].n, 'rows in products after updating a missing id').toBe(3)
    expect(await catalog.getProduct(404), 'getProduct(404) after that').toBeNull()
  })
})
