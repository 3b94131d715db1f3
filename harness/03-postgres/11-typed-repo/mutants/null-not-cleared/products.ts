import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

export interface Product {
  id: number
  sku: string
  displayName: string
  priceCents: number
  weightKg: number | null
  inStock: boolean
  tags: string[]
  /** 'YYYY-MM-DD', whatever the server's time zone. */
  releasedOn: string | null
  createdAt: Date
  updatedAt: Date | null
}

export interface NewProduct {
  sku: string
  displayName: string
  priceCents: number
  weightKg?: number | null
  inStock?: boolean
  tags?: string[]
  releasedOn?: string | null
}

export type ProductPatch = Partial<Omit<NewProduct, 'sku'>>

export interface ListFilter {
  tag?: string
  inStock?: boolean
  limit?: number
  offset?: number
}

export interface ProductRepo {
  insert(input: NewProduct): Promise<Product>
  findById(id: number): Promise<Product | null>
  findBySku(sku: string): Promise<Product | null>
  list(filter?: ListFilter): Promise<Product[]>
  update(id: number, patch: ProductPatch): Promise<Product | null>
}

/** The row exactly as pg hands it over, given the SELECT below. */
interface ProductRow {
  id: string // bigint: pg gives a string so no precision is lost
  sku: string
  display_name: string
  price_cents: number // converted in SQL: numeric * 100 → int, no float rounding in JS
  weight_kg: number | null
  in_stock: boolean
  tags: string[]
  released_on: string | null // date as text: a JS Date would shift with the time zone
  created_at: Date
  updated_at: Date | null
}

// One SELECT list, used by every query, so every row maps the same way (what sqlc generates).
const COLUMNS = `id, sku, display_name, (price * 100)::int AS price_cents, weight_kg, in_stock, tags,
  released_on::text AS released_on, created_at, updated_at`

function toProduct(r: ProductRow): Product {
  return {
    id: Number(r.id),
    sku: r.sku,
    displayName: r.display_name,
    priceCents: r.price_cents,
    weightKg: r.weight_kg,
    inStock: r.in_stock,
    tags: r.tags,
    releasedOn: r.released_on,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }
}

/** Patchable fields → column and how the value is written. Only these keys can reach SQL. */
const PATCHABLE: Record<keyof ProductPatch, string> = {
  displayName: 'display_name = $',
  priceCents: 'price = $::numeric / 100',
  weightKg: 'weight_kg = $',
  inStock: 'in_stock = $',
  tags: 'tags = $',
  releasedOn: 'released_on = $::date',
}

export function createProductRepo(db: Db): ProductRepo {
  const one = async (sql: string, params: unknown[]) => {
    const { rows } = await db.query<ProductRow>(sql, params)
    return rows[0] ? toProduct(rows[0]) : null
  }

  return {
    async insert(p) {
      const row = await one(
        `INSERT INTO products (sku, display_name, price, weight_kg, in_stock, tags, released_on)
         VALUES ($1, $2, $3::numeric / 100, $4, $5, $6, $7::date)
         RETURNING ${COLUMNS}`,
        [p.sku, p.displayName, p.priceCents, p.weightKg ?? null, p.inStock ?? true, p.tags ?? [], p.releasedOn ?? null],
      )
      return row!
    },

    findById: (id) => one(`SELECT ${COLUMNS} FROM products WHERE id = $1`, [id]),
    findBySku: (sku) => one(`SELECT ${COLUMNS} FROM products WHERE sku = $1`, [sku]),

    async list(filter = {}) {
      // A tiny query builder: conditions and parameters grow together, numbered as they go.
      const where: string[] = []
      const params: unknown[] = []
      if (filter.tag !== undefined) where.push(`$${params.push(filter.tag)} = ANY(tags)`)
      if (filter.inStock !== undefined) where.push(`in_stock = $${params.push(filter.inStock)}`)
      const limit = `$${params.push(filter.limit ?? 50)}`
      const offset = `$${params.push(filter.offset ?? 0)}`
      const { rows } = await db.query<ProductRow>(
        `SELECT ${COLUMNS} FROM products ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ${limit} OFFSET ${offset}`,
        params,
      )
      return rows.map(toProduct)
    },

    async update(id, patch) {
      const sets: string[] = []
      const params: unknown[] = [id]
      for (const [key, value] of Object.entries(patch)) {
        if (!Object.hasOwn(PATCHABLE, key)) throw new TypeError(`cannot update field "${key}"`)
        if (value === undefined || value === null) continue
        sets.push(PATCHABLE[key as keyof ProductPatch].replace('$', `$${params.push(value)}`))
      }
      if (sets.length === 0) return one(`SELECT ${COLUMNS} FROM products WHERE id = $1`, [id])
      return one(`UPDATE products SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`, params)
    },
  }
}
