import { beforeAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { recordingDb } from '#support/postgres-katas'
import { loadOrders } from '@kata/postgres/n-plus-one'

const pg = usePostgres()

interface Item { id: number; order_id: number; product_id: number; quantity: number; price_cents: number }
interface Order { id: number; customer_id: number; placed_at: string }

const customers = Array.from({ length: 12 }, (_, i) => ({ id: 500 + i * 3, name: `Customer ${String.fromCharCode(65 + i)}` }))
const products = Array.from({ length: 25 }, (_, i) => ({ id: 9000 + i * 11, name: `Product ${i}` }))
const orders: Order[] = []
const items: Item[] = []
let itemId = 1
for (let i = 0; i < 150; i++) {
  const id = 10_000 + i * 7
  orders.push({ id, customer_id: customers[Math.floor(Math.random() * customers.length)]!.id, placed_at: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000 + Math.floor(Math.random() * 1000)).toISOString() })
  const n = i % 10 === 0 ? 0 : 1 + Math.floor(Math.random() * 5) // every tenth order has no items
  const used = new Set<number>()
  for (let k = 0; k < n; k++) {
    const p = products[Math.floor(Math.random() * products.length)]!
    if (used.has(p.id)) continue
    used.add(p.id)
    items.push({ id: itemId++, order_id: id, product_id: p.id, quantity: 1 + Math.floor(Math.random() * 4), price_cents: 100 + Math.floor(Math.random() * 5000) })
  }
}
// Shuffle item ids so "items in insertion order" and "items by id" differ from "by product".
items.reverse().forEach((it, i) => (it.id = i + 1))

function expected(ids: number[]) {
  const seen = new Set<number>()
  return ids.flatMap((id) => {
    const o = orders.find((x) => x.id === id)
    if (!o || seen.has(id)) return []
    seen.add(id)
    const its = items.filter((i) => i.order_id === id).sort((a, b) => a.id - b.id).map((i) => ({
      product: { id: i.product_id, name: products.find((p) => p.id === i.product_id)!.name },
      quantity: i.quantity,
      priceCents: i.price_cents,
    }))
    return [{
      id,
      placedAt: new Date(o.placed_at),
      customer: { ...customers.find((c) => c.id === o.customer_id)! },
      items: its,
      totalCents: its.reduce((s, i) => s + i.quantity * i.priceCents, 0),
    }]
  })
}

beforeAll(async () => {
  await pg.pool.query(`
    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE products (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, placed_at timestamptz NOT NULL);
    CREATE TABLE order_items (id int PRIMARY KEY, order_id int NOT NULL REFERENCES orders, product_id int NOT NULL REFERENCES products,
                              quantity int NOT NULL, price_cents int NOT NULL)`)
  const load = (table: string, rows: unknown[]) => pg.pool.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(null::${table}, $1)`, [JSON.stringify(rows)])
  await load('customers', customers)
  await load('products', products)
  await load('orders', orders)
  // Stored newest id first, so only ORDER BY i.id (not the order rows happen to be read in) gives items by id.
  await load('order_items', [...items].reverse())
})

const sample = (n: number) => [...orders].sort(() => Math.random() - 0.5).slice(0, n).map((o) => o.id)

describe('loadOrders(db, orderIds)', () => {
  it('returns each order with its customer, its items (by item id, with product) and totalCents', async () => {
    const ids = sample(8)
    expect(await loadOrders(recordingDb(pg.pool).db, ids), `loadOrders(db, [${ids.join(', ')}])`).toEqual(expected(ids))
  })

  it('keeps the order of orderIds, skips unknown ids, returns a repeated id once', async () => {
    const [a, b, c] = sample(3) as [number, number, number]
    const ids = [c, 1, a, b, a, 999_999]
    expect(await loadOrders(recordingDb(pg.pool).db, ids), `loadOrders(db, [${ids.join(', ')}]) (1 and 999999 do not exist)`).toEqual(expected(ids))
  })

  it('gives an order without items items: [] and totalCents: 0', async () => {
    const empty = orders.filter((_, i) => i % 10 === 0).slice(0, 3).map((o) => o.id)
    const got = await loadOrders(recordingDb(pg.pool).db, empty)
    expect(got, `loadOrders(db, [${empty.join(', ')}]): orders without items`).toEqual(expected(empty))
  })

  it('returns [] for an empty list', async () => {
    expect(await loadOrders(recordingDb(pg.pool).db, []), 'loadOrders(db, [])').toEqual([])
  })
})

describe('loadOrders: no N+1', () => {
  it('sends at most 3 queries for 5 orders and the same number for 120 orders', async () => {
    const few = recordingDb(pg.pool)
    const fewIds = sample(5)
    expect(await loadOrders(few.db, fewIds), 'loadOrders for 5 orders').toEqual(expected(fewIds))
    const many = recordingDb(pg.pool)
    const manyIds = sample(120)
    expect(await loadOrders(many.db, manyIds), 'loadOrders for 120 orders').toEqual(expected(manyIds))
    const list = (r: typeof many) => r.queries.map((q) => `  ${q.text.replace(/\s+/g, ' ').trim().slice(0, 100)}`).slice(0, 6).join('\n')
    expect(many.queries.length, `queries sent for 120 orders (a loader with one query per order sends 121 or more); the first ones:\n${list(many)}\n`).toBeLessThanOrEqual(3)
    expect(many.queries.length, `queries for 120 orders vs for 5 orders (${few.queries.length}): the count must not grow with N`).toBe(few.queries.length)
  })

  it('does not fetch every order of the table to pick a few in JavaScript', async () => {
    const rec = recordingDb(pg.pool)
    const ids = sample(4)
    expect(await loadOrders(rec.db, ids), 'loadOrders for 4 orders').toEqual(expected(ids))
    const fetched = rec.queries.reduce((s, q) => s + (q.rows ?? 0), 0)
    const needed = 4 + items.filter((i) => ids.includes(i.order_id)).length
    expect(fetched, `rows your queries returned for 4 orders (they have ${needed - 4} items between them; the table holds ${orders.length} orders and ${items.length} items): filter in SQL`).toBeLessThanOrEqual(needed * 2 + 4)
  })
})
