import { beforeAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { recordingDb } from '#support/postgres-katas'
import { bigSpenders, monthlyRevenue, revenueByCategory } from '@kata/postgres/group-by'

const pg = usePostgres()

interface Order { customer: string; category: string; amount_cents: number; status: 'paid' | 'refunded'; created_at: string }

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!
const pad = (n: number) => String(n).padStart(2, '0')

// Random orders, so the answer has to be computed; a few fixed ones pin the edge cases.
const customers = Array.from({ length: 24 }, (_, i) => `customer-${pad(i)}`)
const categories = ['books', 'games', 'garden', 'music', 'tools', 'toys']
const emptyMonths2023 = new Set([3, 8])
const orders: Order[] = []
for (let i = 0; i < 400; i++) {
  const year = pick([2022, 2023, 2023, 2023, 2024])
  let month = 1 + Math.floor(Math.random() * 12)
  while (year === 2023 && emptyMonths2023.has(month)) month = 1 + Math.floor(Math.random() * 12)
  orders.push({
    customer: pick(customers.slice(0, 20)),
    category: pick(categories),
    amount_cents: 100 + Math.floor(Math.random() * 20000),
    status: Math.random() < 0.85 ? 'paid' : 'refunded',
    created_at: `${year}-${pad(month)}-${pad(1 + Math.floor(Math.random() * 28))} ${pad(Math.floor(Math.random() * 24))}:${pad(Math.floor(Math.random() * 60))}:00`,
  })
}
orders.push(
  // Only refunded: must not appear among categories nor spenders.
  { customer: 'customer-20', category: 'gift-cards', amount_cents: 5000, status: 'refunded', created_at: '2023-05-05 10:00:00' },
  { customer: 'customer-20', category: 'gift-cards', amount_cents: 7000, status: 'refunded', created_at: '2023-06-05 10:00:00' },
  // Month boundaries.
  { customer: 'customer-21', category: 'books', amount_cents: 1111, status: 'paid', created_at: '2023-12-31 23:59:59' },
  { customer: 'customer-21', category: 'books', amount_cents: 2222, status: 'paid', created_at: '2024-01-01 00:00:00' },
  { customer: 'customer-21', category: 'books', amount_cents: 3333, status: 'paid', created_at: '2023-01-01 00:00:00' },
)

const paid = orders.filter((o) => o.status === 'paid')

function groupSums(rows: Order[], key: (o: Order) => string) {
  const m = new Map<string, { n: number; sum: number }>()
  for (const o of rows) {
    const g = m.get(key(o)) ?? { n: 0, sum: 0 }
    g.n++
    g.sum += o.amount_cents
    m.set(key(o), g)
  }
  return m
}

const byRevenueThenName = <T extends { revenueCents: number }>(name: (x: T) => string) => (a: T, b: T) =>
  b.revenueCents - a.revenueCents || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0)

function expectedCategories() {
  return [...groupSums(paid, (o) => o.category)]
    .map(([category, g]) => ({ category, orders: g.n, revenueCents: g.sum, averageCents: Math.round(g.sum / g.n) }))
    .sort(byRevenueThenName((x) => x.category))
}

function expectedSpenders(minOrders: number, minRevenueCents: number) {
  return [...groupSums(paid, (o) => o.customer)]
    .filter(([, g]) => g.n >= minOrders && g.sum >= minRevenueCents)
    .map(([customer, g]) => ({ customer, orders: g.n, revenueCents: g.sum }))
    .sort(byRevenueThenName((x) => x.customer))
}

function expectedMonths(year: number) {
  return Array.from({ length: 12 }, (_, i) => {
    const month = `${year}-${pad(i + 1)}`
    const inMonth = orders.filter((o) => o.created_at.startsWith(month))
    const sum = (s: string) => inMonth.filter((o) => o.status === s).reduce((a, o) => a + o.amount_cents, 0)
    return { month, paidCents: sum('paid'), refundedCents: sum('refunded') }
  })
}

