import type { Redis } from 'ioredis'

export interface Product {
  id: number
  name: string
  priceCents: number
}

export type ProductChanges = Partial<Omit<Product, 'id'>>

/** The part of a pg Pool this kata uses: pass a Pool, or anything with the same `query`. */
export interface Db {
  query<R extends object = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>
}

export interface CatalogOptions {
  db: Db
  redis: Redis
  /** How long a cached product lives, in milliseconds. */
  ttlMs: number
}

export interface Catalog {
  getProduct(id: number): Promise<Product | null>
  updateProduct(id: number, changes: ProductChanges): Promise<Product | null>
}

interface ProductRow {
  id: number
  name: string
  price_cents: number
}

const keyOf = (id: number) => `product:${id}`
const toProduct = (r: ProductRow): Product => ({ id: r.id, name: r.name, priceCents: r.price_cents })

export function createCatalog({ db, redis, ttlMs }: CatalogOptions): Catalog {
  return {
    async getProduct(id) {
      const cached = await redis.get(keyOf(id))
      if (cached !== null) return JSON.parse(cached) as Product

      const { rows } = await db.query<ProductRow>('select id, name, price_cents from products where id = $1', [id])
      const row = rows[0]
      if (!row) return null
      const product = toProduct(row)
      // PX sets the value and its expiry in one command: a key never lives without a TTL.
      await redis.set(keyOf(id), JSON.stringify(product), 'PX', ttlMs)
      return product
    },

    async updateProduct(id, changes) {
      const { rows } = await db.query<ProductRow>(
        `update products
            set name = coalesce($2, name), price_cents = coalesce($3, price_cents)
          where id = $1
          returning id, name, price_cents`,
        [id, changes.name ?? null, changes.priceCents ?? null],
      )
      const row = rows[0]
      if (!row) return null
      // Put the new value in the cache right away: the next read is a hit.
      const product = toProduct(row)
      await redis.set(keyOf(id), JSON.stringify(product))
      return product
    },
  }
}
