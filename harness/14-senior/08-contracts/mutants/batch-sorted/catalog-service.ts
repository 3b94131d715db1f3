// The catalog service (the provider). v1 is what orders-service was built against and must
// keep working; v2 is the shape the storefront needs. One model, two representations.
import express, { type Express } from 'express'

export interface Product {
  id: string
  name: string
  priceCents: number
  currency: string
  stock: number
}

/** v1 as orders-service knows it, plus `currency`: adding a field breaks no consumer. */
const v1 = (p: Product) => ({ id: p.id, name: p.name, price: p.priceCents, inStock: p.stock > 0, currency: p.currency })

/** v2 changed the type of `price`: a breaking change, hence a new version next to v1. */
const v2 = (p: Product) => ({ id: p.id, name: p.name, price: { amount: p.priceCents, currency: p.currency }, stock: p.stock })

export function createCatalogApp(products: Product[]): Express {
  const byId = new Map(products.map((p) => [p.id, p]))
  const app = express()

  app.get('/v1/products/:id', (req, res) => {
    const p = byId.get(req.params.id)
    if (!p) return void res.status(404).json({ error: 'not found' })
    res.json(v1(p))
  })

  app.get('/v2/products/:id', (req, res) => {
    const p = byId.get(req.params.id)
    if (!p) return void res.status(404).json({ error: 'not found' })
    res.json(v2(p))
  })

  app.get('/v2/products', (req, res) => {
    const ids = typeof req.query.ids === 'string' ? req.query.ids.split(',').filter(Boolean) : []
    res.json({ items: products.filter((p) => ids.includes(p.id)).map(v2) })
  })

  return app
}
