import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { pgError } from '#support/postgres-katas'
import { createProductRepo } from '@kata/postgres/typed-repo'

const pg = usePostgres()

// Dates must not depend on the server's time zone: run east of UTC, where a `date` parsed
// as local midnight turns into the previous day in UTC.
const savedTz = process.env.TZ
beforeAll(async () => {
  process.env.TZ = 'Asia/Tokyo'
  await pg.pool.query(`CREATE TABLE products (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 9007199254740000) PRIMARY KEY,
    sku text NOT NULL UNIQUE,
    display_name text NOT NULL,
    price numeric(10, 2) NOT NULL,
    weight_kg real,
    in_stock boolean NOT NULL DEFAULT true,
    tags text[] NOT NULL DEFAULT '{}',
    released_on date,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz)`)
})
afterAll(() => {
  process.env.TZ = savedTz
})
beforeEach(async () => {
  await pg.pool.query('TRUNCATE products RESTART IDENTITY')
})

const KEYS = ['createdAt', 'displayName', 'id', 'inStock', 'priceCents', 'releasedOn', 'sku', 'tags', 'updatedAt', 'weightKg']
const repo = () => createProductRepo(pg.pool)
const mug = { sku: 'MUG-1', displayName: 'Blue mug', priceCents: 1299, weightKg: 0.25, inStock: true, tags: ['kitchen', 'blue'], releasedOn: '2024-02-29' }
const raw = async (sku: string) => (await pg.pool.query('SELECT id::text, display_name, price::text, released_on::text, tags, updated_at FROM products WHERE sku = $1', [sku])).rows[0]

describe('step 1: rows become typed objects', () => {
  it('insert(input) stores the product and returns it with exactly the Product fields, camelCase', async () => {
    const before = Date.now()
    const p = await repo().insert(mug)
    expect(Object.keys(p).sort(), 'keys of the returned Product (no snake_case leftovers)').toEqual(KEYS)
    expect(p, 'insert(mug)').toMatchObject({ sku: 'MUG-1', displayName: 'Blue mug', priceCents: 1299, inStock: true, tags: ['kitchen', 'blue'], releasedOn: '2024-02-29', updatedAt: null })
    expect(p.weightKg, 'weightKg of insert(mug)').toBeCloseTo(0.25)
    expect(p.createdAt, 'createdAt').toBeInstanceOf(Date)
    expect(Math.abs(p.createdAt.getTime() - before), 'ms between createdAt and now').toBeLessThan(60_000)
    expect(await raw('MUG-1'), 'the row in the table').toMatchObject({ display_name: 'Blue mug', price: '12.99', released_on: '2024-02-29' })
  })

  it('id (a bigint column) is a number', async () => {
    const p = await repo().insert(mug)
    expect(typeof p.id, 'typeof id (pg returns bigint as a string)').toBe('number')
    expect(p.id, 'id of the first product (the identity starts at 9007199254740000)').toBe(Number((await raw('MUG-1')).id))
  })

  it('priceCents is exact: prices like 0.29, 1.15 and 19.99 survive the trip', async () => {
    const r = repo()
    for (const [i, cents] of [29, 115, 1999, 1, 100000, 57].entries()) {
      const p = await r.insert({ sku: `P-${i}`, displayName: 'x', priceCents: cents })
      expect(p.priceCents, `priceCents returned by insert({ priceCents: ${cents} })`).toBe(cents)
      expect((await raw(`P-${i}`)).price, `price stored for priceCents ${cents}`).toBe((cents / 100).toFixed(2))
      expect((await r.findBySku(`P-${i}`))?.priceCents, `findBySku("P-${i}").priceCents`).toBe(cents)
    }
  })

  it('releasedOn is the same "YYYY-MM-DD" that was stored, in any time zone (here: Asia/Tokyo)', async () => {
    const r = repo()
    for (const day of ['2024-02-29', '2023-01-01', '1999-12-31']) {
      await r.insert({ sku: day, displayName: 'x', priceCents: 100, releasedOn: day })
      expect((await r.findBySku(day))?.releasedOn, `findBySku(…).releasedOn for a product released on ${day}`).toBe(day)
    }
  })

  it('optional fields get their defaults: weightKg null, inStock true, tags [], releasedOn null', async () => {
    const p = await repo().insert({ sku: 'BARE', displayName: 'Bare', priceCents: 500 })
    expect(p, 'insert with only sku, displayName, priceCents').toMatchObject({ weightKg: null, inStock: true, tags: [], releasedOn: null, updatedAt: null })
  })

  it('findById and findBySku return the same Product, or null', async () => {
    const r = repo()
    const p = await r.insert(mug)
    expect(await r.findById(p.id), `findById(${p.id})`).toEqual(p)
    expect(await r.findBySku('MUG-1'), 'findBySku("MUG-1")').toEqual(p)
    expect(await r.findById(p.id + 1000), 'findById of an unknown id').toBeNull()
    expect(await r.findBySku("' OR ''='"), 'findBySku("\' OR \'\'=\'")').toBeNull()
  })
})

