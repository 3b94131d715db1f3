import express, { type Express, type Request, type Response } from 'express'
import { describe, expect, it } from 'vitest'
import { attempt, attemptAsync, describeThrown, listen } from '#support/senior'
import { verify } from '@kata/senior/contracts'
import { createCatalogApp } from '@kata/senior/contracts/catalog-service.ts'
import { ContractError, contract as ordersContract, createCatalogClient } from '@kata/senior/contracts/orders-client.ts'

interface Interaction {
  description: string
  request: { method: string; path: string; headers?: Record<string, string>; body?: unknown }
  response: { status: number; headers?: Record<string, string>; body?: unknown }
}
interface Contract {
  consumer: string
  provider: string
  interactions: Interaction[]
}
interface Violation {
  interaction: string
  path: string
  message: string
}

// ---------------------------------------------------------------------------------------------
// The suite's own verifier: steps 2 and 3 are graded with it, so they do not depend on step 1.

const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

function refMatch(expected: unknown, actual: unknown, path: string, out: (p: string, m: string) => void): void {
  if (kind(expected) !== kind(actual)) return out(path, `expected ${kind(expected)}, got ${kind(actual)}`)
  if (Array.isArray(expected)) {
    if (!expected.length) return
    if (!(actual as unknown[]).length) return out(path, 'expected at least one element')
    ;(actual as unknown[]).forEach((a, i) => refMatch(expected[0], a, `${path}[${i}]`, out))
  } else if (kind(expected) === 'object') {
    for (const [k, v] of Object.entries(expected as object)) {
      if (!Object.hasOwn(actual as object, k)) out(`${path}.${k}`, 'missing')
      else refMatch(v, (actual as Record<string, unknown>)[k], `${path}.${k}`, out)
    }
  }
}

async function refVerify(contract: Contract, baseUrl: string): Promise<string[]> {
  const found: string[] = []
  for (const { description, request, response } of contract.interactions) {
    const out = (p: string, m: string) => void found.push(`${description} ${p}: ${m}`)
    const headers: Record<string, string> = { ...request.headers }
    if (request.body !== undefined) headers['content-type'] ??= 'application/json'
    const res = await fetch(new URL(request.path, baseUrl), { method: request.method, headers, body: request.body === undefined ? undefined : JSON.stringify(request.body) })
    const text = await res.text()
    if (res.status !== response.status) {
      out('status', `expected ${response.status}, got ${res.status}`)
      continue
    }
    for (const [name, value] of Object.entries(response.headers ?? {})) {
      const got = res.headers.get(name)
      if (!got?.toLowerCase().startsWith(value.toLowerCase())) out(`headers.${name.toLowerCase()}`, `expected ${value}, got ${got}`)
    }
    if (response.body === undefined) continue
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      out('$', 'not JSON')
      continue
    }
    refMatch(response.body, body, '$', out)
  }
  return found
}

async function serve(app: Express): Promise<string> {
  return (await listen(app)).url
}

// ---------------------------------------------------------------------------------------------
// Step 1: the learner's verifier against providers the suite breaks on purpose.

const JSON_CT = { 'content-type': 'application/json' }

const SHOP: Contract = {
  consumer: 'storefront',
  provider: 'shop',
  interactions: [
    {
      description: 'get a product',
      request: { method: 'GET', path: '/v2/products/p-1' },
      response: { status: 200, headers: JSON_CT, body: { id: 'p-1', name: 'Mug', price: { amount: 1299, currency: 'EUR' }, stock: 12, tags: ['kitchen'], discontinuedAt: null } },
    },
    {
      description: 'list products',
      request: { method: 'GET', path: '/v2/products?ids=p-1,p-2' },
      response: { status: 200, body: { items: [{ id: 'p-1', price: { amount: 1299 } }] } },
    },
    {
      description: 'a missing product',
      request: { method: 'GET', path: '/v2/products/p-404' },
      response: { status: 404, body: { error: 'not found' } },
    },
    {
      description: 'reserve stock',
      request: { method: 'POST', path: '/v2/reservations', headers: { 'x-request-id': 'r-1' }, body: { productId: 'p-1', qty: 2 } },
      response: { status: 201, body: { reservationId: 'res-1' } },
    },
  ],
}

type Json = Record<string, unknown>
interface ShopChanges {
  product?: (p: Json) => unknown
  list?: (items: Json[]) => unknown
  missingStatus?: number
  productStatus?: number
  raw?: { type: string; text: string }
}

