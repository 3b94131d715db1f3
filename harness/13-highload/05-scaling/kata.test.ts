import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { useRedis } from '#support/redis'
import { kataFile, useChildren, type Child } from '#support/highload'
import { createApp } from '@kata/highload/scaling'
import appUrl from '@kata/highload/scaling/app.ts?url'

const redis = useRedis()
const children = useChildren()
const INSTANCE = fileURLToPath(new URL('./instance.ts', import.meta.url))

interface Instance {
  name: string
  base: string
  child?: Child
}

const servers: Server[] = []
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
})

/** Instance A runs in the suite's process; the others are separate Node processes. */
async function inProcess(name: string): Promise<Instance> {
  const server = createServer((createApp as (deps: { redis: unknown }) => RequestListener)({ redis: redis.client() }))
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { name, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

async function inChild(name: string): Promise<Instance> {
  const child = children.spawn(INSTANCE)
  child.send({ module: kataFile(appUrl as string), url: redis.url, prefix: redis.prefix })
  const { port } = await child.next<{ port: number }>(20_000)
  return { name, base: `http://127.0.0.1:${port}`, child }
}

let started: Promise<Instance[]> | undefined
/** Three instances of your app behind the tests: A (this process), B and C (processes of their own). */
const cluster = () => (started ??= Promise.all([inProcess('A'), inChild('B'), inChild('C')]))

interface Answer {
  status: number
  body: unknown
}

async function call(at: Instance, method: string, path: string, opts: { token?: string; body?: unknown; auth?: string } = {}): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`
  if (opts.auth !== undefined) headers.authorization = opts.auth
  const res = await fetch(`${at.base}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) })
  const text = await res.text()
  let body: unknown = text
  try {
    body = text ? JSON.parse(text) : undefined
  } catch {
    // not JSON: keep the text for the message
  }
  return { status: res.status, body }
}

async function login(at: Instance, user: string): Promise<string> {
  const res = await call(at, 'POST', '/login', { body: { user } })
  expect(res.status, `POST /login {"user":"${user}"} on instance ${at.name}: status`).toBe(201)
  const token = (res.body as { token?: unknown })?.token
  expect(typeof token, `POST /login on instance ${at.name}: body.token (got ${JSON.stringify(res.body)})`).toBe('string')
  return token as string
}

describe('one session, any instance', () => {
  it('a token from POST /login on one instance works on every instance (GET /me)', async () => {
    const [a, b, c] = await cluster()
    const token = await login(b!, 'ann')
    for (const at of [a!, b!, c!]) {
      const me = await call(at, 'GET', '/me', { token })
      expect(me.status, `GET /me on instance ${at.name} with the token instance B issued: status`).toBe(200)
      expect(me.body, `GET /me on instance ${at.name} with the token instance B issued: body`).toEqual({ user: 'ann' })
    }
  })

  it('answers 401 to a missing, unknown or malformed token on every instance', async () => {
    const all = await cluster()
    for (const at of all) {
      expect((await call(at, 'GET', '/me')).status, `GET /me without Authorization on instance ${at.name}`).toBe(401)
      expect((await call(at, 'GET', '/me', { token: 'no-such-session' })).status, `GET /me with an unknown token on instance ${at.name}`).toBe(401)
      expect((await call(at, 'GET', '/cart', { auth: 'Basic YW5uOnB3' })).status, `GET /cart with "Authorization: Basic …" on instance ${at.name}`).toBe(401)
    }
  })

  it('answers 400 to a login without a user', async () => {
    const [a, , c] = await cluster()
    expect((await call(a!, 'POST', '/login', { body: {} })).status, 'POST /login {} on instance A').toBe(400)
    expect((await call(c!, 'POST', '/login', { body: { user: '' } })).status, 'POST /login {"user":""} on instance C').toBe(400)
  })

  it('gives every login a different token', async () => {
    const [a, b] = await cluster()
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => login(i % 2 ? a! : b!, 'same-user')))
    expect(new Set(tokens).size, '10 logins of one user on instances A and B: distinct tokens').toBe(10)
    expect(Math.min(...tokens.map((t) => t.length)), 'the shortest token (a guessable token is a stolen session)').toBeGreaterThanOrEqual(16)
  })

  it('keeps the session in Redis under session:<token>, expiring within 30 minutes', async () => {
    const [a] = await cluster()
    const token = await login(a!, 'ttl-user')
    const raw = redis.raw()
    const key = `${redis.prefix}session:${token}`
    expect(await raw.exists(key), `Redis key session:<token> after POST /login (under the suite's prefix)`).toBe(1)
    const ttl = await raw.ttl(key)
    expect(ttl, 'TTL of session:<token> in seconds (-1: never expires)').toBeGreaterThan(0)
    expect(ttl, 'TTL of session:<token> in seconds').toBeLessThanOrEqual(1800)
  })

  it('logging out on one instance logs out on all of them', async () => {
    const [a, b, c] = await cluster()
    const token = await login(a!, 'bob')
    expect((await call(c!, 'GET', '/me', { token })).status, 'GET /me on instance C before logout').toBe(200)
    const out = await call(b!, 'POST', '/logout', { token })
    expect(out.status, 'POST /logout on instance B').toBe(204)
    for (const at of [a!, b!, c!]) expect((await call(at, 'GET', '/me', { token })).status, `GET /me on instance ${at.name} after logout on B`).toBe(401)
  })
})

