// The catalog service (the provider). v1 is what orders-service was built against and must
// keep working; v2 is the shape the storefront needs. One model, two representations.
import type { Express } from 'express'

export interface Product {
  id: string
  name: string
  priceCents: number
  currency: string
  stock: number
}

/** An express app serving GET /v1/products/:id, GET /v2/products/:id and GET /v2/products?ids= (see README.md, step 2). */
export function createCatalogApp(_products: Product[]): Express {
  throw new Error('TODO: createCatalogApp: serve v1 and v2 of the catalog side by side (see README.md, step 2)\nTODO(ru): createCatalogApp: обслуживать v1 и v2 каталога одновременно (см. README.ru.md, шаг 2)')
}
