// Catalog service: products in PostgreSQL, reads cached in Redis (cache-aside).
import { Router, type Request, type Response } from 'express'
import type { Pool } from 'pg'
import type { Redis } from 'ioredis'
import { HttpError, idParam, isInt, type Metrics } from './platform.ts'

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

const toProduct = (r: { id: number; name: string; price_cents: number; stock: number }): Product => ({ id: r.id, name: r.name, priceCents: r.price_cents, stock: r.stock })
const key = (id: number) => `catalog:product:${id}`

export function createCatalog({ db, redis, metrics, cacheTtlMs }: CatalogDeps): Catalog {
  async function get(id: number): Promise<Product | undefined> {
    const cached = await redis.get(key(id))
    if (cached) {
      metrics.cache.inc({ result: 'hit' })
      return JSON.parse(cached) as Product
    }
    metrics.cache.inc({ result: 'miss' })
    const { rows } = await db.query('select id, name, price_cents, stock from products where id = $1', [id])
    if (!rows[0]) return undefined
    const product = toProduct(rows[0])
    await redis.set(key(id), JSON.stringify(product))
    return product
  }

  const invalidate = async (ids: number[]) => {
    if (ids.length) await redis.del(...ids.map(key))
  }

  const router = Router()

  router.post('/catalog/products', async (req: Request, res: Response) => {
    const { name, priceCents, stock } = req.body ?? {}
    if (typeof name !== 'string' || !name.trim()) throw new HttpError(400, 'name must be a non-empty string')
    if (!isInt(priceCents, 0)) throw new HttpError(400, 'priceCents must be an integer ≥ 0')
    if (!isInt(stock, 0)) throw new HttpError(400, 'stock must be an integer ≥ 0')
    const { rows } = await db.query('insert into products (name, price_cents, stock) values ($1, $2, $3) returning *', [name, priceCents, stock])
    res.status(201).json(toProduct(rows[0]))
  })

  router.get('/catalog/products/:id', async (req: Request, res: Response) => {
    const id = idParam(req.params.id)
    const product = id === undefined ? undefined : await get(id)
    if (!product) throw new HttpError(404, `product ${req.params.id} not found`)
    res.json(product)
  })

  router.patch('/catalog/products/:id', async (req: Request, res: Response) => {
    const id = idParam(req.params.id)
    const body = (req.body ?? {}) as Record<string, unknown>
    const sets: string[] = []
    const params: unknown[] = [id]
    if ('name' in body) {
      if (typeof body.name !== 'string' || !body.name.trim()) throw new HttpError(400, 'name must be a non-empty string')
      sets.push(`name = $${params.push(body.name)}`)
    }
    for (const [field, column] of [['priceCents', 'price_cents'], ['stock', 'stock']] as const) {
      if (!(field in body)) continue
      if (!isInt(body[field], 0)) throw new HttpError(400, `${field} must be an integer ≥ 0`)
      sets.push(`${column} = $${params.push(body[field])}`)
    }
    if (!sets.length) throw new HttpError(400, 'nothing to change')
    if (id === undefined) throw new HttpError(404, `product ${req.params.id} not found`)
    const { rows } = await db.query(`update products set ${sets.join(', ')} where id = $1 returning *`, params)
    if (!rows[0]) throw new HttpError(404, `product ${id} not found`)
    await invalidate([id])
    res.json(toProduct(rows[0]))
  })

  return {
    async migrate() {
      await db.query(`create table if not exists products (
        id int generated always as identity primary key,
        name text not null check (name <> ''),
        price_cents int not null check (price_cents >= 0),
        stock int not null check (stock >= 0))`)
    },
    get,
    invalidate,
    router,
  }
}
