// The product page endpoint, fixed where the evidence pointed: the cache key and the index.
import express, { type Express } from 'express'
import type { Redis } from 'ioredis'
import type pg from 'pg'

export interface Deps {
  db: Pick<pg.Pool, 'query'>
  redis: Redis
}

const CACHE_TTL_SEC = 60

export function createApp({ db, redis }: Deps): Express {
  const app = express()

  app.get('/products/:id', async (req, res) => {
    const id = Number(req.params.id)
    const lang = req.query.lang ?? 'en'
    if (lang !== 'en' && lang !== 'ru') {
      res.status(400).json({ error: 'lang must be en or ru' })
      return
    }
    if (!Number.isSafeInteger(id) || id <= 0) {
      res.status(404).json({ error: 'product not found' })
      return
    }

    // Key on what the page depends on (id, lang), not on the whole URL: clients add
    // a session parameter to every request, which made every key unique.
    const key = `page:${id}:${lang}`
    const cached = await redis.get(key)
    if (cached !== null) {
      res.type('json').send(cached)
      return
    }

    const { rows: products } = await db.query<{ id: number; title_en: string; title_ru: string; price_cents: number }>(
      'SELECT id, title_en, title_ru, price_cents FROM products WHERE id = $1',
      [id],
    )
    const product = products[0]
    if (!product) {
      res.status(404).json({ error: 'product not found' })
      return
    }
    const { rows: stats } = await db.query<{ count: number; average: number | null }>(
      'SELECT count(*)::int AS count, round(avg(rating), 2)::float8 AS average FROM reviews WHERE product_id = $1',
      [id],
    )

    const body = JSON.stringify({
      id: product.id,
      title: lang === 'ru' ? product.title_ru : product.title_en,
      priceCents: product.price_cents,
      reviews: { count: stats[0]!.count, average: stats[0]!.average },
    })
    await redis.set(key, body)
    res.type('json').send(body)
  })

  return app
}

/** Runs once against the production database, before traffic arrives (migrations go here). */
export async function tune(db: Pick<pg.Pool, 'query'>): Promise<void> {
  // The review stats read every review of one product: index them by product, with the
  // rating included so the aggregate is answered from the index alone.
  await db.query('CREATE INDEX IF NOT EXISTS reviews_product_id_rating_idx ON reviews (product_id) INCLUDE (rating)')
}
