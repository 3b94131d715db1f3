import type pg from 'pg'
import { describe, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { mutationGrader, type Mutant } from '#support/testing'
import * as spec from '@kata/testing/integration'

const db = usePostgres()

// The suite's own copy of orders.ts, with switches that break one rule each.
interface NewLine {
  sku: string
  qty: number
  priceCents: number
}
interface NewOrder {
  customerId: string
  idempotencyKey: string
  lines: NewLine[]
}
interface OrderRow {
  id: string
  customer_id: string
  total_cents: string
  created_at: Date
}
type Bug =
  | 'no-transaction'
  | 'no-rollback'
  | 'total-ignores-qty'
  | 'repeat-key-fails'
  | 'repeat-key-duplicates'
  | 'lines-reversed'
  | 'get-unknown-throws'
  | 'list-all-customers'
  | 'list-oldest-first'
  | 'list-ignores-limit'
  | 'cursor-inclusive'
  | 'line-price-swapped'

function ordersModule(bug?: Bug) {
  async function migrate(pool: pg.Pool) {
    await pool.query(`
      create table if not exists orders (
        id bigserial primary key,
        customer_id text not null,
        idempotency_key text not null ${bug === 'repeat-key-duplicates' ? '' : 'unique'},
        total_cents bigint not null,
        created_at timestamptz not null default now()
      );
      create table if not exists order_lines (
        order_id bigint not null references orders (id) on delete cascade,
        pos int not null,
        sku text not null,
        qty int not null check (qty > 0),
        price_cents int not null check (price_cents >= 0),
        primary key (order_id, pos)
      );
    `)
  }
  const summary = (r: OrderRow) => ({ id: Number(r.id), customerId: r.customer_id, totalCents: Number(r.total_cents), createdAt: r.created_at })

  function createOrderRepo(pool: pg.Pool) {
    async function get(id: number) {
      const { rows } = await pool.query<OrderRow>('select id, customer_id, total_cents, created_at from orders where id = $1', [id])
      if (!rows[0]) {
        if (bug === 'get-unknown-throws') throw new Error(`order ${id} not found`)
        return undefined
      }
      const lines = await pool.query<{ sku: string; qty: number; price_cents: number }>(
        `select sku, qty, price_cents from order_lines where order_id = $1 order by pos ${bug === 'lines-reversed' ? 'desc' : ''}`,
        [id],
      )
      return {
        ...summary(rows[0]),
        lines: lines.rows.map((l) => ({ sku: l.sku, qty: bug === 'line-price-swapped' ? l.price_cents : l.qty, priceCents: bug === 'line-price-swapped' ? l.qty : l.price_cents })),
      }
    }
    return {
      get,
      async create(order: NewOrder) {
        if (order.lines.length === 0) throw new Error('an order needs at least one line')
        const total = order.lines.reduce((sum, l) => sum + (bug === 'total-ignores-qty' ? 1 : l.qty) * l.priceCents, 0)
        const client = await pool.connect()
        const tx = bug !== 'no-transaction'
        let id: number
        try {
          if (tx) await client.query('begin')
          const conflict = bug === 'repeat-key-fails' || bug === 'repeat-key-duplicates' ? '' : 'on conflict (idempotency_key) do nothing'
          const inserted = await client.query<{ id: string }>(
            `insert into orders (customer_id, idempotency_key, total_cents) values ($1, $2, $3) ${conflict} returning id`,
            [order.customerId, order.idempotencyKey, total],
          )
          if (inserted.rows[0]) {
            id = Number(inserted.rows[0].id)
            for (const [pos, l] of order.lines.entries()) {
              await client.query('insert into order_lines (order_id, pos, sku, qty, price_cents) values ($1, $2, $3, $4, $5)', [id, pos, l.sku, l.qty, l.priceCents])
            }
          } else {
            const existing = await client.query<{ id: string }>('select id from orders where idempotency_key = $1', [order.idempotencyKey])
            id = Number(existing.rows[0]!.id)
          }
          if (tx) await client.query('commit')
        } catch (err) {
          if (tx && bug !== 'no-rollback') await client.query('rollback')
          throw err
        } finally {
          client.release()
        }
        return (await get(id))!
      },
      async listByCustomer(customerId: string, { limit = 20, before }: { limit?: number; before?: number } = {}) {
        const where = bug === 'list-all-customers' ? '($1::text is not null)' : 'customer_id = $1'
        const cursor = bug === 'cursor-inclusive' ? 'id <= $2' : 'id < $2'
        const { rows } = await pool.query<OrderRow>(
          `select id, customer_id, total_cents, created_at from orders
           where ${where} and ($2::bigint is null or ${cursor})
           order by id ${bug === 'list-oldest-first' ? 'asc' : 'desc'} limit $3`,
          [customerId, before ?? null, bug === 'list-ignores-limit' ? 1000 : limit],
        )
        return rows.map(summary)
      },
    }
  }
  return { migrate, createOrderRepo }
}

const mutants: Mutant<ReturnType<typeof ordersModule>>[] = [
  { when: 'create is not atomic: a line that breaks a constraint leaves the order row behind', impl: ordersModule('no-transaction') },
  { when: 'a failed create forgets to ROLLBACK and hands a broken connection back to the pool', impl: ordersModule('no-rollback') },
  { when: 'the total ignores the quantities', impl: ordersModule('total-ignores-qty') },
  { when: 'get swaps a line\'s qty and priceCents', impl: ordersModule('line-price-swapped') },
  { when: 'repeating a create with the same idempotency key fails instead of returning the first order', impl: ordersModule('repeat-key-fails') },
  { when: 'repeating a create with the same idempotency key creates a second order', impl: ordersModule('repeat-key-duplicates') },
  { when: 'get returns the lines in reverse order', impl: ordersModule('lines-reversed') },
  { when: 'get of an unknown id throws instead of resolving undefined', impl: ordersModule('get-unknown-throws') },
  { when: 'listByCustomer returns other customers\' orders too', impl: ordersModule('list-all-customers') },
  { when: 'listByCustomer returns the oldest orders first', impl: ordersModule('list-oldest-first') },
  { when: 'listByCustomer ignores the limit', impl: ordersModule('list-ignores-limit') },
  { when: 'the before cursor includes the order it points at, so a page repeats the last order of the previous one', impl: ordersModule('cursor-inclusive') },
]

let runs = 0
/**
 * Each run gets an empty schema of its own on the suite's database, and a pool on it.
 * synchronous_commit=off spares every commit a disk flush: the data is thrown away anyway.
 * The schemas go with the suite's database at the end.
 */
async function freshDatabase() {
  const schema = `run_${++runs}`
  await db.pool.query(`create schema ${schema}`)
  const pool = db.newPool({ max: 4, options: `-c search_path=${schema} -c synchronous_commit=off` })
  return { args: [pool], done: () => pool.end().catch(() => undefined) }
}

const grader = mutationGrader(spec.defineTests, () => ordersModule(), { args: freshDatabase, timeoutMs: 20_000 })

describe('your integration tests of the orders repository', () => {
  it('pass on the correct implementation, against a real PostgreSQL', async () => {
    const problem = await grader.referenceProblem()
    if (problem) throw new Error(problem)
  })

  for (const m of mutants) {
    it(`catch the bug: ${m.when}`, async () => {
      if (await grader.referenceProblem()) throw new Error('first make your tests pass on the correct implementation (see the first failing test)')
      const { killed } = await grader.killed(m)
      if (!killed) throw new Error(`your tests still pass when ${m.when}`)
    })
  }
})