/** A provider of the SHOP contract; `changes` break it (or extend it) in one place. */
function shop(changes: ShopChanges = {}, seen: { method?: string; headers?: Json; body?: unknown }[] = []): Express {
  const product = (id: string, amount: number): Json => ({ id, name: id === 'p-1' ? 'Mug' : 'Tee', price: { amount, currency: 'EUR' }, stock: 12, tags: ['kitchen', 'sale'], discontinuedAt: null })
  const app = express()
  app.use(express.json())
  app.get('/v2/products/:id', (req: Request<{ id: string }>, res: Response) => {
    // A status other than the contract's comes with a body that matches nothing either: only the status may be reported.
    if (req.params.id === 'p-404') return void (changes.missingStatus ? res.status(changes.missingStatus).json({ id: 'p-404' }) : res.status(404).json({ error: 'not found' }))
    if (changes.raw) return void res.status(200).type(changes.raw.type).send(changes.raw.text)
    const p = product(req.params.id, 1299)
    if (changes.productStatus) return void res.status(changes.productStatus).json({ error: 'internal' })
    res.status(200).json(changes.product ? changes.product(p) : p)
  })
  app.get('/v2/products', (_req, res) => {
    const items = [product('p-1', 1299), product('p-2', 2500)]
    res.json({ items: changes.list ? changes.list(items) : items })
  })
  app.post('/v2/reservations', (req, res) => {
    seen.push({ method: req.method, headers: { 'x-request-id': req.get('x-request-id'), 'content-type': req.get('content-type') }, body: req.body })
    const ok = req.get('x-request-id') === 'r-1' && req.body?.productId === 'p-1' && req.body?.qty === 2
    res.status(ok ? 201 : 400).json(ok ? { reservationId: 'res-1' } : { error: 'bad request' })
  })
  return app
}

/** Runs the learner's verify() and returns its violations as "interaction path" strings. */
async function violations(base: string, what: string): Promise<string[]> {
  const found = await attemptAsync(`verify(contract, provider ${what})`, () => verify(SHOP, base) as Promise<Violation[]>)
  expect(Array.isArray(found), `verify(contract, provider ${what}) should resolve to an array of violations`).toBe(true)
  for (const v of found) {
    expect(typeof v.message === 'string' && v.message.length > 0, `violation ${JSON.stringify(v)}: message should be a non-empty string`).toBe(true)
  }
  return found.map((v) => `${v.interaction} ${v.path}`).sort()
}

async function expectViolations(changes: ShopChanges, what: string, expected: string[]) {
  const base = await serve(shop(changes))
  expect(await violations(base, what), `violations ("interaction path") that verify() reports for a provider that ${what}`).toEqual([...expected].sort())
}