beforeAll(async () => {
  await pg.pool.query(`CREATE TABLE orders (
    id serial PRIMARY KEY,
    customer text NOT NULL,
    category text NOT NULL,
    amount_cents int NOT NULL,
    status text NOT NULL CHECK (status IN ('paid', 'refunded')),
    created_at timestamp NOT NULL)`)
  await pg.pool.query(
    `INSERT INTO orders (customer, category, amount_cents, status, created_at)
     SELECT customer, category, amount_cents, status, created_at FROM json_populate_recordset(null::orders, $1)`,
    [JSON.stringify(orders)],
  )
})

describe('revenueByCategory(db)', () => {
  it('returns { category, orders, revenueCents, averageCents } of paid orders, biggest revenue first', async () => {
    const rec = recordingDb(pg.pool)
    const got = await revenueByCategory(rec.db)
    expect(got, 'revenueByCategory(db) on 400 random orders').toEqual(expectedCategories())
    expect(rec.queries.length, 'queries sent by revenueByCategory(db)').toBe(1)
    expect(rec.queries[0]!.rows, 'rows your query returned: aggregate in the database (GROUP BY), one row per category, not one per order').toBe(expectedCategories().length)
  })

  it('leaves out refunded orders: a category with only refunded orders is absent', async () => {
    const got = await revenueByCategory(recordingDb(pg.pool).db)
    expect(got.map((c: { category: string }) => c.category), 'categories returned ("gift-cards" has only refunded orders)').not.toContain('gift-cards')
    expect(got.map((c: { category: string }) => c.category).sort(), 'categories returned').toEqual([...categories].sort())
  })

  it('returns numbers, not the strings pg gives for count(), sum() and avg()', async () => {
    const [first] = await revenueByCategory(recordingDb(pg.pool).db)
    for (const key of ['orders', 'revenueCents', 'averageCents'] as const) {
      expect(typeof first?.[key], `typeof (first row).${key}`).toBe('number')
    }
  })
})

describe('bigSpenders(db, { minOrders, minRevenueCents })', () => {
  const counts = [...groupSums(paid, (o) => o.customer).values()]
  const medianOrders = counts.map((g) => g.n).sort((a, b) => a - b)[Math.floor(counts.length / 2)]!
  const medianRevenue = counts.map((g) => g.sum).sort((a, b) => a - b)[Math.floor(counts.length / 2)]!

  it('keeps customers with at least minOrders paid orders and at least minRevenueCents, biggest first', async () => {
    const rec = recordingDb(pg.pool)
    const opts = { minOrders: medianOrders, minRevenueCents: medianRevenue }
    expect(await bigSpenders(rec.db, opts), `bigSpenders(db, ${JSON.stringify(opts)})`).toEqual(expectedSpenders(opts.minOrders, opts.minRevenueCents))
    expect(rec.queries.length, 'queries sent by bigSpenders(db, …)').toBe(1)
    expect(rec.queries[0]!.rows, 'rows your query returned: filter the groups in the database (HAVING), not in JavaScript').toBe(expectedSpenders(opts.minOrders, opts.minRevenueCents).length)
  })

  it('applies each threshold on its own', async () => {
    const db = recordingDb(pg.pool).db
    const onlyOrders = { minOrders: medianOrders + 1, minRevenueCents: 0 }
    const onlyRevenue = { minOrders: 1, minRevenueCents: medianRevenue + 1 }
    expect(await bigSpenders(db, onlyOrders), `bigSpenders(db, ${JSON.stringify(onlyOrders)})`).toEqual(expectedSpenders(onlyOrders.minOrders, 0))
    expect(await bigSpenders(db, onlyRevenue), `bigSpenders(db, ${JSON.stringify(onlyRevenue)})`).toEqual(expectedSpenders(1, onlyRevenue.minRevenueCents))
  })

  it('counts paid orders only, and returns [] when nobody qualifies', async () => {
    const db = recordingDb(pg.pool).db
    const got = await bigSpenders(db, { minOrders: 1, minRevenueCents: 1 })
    expect(got.map((s: { customer: string }) => s.customer), 'bigSpenders(db, { minOrders: 1, minRevenueCents: 1 }): customer-20 has only refunded orders').not.toContain('customer-20')
    expect(await bigSpenders(db, { minOrders: 1000, minRevenueCents: 0 }), 'bigSpenders(db, { minOrders: 1000, minRevenueCents: 0 })').toEqual([])
  })
})

