import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { pgError } from '#support/postgres-katas'
import { schema } from '@kata/postgres/constraints'

const pg = usePostgres()

beforeAll(async () => {
  try {
    await pg.pool.query(schema)
  } catch (err) {
    throw new Error(`running your schema failed: ${(err as Error).message}`)
  }
})

beforeEach(async () => {
  // DELETE, not TRUNCATE: on tables this small it is much cheaper.
  await pg.pool.query('DELETE FROM order_items; DELETE FROM orders; DELETE FROM products; DELETE FROM customers')
})

const q = (sql: string, params: unknown[] = []) => pg.pool.query(sql, params)
const ok = async (sql: string, params: unknown[], what: string) => {
  const err = await pgError(q(sql, params))
  expect(err?.message, `${what} is a valid row and must be accepted`).toBeUndefined()
}

const NAMES: Record<string, string> = { '23502': 'not_null_violation', '23505': 'unique_violation', '23503': 'foreign_key_violation', '23514': 'check_violation' }

/** Runs a statement that must fail with `code`; returns the error for finer checks. */
async function rejects(sql: string, params: unknown[], code: string, what: string) {
  const err = await pgError(q(sql, params))
  expect(err?.code, `${what} must be rejected with SQLSTATE ${code} (${NAMES[code]}); ${err ? `it failed with ${err.code}: ${err.message}` : 'it was accepted'}`).toBe(code)
  return err!
}

/** The text of the CHECK constraint that fired, e.g. "CHECK ((price_cents > 0))". */
async function checkDef(err: { constraint?: string; table?: string }) {
  const { rows } = await q('SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = $1 AND conrelid = $2::regclass', [err.constraint, err.table])
  return String(rows[0]?.def ?? '')
}

const customer = async (email = 'ada@example.com', name = 'Ada') =>
  (await q('INSERT INTO customers (email, name) VALUES ($1, $2) RETURNING id', [email, name])).rows[0].id as number
const product = async (sku = 'SKU-1', price = 1000) =>
  (await q('INSERT INTO products (sku, name, price_cents, stock) VALUES ($1, $2, $3, 5) RETURNING id', [sku, `product ${sku}`, price])).rows[0].id as number
const order = async (customerId: number) => (await q('INSERT INTO orders (customer_id) VALUES ($1) RETURNING id', [customerId])).rows[0].id as number

describe('customers', () => {
  it('id is the PRIMARY KEY: a duplicate or NULL id is rejected', async () => {
    await ok('INSERT INTO customers (id, email, name) OVERRIDING SYSTEM VALUE VALUES (1, $1, $2)', ['a@x.io', 'A'], 'a customer with id 1')
    const dup = await rejects('INSERT INTO customers (id, email, name) OVERRIDING SYSTEM VALUE VALUES (1, $1, $2)', ['b@x.io', 'B'], '23505', 'a second customer with id 1')
    expect(dup.detail, 'which key the duplicate id violated').toMatch(/^Key \(id\)=/)
    await rejects('INSERT INTO customers (id, email, name) OVERRIDING SYSTEM VALUE VALUES (NULL, $1, $2)', ['c@x.io', 'C'], '23502', 'a customer with id NULL')
  })

  it('email and name are required (NOT NULL)', async () => {
    await ok('INSERT INTO customers (email, name) VALUES ($1, $2)', ['ada@example.com', 'Ada'], 'customer ada@example.com')
    const e1 = await rejects('INSERT INTO customers (email, name) VALUES (NULL, $1)', ['Nobody'], '23502', 'a customer without email')
    expect(e1.column, 'the column named by the error for a customer without email').toBe('email')
    const e2 = await rejects('INSERT INTO customers (email, name) VALUES ($1, NULL)', ['x@example.com'], '23502', 'a customer without name')
    expect(e2.column, 'the column named by the error for a customer without name').toBe('name')
  })

  it('email is unique, whatever its letter case', async () => {
    await customer('ada@example.com')
    const dup = await rejects('INSERT INTO customers (email, name) VALUES ($1, $2)', ['ada@example.com', 'Ada 2'], '23505', 'a second customer with email ada@example.com')
    expect(dup.detail, 'which key the duplicate email violated').toMatch(/email/)
    await rejects('INSERT INTO customers (email, name) VALUES ($1, $2)', ['ADA@Example.COM', 'Ada 3'], '23505', 'a customer with email ADA@Example.COM when ada@example.com exists')
    await ok('INSERT INTO customers (email, name) VALUES ($1, $2)', ['bob@example.com', 'Bob'], 'customer bob@example.com')
  })

  it("an email must contain @ with something on each side (CHECK)", async () => {
    await ok('INSERT INTO customers (email, name) VALUES ($1, $2)', ['a@b', 'Short'], 'email "a@b"')
    for (const email of ['not-an-email', '@example.com', 'ada@']) {
      const err = await rejects('INSERT INTO customers (email, name) VALUES ($1, $2)', [email, 'X'], '23514', `email ${JSON.stringify(email)}`)
      expect(await checkDef(err), `the CHECK that rejected email ${JSON.stringify(email)}`).toMatch(/email/)
    }
  })
})