describe('step 1: verify(contract, baseUrl) replays a consumer contract against a provider', () => {
  it('a provider that honours the contract has no violations, even with fields the consumer never asked for', async () => {
    await expectViolations({}, 'honours the contract', [])
    await expectViolations(
      { product: (p) => ({ rating: 4.5, ...p, price: { ...(p.price as Json), taxIncluded: true }, images: [] }), list: (items) => items.map((i) => ({ ...i, sku: 'X' })) },
      'adds fields everywhere (an additive change)',
      [],
    )
  })

  it('sends the method, the headers and the JSON body of each request', async () => {
    const seen: { method?: string; headers?: Json; body?: unknown }[] = []
    const base = await serve(shop({}, seen))
    await attemptAsync('verify(contract, provider)', () => verify(SHOP, base))
    expect(seen[0], 'what the provider received for "reserve stock"').toEqual({ method: 'POST', headers: { 'x-request-id': 'r-1', 'content-type': expect.stringMatching(/^application\/json/) }, body: { productId: 'p-1', qty: 2 } })
  })

  it('a removed or renamed field is a violation at its path', async () => {
    await expectViolations({ product: ({ name, ...rest }) => ({ ...rest, title: name }) }, 'renames name to title', ['get a product $.name'])
    await expectViolations({ list: (items) => items.map(({ price, ...rest }) => (rest.id === 'p-2' ? rest : { ...rest, price })) }, 'drops price from the second listed item', ['list products $.items[1].price'])
  })

  it('a changed type is a violation, checked in nested objects and in every array element', async () => {
    await expectViolations(
      { product: (p) => ({ ...p, price: { amount: '12.99', currency: 'EUR' } }), list: (items) => items.map((i) => ({ ...i, price: { amount: '12.99' } })) },
      'sends price.amount as a string',
      ['get a product $.price.amount', 'list products $.items[0].price.amount', 'list products $.items[1].price.amount'],
    )
    await expectViolations({ product: (p) => ({ ...p, price: 1299, stock: '12' }) }, 'flattens price to a number and sends stock as a string', ['get a product $.price', 'get a product $.stock'])
  })

  it('arrays must not be empty when the example has an element; null means null', async () => {
    await expectViolations({ product: (p) => ({ ...p, tags: [], discontinuedAt: '2026-01-01' }), list: () => [] }, 'sends empty arrays and a date where null was expected', [
      'get a product $.tags',
      'get a product $.discontinuedAt',
      'list products $.items',
    ])
    await expectViolations({ product: (p) => ({ ...p, tags: null }) }, 'sends tags: null', ['get a product $.tags'])
  })

  it('a different status is one violation ("status"), and the body of that response is not compared', async () => {
    await expectViolations({ missingStatus: 200, productStatus: 500 }, 'answers 200 for a missing product and 500 for an existing one', ['a missing product status', 'get a product status'])
  })

  it('headers are compared by prefix, and a body that is not JSON is a violation at "$"', async () => {
    await expectViolations({ raw: { type: 'text/plain', text: '{"id":"p-1"}' } }, 'answers with text/plain', ['get a product headers.content-type', 'get a product $.name', 'get a product $.price', 'get a product $.stock', 'get a product $.tags', 'get a product $.discontinuedAt'])
    await expectViolations({ raw: { type: 'text/html', text: '<h1>Bad gateway</h1>' } }, 'answers with an HTML page', ['get a product headers.content-type', 'get a product $'])
  })

  it('a provider that does not answer gives a "request" violation per interaction, not an exception', async () => {
    const dead = await listen((_req, res) => res.end())
    await dead.close()
    expect(await violations(dead.url, 'that is not running'), 'violations for a provider that is not running').toEqual(SHOP.interactions.map((i) => `${i.description} request`).sort())
  })
})

// ---------------------------------------------------------------------------------------------
// Step 2: the learner's catalog must satisfy every consumer's contract at once.

const PRODUCTS = [
  { id: 'p-1', name: 'Mug', priceCents: 1299, currency: 'EUR', stock: 12 },
  { id: 'p-2', name: 'Tee', priceCents: 2500, currency: 'EUR', stock: 0 },
  { id: 'p-3', name: 'Lamp', priceCents: 4999, currency: 'USD', stock: 3 },
]

const ORDERS_V1: Contract = {
  consumer: 'orders-service',
  provider: 'catalog',
  interactions: [
    { description: 'v1: an existing product', request: { method: 'GET', path: '/v1/products/p-1' }, response: { status: 200, headers: JSON_CT, body: { id: 'p-1', name: 'Mug', price: 1299, inStock: true } } },
    { description: 'v1: a missing product', request: { method: 'GET', path: '/v1/products/p-404' }, response: { status: 404, body: { error: 'not found' } } },
  ],
}

const ANALYTICS_V1: Contract = {
  consumer: 'analytics',
  provider: 'catalog',
  interactions: [{ description: 'v1: a product with its currency', request: { method: 'GET', path: '/v1/products/p-3' }, response: { status: 200, body: { id: 'p-3', price: 4999, currency: 'USD' } } }],
}

const STOREFRONT_V2: Contract = {
  consumer: 'storefront',
  provider: 'catalog',
  interactions: [
    { description: 'v2: a product', request: { method: 'GET', path: '/v2/products/p-1' }, response: { status: 200, headers: JSON_CT, body: { id: 'p-1', name: 'Mug', price: { amount: 1299, currency: 'EUR' }, stock: 12 } } },
    { description: 'v2: several products', request: { method: 'GET', path: '/v2/products?ids=p-1,p-2' }, response: { status: 200, body: { items: [{ id: 'p-1', name: 'Mug', price: { amount: 1299, currency: 'EUR' }, stock: 12 }] } } },
    { description: 'v2: a missing product', request: { method: 'GET', path: '/v2/products/p-404' }, response: { status: 404, body: { error: 'not found' } } },
  ],
}

async function catalog(): Promise<string> {
  return serve(attempt('createCatalogApp(products)', () => createCatalogApp(PRODUCTS.map((p) => ({ ...p }))) as Express))
}

async function getJson(base: string, path: string): Promise<[number, unknown]> {
  const res = await fetch(base + path)
  const text = await res.text()
  try {
    return [res.status, JSON.parse(text)]
  } catch {
    return [res.status, text]
  }
}

