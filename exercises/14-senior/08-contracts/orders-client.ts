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

/** A client for GET /v1/products/:id that checks the fields it uses and ignores the rest (see README.md, step 3). */
export function createCatalogClient(_baseUrl: string): CatalogClient {
  throw new Error('TODO: createCatalogClient: a tolerant reader of catalog v1 (see README.md, step 3)\nTODO(ru): createCatalogClient: терпимый к изменениям читатель каталога v1 (tolerant reader; см. README.ru.md, шаг 3)')
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

/** The consumer's contract: what getProduct() relies on (see README.md, step 3). */
export const contract: PublishedContract = {
  consumer: 'orders-service',
  provider: 'catalog',
  // TODO: one interaction for an existing product (p-1) and one for a missing one (p-404).
  interactions: [],
}
