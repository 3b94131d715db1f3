// orders-service's side of the boundary: its client for the catalog, and the contract that
// says which parts of the catalog's v1 responses it relies on — and nothing more.

/** What orders-service needs to know about a product (its own model, not the catalog's). */
export interface CatalogProduct {
  id: string
  name: string
  priceCents: number
  available: boolean
}

export class ContractError extends Error {
  override name = 'ContractError'
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message)
  }
}

export interface CatalogClient {
  getProduct(id: string): Promise<CatalogProduct | null>
}

/** A tolerant reader: it checks the fields it uses and ignores every other one. */
export function createCatalogClient(baseUrl: string): CatalogClient {
  return {
    async getProduct(id) {
      const res = await fetch(new URL(`/v1/products/${encodeURIComponent(id)}`, baseUrl))
      if (res.status === 404) return null
      if (res.status !== 200) throw new Error(`catalog answered ${res.status} for product ${id}`)
      let body: Record<string, unknown>
      try {
        body = (await res.json()) as Record<string, unknown>
      } catch {
        throw new ContractError('$', 'catalog answered 200 without a JSON body')
      }
      if (body === null || typeof body !== 'object') throw new ContractError('$', 'expected a JSON object')
      const { id: gotId, name, price, inStock } = body
      if (typeof gotId !== 'string') throw new ContractError('id', `expected a string id, got ${JSON.stringify(gotId)}`)
      if (typeof name !== 'string') throw new ContractError('name', `expected a string name, got ${JSON.stringify(name)}`)
      if (typeof price !== 'number' || !Number.isInteger(price) || price < 0) throw new ContractError('price', `expected price in cents, got ${JSON.stringify(price)}`)
      if (typeof inStock !== 'boolean') throw new ContractError('inStock', `expected a boolean inStock, got ${JSON.stringify(inStock)}`)
      return { id: gotId, name, priceCents: price, available: inStock }
    },
  }
}

/** A contract is JSON both sides exchange (a file, a broker), not code they share. */
export interface PublishedContract {
  consumer: string
  provider: string
  interactions: {
    description: string
    request: { method: string; path: string; headers?: Record<string, string>; body?: unknown }
    response: { status: number; headers?: Record<string, string>; body?: unknown }
  }[]
}

/**
 * The consumer's contract: exactly what getProduct() relies on. `currency` is not here —
 * orders-service does not read it, so the catalog stays free to change it.
 */
export const contract: PublishedContract = {
  consumer: 'orders-service',
  provider: 'catalog',
  interactions: [
    {
      description: 'an existing product',
      request: { method: 'GET', path: '/v1/products/p-1' },
      response: { status: 200, headers: { 'content-type': 'application/json' }, body: { id: 'p-1', name: 'Mug', price: 1299, inStock: true, currency: 'EUR' } },
    },
    {
      description: 'a product that does not exist',
      request: { method: 'GET', path: '/v1/products/p-404' },
      response: { status: 404 },
    },
  ],
}