describe('step 2: the catalog serves v1 and v2 side by side', () => {
  it("honours orders-service's v1 contract (the API it was built against)", async () => {
    expect(await refVerify(ORDERS_V1, await catalog()), 'violations of the orders-service contract').toEqual([])
  })

  it("honours the storefront's v2 contract (price as { amount, currency }, stock)", async () => {
    expect(await refVerify(STOREFRONT_V2, await catalog()), 'violations of the storefront contract').toEqual([])
  })

  it('adds currency to v1 for a new consumer (analytics) without breaking orders-service', async () => {
    const base = await catalog()
    expect(await refVerify(ANALYTICS_V1, base), 'violations of the analytics contract').toEqual([])
    expect(await refVerify(ORDERS_V1, base), 'violations of the orders-service contract, after adding currency').toEqual([])
  })

  it('v1 and v2 say the same things about a product in their own shapes', async () => {
    const base = await catalog()
    expect(await getJson(base, '/v1/products/p-2'), 'GET /v1/products/p-2 (stock 0)').toEqual([200, { id: 'p-2', name: 'Tee', price: 2500, inStock: false, currency: 'EUR' }])
    expect(await getJson(base, '/v1/products/p-3'), 'GET /v1/products/p-3').toEqual([200, { id: 'p-3', name: 'Lamp', price: 4999, inStock: true, currency: 'USD' }])
    expect(await getJson(base, '/v2/products/p-3'), 'GET /v2/products/p-3').toEqual([200, { id: 'p-3', name: 'Lamp', price: { amount: 4999, currency: 'USD' }, stock: 3 }])
    const [status, list] = await getJson(base, '/v2/products?ids=p-3,p-404,p-1')
    expect([status, (list as { items?: { id: string }[] }).items?.map((i) => i.id)], 'GET /v2/products?ids=p-3,p-404,p-1: [status, ids in the order asked, unknown skipped]').toEqual([200, ['p-3', 'p-1']])
    expect((await getJson(base, '/v1/products/nope'))[0], 'GET /v1/products/nope: status').toBe(404)
    expect((await getJson(base, '/v2/products/nope'))[0], 'GET /v2/products/nope: status').toBe(404)
  })
})

// ---------------------------------------------------------------------------------------------
// Step 3: orders-service's client (a tolerant reader) and the contract it publishes.

interface V1Changes {
  body?: (p: Json) => unknown
  status?: number
  missingStatus?: number
}

/** A catalog v1 the suite controls; `paths` records the raw paths it was asked for. */
async function catalogV1(changes: V1Changes = {}, paths: string[] = []): Promise<string> {
  const app = express()
  app.use((req, _res, next) => {
    paths.push(req.url)
    next()
  })
  app.get('/v1/products/:id', (req: Request<{ id: string }>, res: Response) => {
    const p = PRODUCTS.find((x) => x.id === req.params.id)
    if (!p) return void res.status(changes.missingStatus ?? 404).json({ error: 'not found' })
    const body: Json = { id: p.id, name: p.name, price: p.priceCents, inStock: p.stock > 0, currency: p.currency }
    res.status(changes.status ?? 200).json(changes.body ? changes.body(body) : body)
  })
  return serve(app)
}

interface Client {
  getProduct(id: string): Promise<unknown>
}
const client = (base: string) => attempt('createCatalogClient(baseUrl)', () => createCatalogClient(base) as Client)

