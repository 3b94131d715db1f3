// The code under test: a PostgreSQL repository. Only a real database can tell whether its
// SQL, constraints and transactions do what they should.
import type pg from 'pg'

export interface NewLine {
  sku: string
  qty: number
  priceCents: number
}

export interface NewOrder {
  customerId: string
  /** The client's key for this order: sending the same order twice must not create two. */
  idempotencyKey: string
  lines: NewLine[]
}

export interface OrderSummary {
  id: number
  customerId: string
  totalCents: number
  createdAt: Date
}

export interface Order extends OrderSummary {
  lines: NewLine[]
}

export async function migrate(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create table if not exists orders (
      id bigserial primary key,
      customer_id text not null,
      idempotency_key text not null unique,
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

interface OrderRow {
  id: string
  customer_id: string
  total_cents: string
  created_at: Date
}

const summary = (r: OrderRow): OrderSummary => ({ id: Number(r.id), customerId: r.customer_id, totalCents: Number(r.total_cents), createdAt: r.created_at })

export function createOrderRepo(pool: pg.Pool) {
  async function get(id: number): Promise<Order | undefined> {
    const { rows } = await pool.query<OrderRow>('select id, customer_id, total_cents, created_at from orders where id = $1', [id])
    if (!rows[0]) return undefined
    const lines = await pool.query<{ sku: string; qty: number; price_cents: number }>(
      'select sku, qty, price_cents from order_lines where order_id = $1 order by pos',
      [id],
    )
    return { ...summary(rows[0]), lines: lines.rows.map((l) => ({ sku: l.sku, qty: l.qty, priceCents: l.price_cents })) }
  }

  return {
    get,

    /** Creates the order and its lines atomically; a repeated idempotencyKey returns the first order. */
    async create(order: NewOrder): Promise<Order> {
      if (order.lines.length === 0) throw new Error('an order needs at least one line')
      const total = order.lines.reduce((sum, l) => sum + l.qty * l.priceCents, 0)
      const client = await pool.connect()
      let id: number
      try {
        await client.query('begin')
        const inserted = await client.query<{ id: string }>(
          `insert into orders (customer_id, idempotency_key, total_cents) values ($1, $2, $3)
           on conflict (idempotency_key) do nothing returning id`,
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
        await client.query('commit')
      } catch (err) {
        await client.query('rollback')
        throw err
      } finally {
        client.release()
      }
      return (await get(id))!
    },

    /** A customer's orders, newest first; `before` is the id to continue after (exclusive). */
    async listByCustomer(customerId: string, { limit = 20, before }: { limit?: number; before?: number } = {}): Promise<OrderSummary[]> {
      const { rows } = await pool.query<OrderRow>(
        `select id, customer_id, total_cents, created_at from orders
         where customer_id = $1 and ($2::bigint is null or id < $2)
         order by id desc limit $3`,
        [customerId, before ?? null, limit],
      )
      return rows.map(summary)
    },
  }
}