describe('step 2: queries built from options', () => {
  async function seed() {
    const r = repo()
    const made = []
    for (let i = 0; i < 12; i++) {
      made.push(await r.insert({ sku: `S-${i}`, displayName: `item ${i}`, priceCents: 100 + i, inStock: i % 3 !== 0, tags: i % 2 ? ['odd'] : ['even', ...(i % 4 === 0 ? ['four'] : [])] }))
    }
    return { r, made }
  }

  it('list() returns products ordered by id, 50 at most by default', async () => {
    const { r, made } = await seed()
    expect(await r.list(), 'list()').toEqual(made)
    await pg.pool.query(`INSERT INTO products (sku, display_name, price) SELECT 'BULK-' || g, 'bulk ' || g, 1 FROM generate_series(1, 45) AS g`)
    const all = await r.list()
    expect(all.length, 'list() with 57 products: the default limit is 50').toBe(50)
    expect(all.slice(0, 12), 'the first 12 of list() with 57 products').toEqual(made)
  })

  it('list({ tag }), list({ inStock }) and both together filter in SQL', async () => {
    const { r, made } = await seed()
    expect(await r.list({ tag: 'four' }), 'list({ tag: "four" })').toEqual(made.filter((p) => p.tags.includes('four')))
    expect(await r.list({ inStock: false }), 'list({ inStock: false })').toEqual(made.filter((p) => !p.inStock))
    expect(await r.list({ tag: 'odd', inStock: true }), 'list({ tag: "odd", inStock: true })').toEqual(made.filter((p) => p.tags.includes('odd') && p.inStock))
    expect(await r.list({ tag: 'none' }), 'list({ tag: "none" })').toEqual([])
  })

  it('list({ limit, offset }) pages, alone or with filters', async () => {
    const { r, made } = await seed()
    expect(await r.list({ limit: 3, offset: 2 }), 'list({ limit: 3, offset: 2 })').toEqual(made.slice(2, 5))
    expect(await r.list({ inStock: true, limit: 2, offset: 1 }), 'list({ inStock: true, limit: 2, offset: 1 })').toEqual(made.filter((p) => p.inStock).slice(1, 3))
  })

  it('update(id, patch) sets only the given fields, stamps updatedAt, returns the Product', async () => {
    const r = repo()
    const p = await r.insert(mug)
    const u = await r.update(p.id, { priceCents: 1115, tags: ['sale'] })
    expect(u, `update(${p.id}, { priceCents: 1115, tags: ["sale"] })`).toMatchObject({ ...p, priceCents: 1115, tags: ['sale'], updatedAt: expect.any(Date) })
    const u2 = await r.update(p.id, { displayName: 'Red mug', releasedOn: null, weightKg: undefined })
    expect(u2, 'update with displayName, releasedOn: null and weightKg: undefined (undefined = leave as is)').toMatchObject({ displayName: 'Red mug', releasedOn: null, priceCents: 1115 })
    expect(u2?.weightKg, 'weightKg after an update that left it undefined').toBeCloseTo(0.25)
    expect(await r.update(p.id + 1000, { displayName: 'ghost' }), 'update of an unknown id').toBeNull()
  })

  it('update(id, {}) changes nothing and returns the product as it is', async () => {
    const r = repo()
    const p = await r.insert(mug)
    expect(await r.update(p.id, {}), `update(${p.id}, {})`).toEqual(p)
  })

  it('update rejects a field it does not know (TypeError) and runs nothing: keys never become SQL', async () => {
    const r = repo()
    const p = await r.insert(mug)
    const evil = { "display_name = 'pwned', price = 0 WHERE true; --": 'x' }
    const err = await pgError(r.update(p.id, evil))
    expect(err, `update(${p.id}, ${JSON.stringify(evil)})`).toBeInstanceOf(TypeError)
    expect(await pgError(r.update(p.id, { sku: 'NEW' } as never)), 'update(id, { sku: "NEW" }): sku is not patchable').toBeInstanceOf(TypeError)
    expect(await r.findById(p.id), 'the product after the rejected updates').toEqual(p)
  })
})