/** The learner's contract, once it has the interactions the statement asks for. */
function publishedContract(): Contract {
  const c = ordersContract as Contract
  expect(Array.isArray(c?.interactions), 'contract.interactions should be an array').toBe(true)
  const statuses = c.interactions.filter((i) => i.request?.method === 'GET' && /^\/v1\/products\//.test(i.request.path)).map((i) => i.response?.status)
  expect([statuses.includes(200), statuses.includes(404)], 'GET /v1/products/… interactions in your contract: [one answered 200, one answered 404]').toEqual([true, true])
  return c
}

async function outcome(p: Promise<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  try {
    return { value: await p }
  } catch (error) {
    return { error }
  }
}

describe('step 3: orders-service reads the catalog tolerantly and publishes what it relies on', () => {
  it('getProduct(id) maps v1 to its own model; a missing product is null', async () => {
    const c = client(await catalogV1())
    expect(await attemptAsync('getProduct("p-1")', () => c.getProduct('p-1')), 'getProduct("p-1")').toEqual({ id: 'p-1', name: 'Mug', priceCents: 1299, available: true })
    expect(await attemptAsync('getProduct("p-2")', () => c.getProduct('p-2')), 'getProduct("p-2") (stock 0)').toEqual({ id: 'p-2', name: 'Tee', priceCents: 2500, available: false })
    expect(await attemptAsync('getProduct("p-404")', () => c.getProduct('p-404')), 'getProduct("p-404"), answered 404').toBeNull()
  })

  it('ignores fields it does not use, whatever the provider adds or reorders', async () => {
    const c = client(await catalogV1({ body: (p) => ({ weightGrams: 350, currency: undefined, inStock: p.inStock, price: p.price, name: p.name, id: p.id, meta: { v: 2 } }) }))
    expect(await attemptAsync('getProduct("p-3")', () => c.getProduct('p-3')), 'getProduct("p-3") from a provider with extra fields, another order and no currency').toEqual({ id: 'p-3', name: 'Lamp', priceCents: 4999, available: true })
  })

  it('puts the id into the path safely (encoded), so an id cannot reach another endpoint', async () => {
    const paths: string[] = []
    const c = client(await catalogV1({}, paths))
    await outcome(c.getProduct('p-1/../../admin?x=1'))
    expect(paths, 'paths the catalog was asked for by getProduct("p-1/../../admin?x=1")').toEqual(['/v1/products/p-1%2F..%2F..%2Fadmin%3Fx%3D1'])
  })

  it('a response that breaks what it relies on is a ContractError naming the field — never NaN or undefined in an order', async () => {
    const cases: [string, (p: Json) => unknown, string][] = [
      ['price as a string', (p) => ({ ...p, price: '12.99' }), 'price'],
      ['price as a fraction (euros, not cents)', (p) => ({ ...p, price: 12.99 }), 'price'],
      ['a negative price', (p) => ({ ...p, price: -1 }), 'price'],
      ['price renamed to priceCents', ({ price, ...p }) => ({ ...p, priceCents: price }), 'price'],
      ['price as { amount, currency } (the v2 shape)', (p) => ({ ...p, price: { amount: p.price, currency: 'EUR' } }), 'price'],
      ['inStock missing', ({ inStock: _, ...p }) => p, 'inStock'],
      ['name as a number', (p) => ({ ...p, name: 42 }), 'name'],
    ]
    for (const [what, body, field] of cases) {
      const c = client(await catalogV1({ body }))
      const { value, error } = await outcome(c.getProduct('p-1'))
      expect(error instanceof ContractError, `getProduct("p-1") when the catalog sends ${what}: should reject with ContractError, but ${error === undefined ? `resolved to ${JSON.stringify(value)}` : `threw ${describeThrown(error)}`}`).toBe(true)
      expect((error as { field?: string }).field, `ContractError.field when the catalog sends ${what}`).toBe(field)
    }
    const failing = client(await catalogV1({ status: 503 }))
    const { error } = await outcome(failing.getProduct('p-1'))
    expect(error instanceof Error, 'getProduct("p-1") when the catalog answers 503: should reject with an Error, not resolve').toBe(true)
  })

  it('its contract covers an existing product (200) and a missing one (404), and the real catalog honours it', async () => {
    const c = publishedContract()
    expect(await refVerify(c, await catalogV1()), 'violations of your contract against a catalog v1 that does what getProduct() needs').toEqual([])
  })

  it('its contract fails on every change that would break getProduct()', async () => {
    const c = publishedContract()
    const breaking: [string, V1Changes][] = [
      ['renames price to priceCents', { body: ({ price, ...p }) => ({ ...p, priceCents: price }) }],
      ['sends price as a string', { body: (p) => ({ ...p, price: '12.99' }) }],
      ['drops inStock', { body: ({ inStock: _, ...p }) => p }],
      ['drops name', { body: ({ name: _, ...p }) => p }],
      ['answers 200 {} for a missing product', { missingStatus: 200 }],
    ]
    for (const [what, changes] of breaking) {
      expect((await refVerify(c, await catalogV1(changes))).length, `violations of your contract against a catalog that ${what} (a breaking change for getProduct)`).toBeGreaterThan(0)
    }
  })

  it('its contract pins only what getProduct() reads: the catalog may drop currency or add fields', async () => {
    const c = publishedContract()
    const free = await catalogV1({ body: ({ currency: _, ...p }) => ({ ...p, badges: ['new'], price: p.price }) })
    expect(await refVerify(c, free), 'violations of your contract against a catalog without currency and with extra fields (orders-service reads neither)').toEqual([])
  })
})
