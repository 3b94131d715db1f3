import { beforeAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { explain, indexScans, type Plan } from '#support/postgres-katas'
import { createIndexes } from '@kata/postgres/indexes'

const pg = usePostgres()

const COLORS = Array.from({ length: 50 }, (_, i) => `color-${i}`)
const WORDS = ['ceramic', 'mug', 'steel', 'bottle', 'cotton', 'shirt', 'wooden', 'chair', 'glass', 'lamp', 'paper', 'notebook', 'leather', 'wallet']

beforeAll(async () => {
  await pg.pool.query(`
    CREATE TABLE orders (
      id bigserial PRIMARY KEY,
      customer_id int NOT NULL,
      status text NOT NULL,
      created_at timestamptz NOT NULL,
      total_cents int NOT NULL);
    CREATE TABLE products (
      id serial PRIMARY KEY,
      name text NOT NULL,
      attrs jsonb NOT NULL,
      description text NOT NULL)`)
  // Enough rows that a sequential scan is clearly worse than a good index.
  await pg.pool.query(`
    INSERT INTO orders (customer_id, status, created_at, total_cents)
    SELECT 1 + (g * 7919) % 2000,
           CASE WHEN g % 100 = 0 THEN 'pending' ELSE 'done' END,
           timestamptz '2024-01-01' + g * interval '1 minute',
           (g * 31) % 10000
      FROM generate_series(1, 60000) AS g`)
  await pg.pool.query(
    `INSERT INTO products (name, attrs, description)
     SELECT 'product ' || g,
            jsonb_build_object('color', ($1::text[])[1 + g % 50], 'size', (ARRAY['S', 'M', 'L', 'XL'])[1 + g % 4], 'stock', g % 17),
            ($2::text[])[1 + g % 14] || ' ' || ($2::text[])[1 + (g / 14) % 14] || CASE WHEN g % 400 = 0 THEN ' waterproof' ELSE '' END
       FROM generate_series(1, 20000) AS g`,
    [COLORS, WORDS],
  )
})

/** The kata's indexes: created once, on first use, then ANALYZE so the planner has fresh statistics. */
let ready: Promise<Map<string, string>> | undefined
function learnerIndexes(): Promise<Map<string, string>> {
  ready ??= (async () => {
    const before = await indexNames()
    await createIndexes(pg.pool)
    await pg.pool.query('ANALYZE orders; ANALYZE products')
    const after = await indexNames()
    return new Map([...after].filter(([name]) => !before.has(name)))
  })()
  return ready
}

async function indexNames(): Promise<Map<string, string>> {
  const { rows } = await pg.pool.query<{ indexname: string; tablename: string }>(`SELECT indexname, tablename FROM pg_indexes WHERE schemaname = 'public'`)
  return new Map(rows.map((r) => [r.indexname, r.tablename]))
}

/** Asserts that the plan reads `table` through one of the learner's indexes. */
function expectLearnerIndex(plan: Plan, mine: Map<string, string>, table: string, query: string) {
  const used = indexScans(plan).map((n) => n['Index Name']!).filter((name) => mine.get(name) === table)
  const yours = [...mine].map(([n, t]) => `${n} on ${t}`).join(', ') || 'none'
  expect(used.length, `${query}\nmust be answered through one of your indexes on ${table}, but the plan is:\n${plan.text}\nyour indexes: ${yours}\n`).toBeGreaterThan(0)
}

const sorts = (plan: Plan) => plan.nodes.filter((n) => /Sort/.test(n['Node Type']))

describe('createIndexes(db): btree', () => {
  const q1 = 'SELECT id, total_cents FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10'

  it('query 1 (latest orders of a customer) uses your index', async () => {
    const mine = await learnerIndexes()
    expectLearnerIndex(await explain(pg.pool, q1, [42]), mine, 'orders', q1)
  })

  it('query 1 needs no Sort: the index already returns rows in created_at order', async () => {
    const mine = await learnerIndexes()
    const plan = await explain(pg.pool, q1, [42])
    expectLearnerIndex(plan, mine, 'orders', q1)
    expect(sorts(plan).map((n) => n['Node Type']), `Sort nodes in the plan of\n${q1}\n${plan.text}\n(an index on customer_id alone finds the rows but still sorts them)`).toEqual([])
  })

  it('query 1 reads only that customer\'s entries (equality column first, then the sort column)', async () => {
    const mine = await learnerIndexes()
    const plan = await explain(pg.pool, q1, [42], { analyze: true })
    expectLearnerIndex(plan, mine, 'orders', q1)
    // Index entries skipped inside an index scan are not "rows removed": count the pages it touched.
    const pages = Number(plan.root['Shared Hit Blocks'] ?? 0) + Number(plan.root['Shared Read Blocks'] ?? 0)
    expect(pages, `buffers (8 kB pages) read to answer\n${q1}\nfor 10 rows (customer 42 has 30 orders among 60 000): about a dozen with (customer_id, created_at); an index that starts with created_at walks every customer's entries:\n${plan.text}\n`).toBeLessThanOrEqual(40)
  })

  const q2 = `SELECT id, created_at FROM orders WHERE status = 'pending' ORDER BY created_at LIMIT 20`

  it('query 2 (oldest pending orders) uses your index and needs no Sort', async () => {
    const mine = await learnerIndexes()
    const plan = await explain(pg.pool, q2)
    expectLearnerIndex(plan, mine, 'orders', q2)
    expect(sorts(plan).map((n) => n['Node Type']), `Sort nodes in the plan of\n${q2}\n${plan.text}`).toEqual([])
  })

  it('the index behind query 2 stays small: only pending orders (1%) are in it', async () => {
    const mine = await learnerIndexes()
    const plan = await explain(pg.pool, q2)
    expectLearnerIndex(plan, mine, 'orders', q2)
    const name = indexScans(plan).map((n) => n['Index Name']!).find((n) => mine.get(n) === 'orders')!
    const { rows } = await pg.pool.query(`SELECT pg_relation_size($1::regclass) AS idx, pg_relation_size('orders_pkey') AS pkey`, [name])
    const [idx, pkey] = [Number(rows[0].idx), Number(rows[0].pkey)]
    expect(idx, `size in bytes of ${name} (query 2), compared with orders_pkey (${pkey} bytes, every row): index only the rows with status = 'pending'`).toBeLessThan(pkey / 10)
  })
})

describe('createIndexes(db): GIN', () => {
  const q3 = 'SELECT id FROM products WHERE attrs @> $1'

  it('query 3 (jsonb containment: attrs @> \'{"color": …}\') uses your GIN index', async () => {
    const mine = await learnerIndexes()
    expectLearnerIndex(await explain(pg.pool, q3, [JSON.stringify({ color: 'color-7' })]), mine, 'products', q3)
    expectLearnerIndex(await explain(pg.pool, q3, [JSON.stringify({ color: 'color-7', size: 'L' })]), mine, 'products', `${q3} (two keys)`)
  })

  const q4 = "SELECT id FROM products WHERE to_tsvector('english', description) @@ plainto_tsquery('english', $1)"

  it('query 4 (full-text search on description) uses your GIN index', async () => {
    const mine = await learnerIndexes()
    expectLearnerIndex(await explain(pg.pool, q4, ['waterproof']), mine, 'products', q4)
  })
})

describe('createIndexes(db): safe to rerun', () => {
  it('running it a second time fails on nothing and adds no index', async () => {
    const mine = await learnerIndexes()
    expect(mine.size, 'indexes created by createIndexes(db)').toBeGreaterThan(0)
    await createIndexes(pg.pool)
    const again = [...(await indexNames()).keys()].filter((n) => !mine.has(n) && !/_pkey$/.test(n))
    expect(again, 'indexes added by a second createIndexes(db): use CREATE INDEX IF NOT EXISTS with a name').toEqual([])
  })
})
