import { beforeAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { explain, recordingDb, type Plan } from '#support/postgres-katas'
import { findCustomer, ordersOfDay, planSummary, tune } from '@kata/postgres/explain'

const pg = usePostgres()

beforeAll(async () => {
  await pg.pool.query(`
    CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL);
    CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, total_cents int NOT NULL, created_at timestamp NOT NULL)`)
  await pg.pool.query(`INSERT INTO customers (email) SELECT 'User' || g || '@Example.com' FROM generate_series(1, 20000) AS g`)
  // 300 orders a day for 200 days; every 300th lands exactly on midnight.
  await pg.pool.query(`
    INSERT INTO orders (customer_id, total_cents, created_at)
    SELECT 1 + g % 20000, g % 9973, timestamp '2024-01-01' + g * interval '288 seconds'
      FROM generate_series(1, 60000) AS g`)
  await pg.pool.query(`
    INSERT INTO orders (customer_id, total_cents, created_at) VALUES
      (1, 111, '2024-03-10 23:59:59.999'), (2, 222, '2024-03-11 00:00:00'), (3, 333, '2024-03-09 23:59:59.999999')`)
  // The indexes a team would already have: they exist, the slow queries just cannot use them.
  await pg.pool.query('CREATE INDEX orders_created_at_idx ON orders (created_at); CREATE INDEX customers_email_idx ON customers (email)')
  await pg.pool.query('ANALYZE customers; ANALYZE orders')
})

// The slow versions the kata started from: the "before" of each comparison.
const slowOrdersOfDay = "SELECT id, customer_id AS \"customerId\", total_cents AS \"totalCents\" FROM orders WHERE created_at::date = $1 ORDER BY id"
const slowFindCustomer = 'SELECT id, email FROM customers WHERE lower(email) = lower($1)'

/** tune(db) once, then ANALYZE. The slow findCustomer plan is taken first: tune() changes it. */
let tuned: Promise<{ slowFind: Plan }> | undefined
const ready = () =>
  (tuned ??= (async () => {
    const slowFind = await explain(pg.pool, slowFindCustomer, ['user777@example.com'], { analyze: true })
    await tune(pg.pool)
    await pg.pool.query('ANALYZE customers; ANALYZE orders')
    return { slowFind }
  })())

/** Calls the kata through a recording db and returns its result and the plan of its last query. */
async function traced<T>(call: (db: ReturnType<typeof recordingDb>['db']) => Promise<T>) {
  const rec = recordingDb(pg.pool)
  const result = await call(rec.db)
  const last = rec.queries.at(-1)
  if (!last) throw new Error('the function sent no query')
  return { result, sql: last.text, plan: await explain(pg.pool, last.text, last.values ?? [], { analyze: true }) }
}

const buffers = (p: Plan) => Number(p.root['Shared Hit Blocks'] ?? 0) + Number(p.root['Shared Read Blocks'] ?? 0)
const beforeAfter = (before: Plan, after: Plan) => `\nbefore (the slow version):\n${before.text}\nafter (yours):\n${after.text}\n`

describe('planSummary(db, sql, params)', () => {
  it('lists every node depth first, root first, with the types EXPLAIN uses', async () => {
    const sql = 'SELECT c.email, o.total_cents FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id <= $1 ORDER BY o.total_cents'
    const truth = await explain(pg.pool, sql, [5], { analyze: true })
    const got = await planSummary(pg.pool, sql, [5])
    expect(got.nodes.map((n: { type: string }) => n.type), `node types of planSummary for\n${sql}\nwhose plan is\n${truth.text}\n`).toEqual(truth.nodes.map((n) => n['Node Type']))
    expect(got.nodes.map((n: { relation?: string }) => n.relation ?? null), 'relation of each node (undefined for nodes that read no table)').toEqual(truth.nodes.map((n) => n['Relation Name'] ?? null))
  })

  it('walks a deeper tree depth first: a join inside a join lists all of its subtree before the next branch', async () => {
    const sql = 'SELECT c.email, o.total_cents, n.total_cents FROM orders o JOIN customers c ON c.id = o.customer_id JOIN orders n ON n.id = o.id + 1 WHERE o.id <= $1 ORDER BY o.total_cents'
    const truth = await explain(pg.pool, sql, [5], { analyze: true })
    const got = await planSummary(pg.pool, sql, [5])
    const show = (ns: { type: string; relation?: string | null }[]) => ns.map((n) => `${n.type}${n.relation ? ` on ${n.relation}` : ''}`)
    expect(show(got.nodes), `nodes of planSummary for\n${sql}\nwhose plan is\n${truth.text}\n(depth first: a node, then its first child's whole subtree, then the next child)`).toEqual(show(truth.nodes.map((n) => ({ type: n['Node Type'], relation: n['Relation Name'] }))))
  })

  it('reports the relation, the index, the actual rows and loops of each node', async () => {
    const sql = 'SELECT c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id <= $1'
    const truth = await explain(pg.pool, sql, [7], { analyze: true })
    const got = await planSummary(pg.pool, sql, [7])
    const pick = (n: { index?: string; actualRows: number; loops: number }) => ({ index: n.index ?? null, actualRows: n.actualRows, loops: n.loops })
    expect(got.nodes.map(pick), `index, actualRows and loops of each node for\n${sql}\n${truth.text}\n`).toEqual(
      truth.nodes.map((n) => ({ index: n['Index Name'] ?? null, actualRows: n['Actual Rows'], loops: n['Actual Loops'] })),
    )
  })

  it('runs the query for real (ANALYZE): actual rows of a Seq Scan match the data, times are numbers', async () => {
    const { rows } = await pg.pool.query('SELECT count(*)::int AS n FROM orders WHERE total_cents = 42')
    const got = await planSummary(pg.pool, 'SELECT id FROM orders WHERE total_cents = $1', [42])
    const scan = got.nodes.find((n: { relation?: string }) => n.relation === 'orders')
    expect(scan?.type, 'type of the node reading orders for WHERE total_cents = 42 (no index on it)').toBe('Seq Scan')
    expect(scan?.actualRows, 'actualRows of that Seq Scan').toBe(rows[0].n)
    expect(typeof got.executionMs === 'number' && got.executionMs > 0, `executionMs is a positive number (got ${got.executionMs})`).toBe(true)
    expect(typeof got.planningMs === 'number' && got.planningMs >= 0, `planningMs is a number (got ${got.planningMs})`).toBe(true)
  })
})

describe('ordersOfDay(db, day): fix the slow query', () => {
  it('reads orders through the index on created_at instead of scanning them all, and returns the same rows', async () => {
    await ready()
    const day = '2024-02-14'
    const before = await explain(pg.pool, slowOrdersOfDay, [day], { analyze: true })
    const after = await traced((db) => ordersOfDay(db, day))
    expect(after.result, `ordersOfDay(db, "${day}") compared with the slow version`).toEqual((await pg.pool.query(slowOrdersOfDay, [day])).rows)
    const seq = after.plan.nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'orders')
    expect(seq.length, `Seq Scans on orders in your plan${beforeAfter(before, after.plan)}`).toBe(0)
    expect(after.plan.nodes.some((n) => /Index/.test(n['Node Type']) && n['Index Name'] === 'orders_created_at_idx'), `does your plan use orders_created_at_idx?${beforeAfter(before, after.plan)}`).toBe(true)
  })

  it('reads at least 10 times fewer buffers than the slow version (EXPLAIN ANALYZE, BUFFERS)', async () => {
    await ready()
    const day = '2024-05-01'
    const before = await explain(pg.pool, slowOrdersOfDay, [day], { analyze: true })
    const after = await traced((db) => ordersOfDay(db, day))
    expect((after.result as unknown[]).length, `orders on ${day}`).toBe((await pg.pool.query(slowOrdersOfDay, [day])).rowCount)
    expect(buffers(after.plan) * 10, `10 × buffers read by your query (${buffers(after.plan)}) vs the slow one (${buffers(before)})${beforeAfter(before, after.plan)}`).toBeLessThanOrEqual(buffers(before))
  })

  it('keeps the day boundaries: midnight belongs to its day, 23:59:59.999999 to the day before', async () => {
    await ready()
    for (const day of ['2024-03-09', '2024-03-10', '2024-03-11', '2023-12-31', '2024-07-19']) {
      const after = await traced((db) => ordersOfDay(db, day))
      expect(after.result, `ordersOfDay(db, "${day}") compared with the slow version`).toEqual((await pg.pool.query(slowOrdersOfDay, [day])).rows)
      expect(after.plan.nodes.filter((n) => n['Node Type'] === 'Seq Scan').length, `Seq Scans in the plan of ordersOfDay(db, "${day}")\n${after.plan.text}\n`).toBe(0)
    }
  })
})