describe('products', () => {
  it('sku is unique', async () => {
    await product('SKU-1')
    const dup = await rejects('INSERT INTO products (sku, name, price_cents) VALUES ($1, $2, $3)', ['SKU-1', 'copy', 500], '23505', 'a second product with sku SKU-1')
    expect(dup.detail, 'which key the duplicate sku violated').toMatch(/^Key \(sku\)=/)
    await ok('INSERT INTO products (sku, name, price_cents) VALUES ($1, $2, $3)', ['SKU-2', 'other', 500], 'product SKU-2')
  })

  it('price_cents must be above zero (CHECK)', async () => {
    await ok('INSERT INTO products (sku, name, price_cents) VALUES ($1, $2, $3)', ['P1', 'one cent', 1], 'a product priced 1 cent')
    for (const price of [0, -100]) {
      const err = await rejects('INSERT INTO products (sku, name, price_cents) VALUES ($1, $2, $3)', [`P${price}`, 'bad', price], '23514', `a product priced ${price}`)
      expect(await checkDef(err), `the CHECK that rejected price_cents ${price}`).toMatch(/price_cents/)
    }
  })

  it('stock defaults to 0 and can never go negative (DEFAULT, CHECK)', async () => {
    const { rows } = await q('INSERT INTO products (sku, name, price_cents) VALUES ($1, $2, $3) RETURNING stock', ['S1', 'no stock given', 100])
    expect(rows[0].stock, 'stock of a product inserted without stock').toBe(0)
    const err = await rejects('UPDATE products SET stock = stock - 1 WHERE sku = $1', ['S1'], '23514', 'taking one item from a stock of 0')
    expect(await checkDef(err), 'the CHECK that rejected a negative stock').toMatch(/stock/)
    const none = await rejects('UPDATE products SET stock = NULL WHERE sku = $1', ['S1'], '23502', 'setting stock to NULL (stock is required: a CHECK lets NULL through, NOT NULL does not)')
    expect(none.column, 'the column named by the error for stock NULL').toBe('stock')
  })

  it('sku, name and price_cents are required (NOT NULL)', async () => {
    for (const [column, sql] of [
      ['sku', "INSERT INTO products (sku, name, price_cents) VALUES (NULL, 'n', 1)"],
      ['name', "INSERT INTO products (sku, name, price_cents) VALUES ('s', NULL, 1)"],
      ['price_cents', "INSERT INTO products (sku, name, price_cents) VALUES ('s', 'n', NULL)"],
    ] as const) {
      const err = await rejects(sql, [], '23502', `a product without ${column}`)
      expect(err.column, `the column named by the error for a product without ${column}`).toBe(column)
    }
  })
})