describe('one cart, any instance', () => {
  it('adds made through different instances end up in one cart', async () => {
    const [a, b, c] = await cluster()
    const token = await login(a!, 'cid')
    expect((await call(b!, 'GET', '/cart', { token })).body, 'GET /cart on instance B for a new user').toEqual({ items: {} })
    await call(a!, 'POST', '/cart/items', { token, body: { sku: 'pen', qty: 2 } })
    await call(b!, 'POST', '/cart/items', { token, body: { sku: 'ink', qty: 1 } })
    const last = await call(c!, 'POST', '/cart/items', { token, body: { sku: 'pen', qty: 3 } })
    expect(last.status, 'POST /cart/items {"sku":"pen","qty":3} on instance C: status').toBe(200)
    expect(last.body, 'POST /cart/items on instance C: the whole cart after the add').toEqual({ items: { pen: 5, ink: 1 } })
    for (const at of [a!, b!, c!]) expect((await call(at, 'GET', '/cart', { token })).body, `GET /cart on instance ${at.name}`).toEqual({ items: { pen: 5, ink: 1 } })
  })

  it('the cart belongs to the user: a second login of the same user sees it', async () => {
    const [a, b] = await cluster()
    const first = await login(a!, 'dora')
    await call(a!, 'POST', '/cart/items', { token: first, body: { sku: 'cap', qty: 1 } })
    const second = await login(b!, 'dora')
    expect((await call(b!, 'GET', '/cart', { token: second })).body, "GET /cart with dora's second token").toEqual({ items: { cap: 1 } })
  })

  it('validates items: 400 for a missing sku or a qty that is not a positive integer', async () => {
    const [a, b, c] = await cluster()
    const token = await login(a!, 'eve')
    for (const [at, body] of [
      [a!, { qty: 1 }],
      [b!, { sku: 'pen', qty: 0 }],
      [c!, { sku: 'pen', qty: 1.5 }],
      [a!, { sku: 'pen', qty: '2' }],
    ] as const) {
      expect((await call(at, 'POST', '/cart/items', { token, body })).status, `POST /cart/items ${JSON.stringify(body)} on instance ${at.name}`).toBe(400)
    }
    expect((await call(b!, 'GET', '/cart', { token })).body, 'the cart after only invalid adds').toEqual({ items: {} })
  })

  it('60 parallel adds spread over three instances lose none (no read-modify-write)', async () => {
    const all = await cluster()
    const token = await login(all[0]!, 'fay')
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => call(all[i % 3]!, 'POST', '/cart/items', { token, body: { sku: i % 2 ? 'odd' : 'even', qty: 1 } })))
    expect(answers.filter((r) => r.status !== 200).map((r) => r.status), 'statuses of the 60 parallel adds that were not 200').toEqual([])
    expect((await call(all[1]!, 'GET', '/cart', { token })).body, 'GET /cart after 30 × "odd" and 30 × "even" added in parallel through A, B and C').toEqual({ items: { odd: 30, even: 30 } })
  })
})

describe('instances come and go', () => {
  it('an instance can be killed and replaced without losing sessions or carts', async () => {
    const [a, , c] = await cluster()
    const token = await login(c!, 'gus')
    await call(c!, 'POST', '/cart/items', { token, body: { sku: 'mug', qty: 2 } })
    c!.child!.kill()
    await c!.child!.exited
    const fresh = await inChild('C2')
    const me = await call(fresh, 'GET', '/me', { token })
    expect(me.status, 'GET /me on a new instance started after C (which issued the token) was killed').toBe(200)
    expect((await call(fresh, 'GET', '/cart', { token })).body, 'GET /cart on the new instance').toEqual({ items: { mug: 2 } })
    expect((await call(a!, 'GET', '/me', { token })).body, 'GET /me on instance A after C died').toEqual({ user: 'gus' })
  })
})