describe('findCustomer(db, email): give the query the index it needs', () => {
  it('finds a customer whatever the letter case, through an index (tune(db) runs once before)', async () => {
    const before = (await ready()).slowFind
    for (const email of ['user123@example.com', 'USER123@EXAMPLE.COM', 'User123@Example.com']) {
      const after = await traced((db) => findCustomer(db, email))
      expect(after.result, `findCustomer(db, "${email}")`).toEqual({ id: 123, email: 'User123@Example.com' })
      expect(after.plan.nodes.filter((n) => n['Node Type'] === 'Seq Scan').length, `Seq Scans in the plan of findCustomer(db, "${email}")${beforeAfter(before, after.plan)}`).toBe(0)
    }
    const missing = await traced((db) => findCustomer(db, 'nobody@example.com'))
    expect(missing.result, 'findCustomer(db, "nobody@example.com")').toBeNull()
    expect(missing.plan.nodes.filter((n) => n['Node Type'] === 'Seq Scan').length, `Seq Scans in the plan of findCustomer(db, "nobody@example.com")\n${missing.plan.text}\n`).toBe(0)
  })

  it('reads at least 10 times fewer buffers than before', async () => {
    const before = (await ready()).slowFind
    const after = await traced((db) => findCustomer(db, 'USER777@example.com'))
    expect(after.result, 'findCustomer(db, "USER777@example.com")').toEqual({ id: 777, email: 'User777@Example.com' })
    expect(buffers(after.plan) * 10, `10 × buffers read by your query (${buffers(after.plan)}) vs the slow one (${buffers(before)})${beforeAfter(before, after.plan)}`).toBeLessThanOrEqual(buffers(before))
  })
})