describe('orders', () => {
  it('customer_id must point to an existing customer (FOREIGN KEY) and is required', async () => {
    const ada = await customer()
    await ok('INSERT INTO orders (customer_id) VALUES ($1)', [ada], "an order of an existing customer")
    const err = await rejects('INSERT INTO orders (customer_id) VALUES ($1)', [ada + 100], '23503', 'an order of customer that does not exist')
    expect(err.detail, 'what the foreign key error says').toMatch(/customer_id.*customers/)
    await rejects('INSERT INTO orders (customer_id) VALUES (NULL)', [], '23502', 'an order without customer_id')
  })

  it("status defaults to 'new', created_at to now, and status is one of new/paid/shipped/cancelled", async () => {
    const ada = await customer()
    const { rows } = await q('INSERT INTO orders (customer_id) VALUES ($1) RETURNING status, created_at', [ada])
    expect(rows[0].status, 'status of an order inserted without one').toBe('new')
    expect(rows[0].created_at, 'created_at of an order inserted without one').toBeInstanceOf(Date)
    expect(Math.abs(Date.now() - (rows[0].created_at as Date).getTime()), 'ms between now and the default created_at').toBeLessThan(60_000)
    for (const status of ['paid', 'shipped', 'cancelled']) await ok('INSERT INTO orders (customer_id, status) VALUES ($1, $2)', [ada, status], `an order with status "${status}"`)
    const err = await rejects('INSERT INTO orders (customer_id, status) VALUES ($1, $2)', [ada, 'lost'], '23514', 'an order with status "lost"')
    expect(await checkDef(err), 'the CHECK that rejected status "lost"').toMatch(/status/)
    await rejects('INSERT INTO orders (customer_id, status) VALUES ($1, NULL)', [ada], '23502', 'an order with status NULL')
    const noTime = await rejects('INSERT INTO orders (customer_id, created_at) VALUES ($1, NULL)', [ada], '23502', 'an order with created_at NULL (a DEFAULT applies only when the column is left out; required means NOT NULL)')
    expect(noTime.column, 'the column named by the error for created_at NULL').toBe('created_at')
  })

  it('a customer who has orders cannot be deleted; one without orders can', async () => {
    const ada = await customer('ada@example.com')
    const bob = await customer('bob@example.com')
    await order(ada)
    await rejects('DELETE FROM customers WHERE id = $1', [ada], '23503', 'deleting a customer who has an order')
    await ok('DELETE FROM customers WHERE id = $1', [bob], 'deleting a customer without orders')
  })
})

describe('order_items', () => {
  const addItem = 'INSERT INTO order_items (order_id, product_id, quantity, price_cents) VALUES ($1, $2, $3, $4)'

  it('(order_id, product_id) is the primary key: a product appears once per order', async () => {
    const o1 = await order(await customer())
    const o2 = await order(await customer('bob@example.com'))
    const p = await product()
    await ok(addItem, [o1, p, 1, 1000], 'the first line of a product in an order')
    const dup = await rejects(addItem, [o1, p, 2, 1000], '23505', 'the same product added twice to one order')
    expect(dup.detail, 'which key the duplicate line violated').toMatch(/^Key \(order_id, product_id\)=/)
    await ok(addItem, [o2, p, 1, 1000], 'the same product in another order')
  })

  it('order_id and product_id must point to existing rows (FOREIGN KEY)', async () => {
    const o = await order(await customer())
    const p = await product()
    const e1 = await rejects(addItem, [o + 100, p, 1, 1000], '23503', 'an item of an order that does not exist')
    expect(e1.detail, 'what the foreign key error says').toMatch(/order_id.*orders/)
    const e2 = await rejects(addItem, [o, p + 100, 1, 1000], '23503', 'an item of a product that does not exist')
    expect(e2.detail, 'what the foreign key error says').toMatch(/product_id.*products/)
  })

  it('quantity must be above zero, price_cents may be zero but not negative (CHECK)', async () => {
    const o = await order(await customer())
    const [p1, p2, p3] = [await product('A'), await product('B'), await product('C')]
    const e1 = await rejects(addItem, [o, p1, 0, 1000], '23514', 'an item with quantity 0')
    expect(await checkDef(e1), 'the CHECK that rejected quantity 0').toMatch(/quantity/)
    const e2 = await rejects(addItem, [o, p2, 1, -1], '23514', 'an item with price_cents -1')
    expect(await checkDef(e2), 'the CHECK that rejected price_cents -1').toMatch(/price_cents/)
    await ok(addItem, [o, p3, 1, 0], 'a free gift (price_cents 0)')
  })

  it('deleting an order deletes its items (ON DELETE CASCADE); a product that was sold cannot be deleted', async () => {
    const c = await customer()
    const [o1, o2] = [await order(c), await order(c)]
    const [p1, p2] = [await product('A'), await product('B')]
    await q(addItem, [o1, p1, 1, 1000])
    await q(addItem, [o1, p2, 3, 500])
    await q(addItem, [o2, p1, 2, 1000])
    await ok('DELETE FROM orders WHERE id = $1', [o1], 'deleting an order that has items')
    const { rows } = await q('SELECT order_id FROM order_items ORDER BY order_id')
    expect(rows.map((r) => r.order_id), 'order_id of the items left after deleting the first order').toEqual([o2])
    await rejects('DELETE FROM products WHERE id = $1', [p1], '23503', 'deleting a product that is in an order')
  })
})
