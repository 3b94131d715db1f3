// Catalog service: products in PostgreSQL, reads cached in Redis (cache-aside).
import type { Router } from 'express'
import type { Pool } from 'pg'
import type { Redis } from 'ioredis'
import type { Metrics } from './platform.ts'

export interface Product {
  id: number
  name: string
  priceCents: number
  stock: number
}

export interface CatalogDeps {
  db: Pool
  redis: Redis
  metrics: Metrics
  cacheTtlMs: number
}

export interface Catalog {
  migrate(): Promise<void>
  get(id: number): Promise<Product | undefined>
  /** Drops cached copies: call it after anything changed these products' rows. */
  invalidate(ids: number[]): Promise<void>
  router: Router
}

export function createCatalog(deps: CatalogDeps): Catalog {
  void deps
  throw new Error('TODO: createCatalog — the products table, POST/GET/PATCH /catalog/products and a Redis cache (step 1 of README.md)\nTODO(ru): createCatalog — таблица products, POST/GET/PATCH /catalog/products и кеш в Redis (шаг 1 в README.ru.md)')
}
