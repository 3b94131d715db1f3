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

/**
 * A typed repository over the products table: rows in snake_case with pg's own types go
 * in, `Product` objects come out. See README.md for every method and every mapping rule.
 */
export function createProductRepo(db: Db): ProductRepo {
  const todo = (what: string, ru: string) => async (): Promise<never> => {
    throw new Error(`TODO: ${what}\nTODO(ru): ${ru}`)
  }
  return {
    insert: todo('insert(input) — INSERT … RETURNING, then map the row to a Product', 'insert(input) — INSERT … RETURNING, затем преобразовать строку в Product'),
    findById: todo('findById(id) — one Product or null', 'findById(id) — один Product или null'),
    findBySku: todo('findBySku(sku) — one Product or null', 'findBySku(sku) — один Product или null'),
    list: todo('list(filter) — WHERE built from the filter, ORDER BY id, LIMIT/OFFSET', 'list(filter) — WHERE по фильтру, ORDER BY id, LIMIT/OFFSET'),
    update: todo('update(id, patch) — SET only the given fields, updated_at = now()', 'update(id, patch) — SET только переданных полей, updated_at = now()'),
  }
}