describe('monthlyRevenue(db, year)', () => {
  it('returns twelve { month: "YYYY-MM", paidCents, refundedCents }, months without orders as zeros', async () => {
    const rec = recordingDb(pg.pool)
    const got = await monthlyRevenue(rec.db, 2023)
    expect(got, 'monthlyRevenue(db, 2023) (no orders in 2023-03 and 2023-08)').toEqual(expectedMonths(2023))
    expect(rec.queries.length, 'queries sent by monthlyRevenue(db, 2023)').toBe(1)
  })

  it('puts 23:59:59 on Dec 31 in December and midnight on Jan 1 in the next year', async () => {
    const got = await monthlyRevenue(recordingDb(pg.pool).db, 2024)
    expect(got, 'monthlyRevenue(db, 2024)').toEqual(expectedMonths(2024))
  })

  it('returns twelve zero months for a year without orders', async () => {
    expect(await monthlyRevenue(recordingDb(pg.pool).db, 2019), 'monthlyRevenue(db, 2019)').toEqual(expectedMonths(2019))
  })
})

describe('ties and exact thresholds (a small shop of its own)', () => {
  // Same table name in a schema of its own: the kata's unqualified "orders" resolves to it.
  let db: ReturnType<typeof pg.newPool>
  beforeAll(async () => {
    await pg.pool.query(`CREATE SCHEMA tie; CREATE TABLE tie.orders (LIKE public.orders INCLUDING ALL)`)
    // Six categories and six customers with the same paid revenue, inserted in no particular order.
    const names = ['delta', 'alpha', 'foxtrot', 'charlie', 'echo', 'bravo']
    const rows = names.flatMap((n, i) => [
      { customer: `c-${n}`, category: n, amount_cents: 400 + i, status: 'paid', created_at: '2023-02-01 10:00:00' },
      { customer: `c-${n}`, category: n, amount_cents: 600 - i, status: 'paid', created_at: '2023-02-02 10:00:00' },
    ])
    rows.push(
      { customer: 'c-short', category: 'zulu', amount_cents: 999, status: 'paid', created_at: '2023-02-03 10:00:00' },
      { customer: 'c-short', category: 'zulu', amount_cents: 0, status: 'paid', created_at: '2023-02-03 11:00:00' },
      { customer: 'c-single', category: 'zulu', amount_cents: 5000, status: 'paid', created_at: '2023-02-03 12:00:00' },
    )
    await pg.pool.query(
      `INSERT INTO tie.orders (customer, category, amount_cents, status, created_at)
       SELECT customer, category, amount_cents, status, created_at FROM json_populate_recordset(null::public.orders, $1)`,
      [JSON.stringify(rows)],
    )
    db = pg.newPool({ max: 2, options: '-c search_path=tie' })
  })

  it('revenueByCategory: equal revenue is ordered by category A→Z', async () => {
    const got = await revenueByCategory(db)
    expect(got.map((c: { category: string }) => c.category), 'categories, all six with revenue 1000 (and zulu with 5999)').toEqual(['zulu', 'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'])
  })

  it('bigSpenders: equal revenue is ordered by customer A→Z, and a customer exactly at both thresholds qualifies', async () => {
    const got = await bigSpenders(db, { minOrders: 2, minRevenueCents: 1000 })
    expect(
      got.map((s: { customer: string }) => s.customer),
      'bigSpenders(db, { minOrders: 2, minRevenueCents: 1000 }): six customers have exactly 2 orders and 1000 ("at least" includes them, ties A→Z); c-short has 999, c-single 1 order',
    ).toEqual(['c-alpha', 'c-bravo', 'c-charlie', 'c-delta', 'c-echo', 'c-foxtrot'])
  })
})
