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

/**
 * Cache-aside in front of the `products` table:
 * - getProduct(id): look in Redis first; on a miss read the row from `db`, store it in
 *   Redis with a TTL of `ttlMs`, and return it (null when there is no such row);
 * - updateProduct(id, changes): update the row in `db`, then invalidate the cached copy.
 */
export function createCatalog({ db, redis, ttlMs }: CatalogOptions): Catalog {
  return {
    async getProduct(id) {
      throw new Error('TODO: getProduct(id) — read from Redis, on a miss from the db, and cache the row with a TTL\nTODO(ru): getProduct(id) — прочитать из Redis, при промахе — из базы, и закешировать строку с TTL')
    },
    async updateProduct(id, changes) {
      throw new Error('TODO: updateProduct(id, changes) — update the row in the db, then delete the cached copy\nTODO(ru): updateProduct(id, changes) — обновить строку в базе, затем удалить копию из кеша')
    },
  }
}
