import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { listen, RawConnection } from '#support/http'
import { createApp } from '@kata/http/status-codes'

interface User {
  id: string
  name: string
  email: string
}

const KEY = 'k-7f3a9'
const AUTH = `Bearer ${KEY}`

function memoryStore(seed: User[] = []) {
  const users = new Map(seed.map((u) => [u.id, u]))
  return {
    users,
    list: async () => [...users.values()],
    get: async (id: string) => users.get(id),
    // An exact comparison, like a unique index on the stored (lower-cased) column: the app lower-cases.
    findByEmail: async (email: string) => [...users.values()].find((u) => u.email === email),
    insert: async (u: User) => {
      users.set(u.id, { ...u })
    },
    remove: async (id: string) => users.delete(id),
  }
}

const SECRET = 'ECONNREFUSED 10.0.0.7:5432 user=app password=hunter2'
const brokenStore = () => {
  const fail = async () => {
    throw new Error(SECRET)
  }
  return { list: fail, get: fail, findByEmail: fail, insert: fail, remove: fail }
}

const ada: User = { id: 'u1', name: 'Ada', email: 'ada@example.com' }
const app = (store = memoryStore([ada]), maxBodyBytes?: number) =>
  createApp({ store, apiKey: KEY, ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }) })

function expectJsonError(res: request.Response, status: number, error: string, what: string) {
  expect(res.status, `${what}: status`).toBe(status)
  expect(res.headers['content-type'], `${what}: Content-Type`).toMatch(/^application\/json/)
  expect(res.body, `${what}: body`).toEqual({ error })
}

describe('2xx: success', () => {
  it('200: GET /users lists the users', async () => {
    const res = await request(app()).get('/users').set('Authorization', AUTH)
    expect(res.status, 'GET /users').toBe(200)
    expect(res.body, 'GET /users').toEqual([ada])
  })

  it('200: GET /users/:id returns one user', async () => {
    const res = await request(app()).get('/users/u1').set('Authorization', AUTH)
    expect(res.status, 'GET /users/u1').toBe(200)
    expect(res.body, 'GET /users/u1').toEqual(ada)
  })

  it('201: POST /users creates a user and says where it is (Location)', async () => {
    const store = memoryStore()
    const res = await request(app(store)).post('/users').set('Authorization', AUTH).send({ name: 'Grace', email: 'grace@example.com' })
    expect(res.status, 'POST /users {name:"Grace",…}').toBe(201)
    expect(res.body, 'POST /users: body').toEqual({ id: expect.any(String), name: 'Grace', email: 'grace@example.com' })
    expect(res.headers.location, 'POST /users: Location').toBe(`/users/${res.body.id}`)
    expect(store.users.get(res.body.id), 'the store after POST /users').toEqual(res.body)
  })

  it('204: DELETE /users/:id deletes and answers with no body', async () => {
    const store = memoryStore([ada])
    const res = await request(app(store)).delete('/users/u1').set('Authorization', AUTH)
    expect(res.status, 'DELETE /users/u1').toBe(204)
    expect(res.text ?? '', 'DELETE /users/u1: body').toBe('')
    expect(store.users.has('u1'), 'u1 still in the store after DELETE').toBe(false)
  })
})

describe('4xx: the client did something wrong', () => {
  it('400 invalid_json: malformed JSON', async () => {
    const res = await request(app()).post('/users').set('Authorization', AUTH).set('Content-Type', 'application/json').send('{"name": "Grace"')
    expectJsonError(res, 400, 'invalid_json', 'POST /users with body {"name": "Grace"')
  })

  it.each([
    ['no email', { name: 'Grace' }],
    ['an email without @', { name: 'Grace', email: 'grace.example.com' }],
    ['an email without a dot after the @', { name: 'Grace', email: 'grace@example' }],
    ['an email with a space', { name: 'Grace', email: 'grace hopper@example.com' }],
    ['a name of 101 characters', { name: 'g'.repeat(101), email: 'grace@example.com' }],
    ['an empty name', { name: ' ', email: 'grace@example.com' }],
    ['a number as name', { name: 42, email: 'grace@example.com' }],
    ['a JSON string instead of an object', 'grace'],
  ])('400 invalid_body: %s', async (_, body) => {
    const store = memoryStore()
    const res = await request(app(store))
      .post('/users')
      .set('Authorization', AUTH)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify(body))
    expectJsonError(res, 400, 'invalid_body', `POST /users ${JSON.stringify(body)}`)
    expect(store.users.size, 'users stored after the rejected POST').toBe(0)
  })

  it('accepts a name of exactly 100 characters', async () => {
    const res = await request(app(memoryStore())).post('/users').set('Authorization', AUTH).send({ name: 'g'.repeat(100), email: 'grace@example.com' })
    expect(res.status, 'POST /users with a 100-character name (the limit is ≤ 100)').toBe(201)
  })

  it('stores the email lower-cased', async () => {
    const store = memoryStore()
    const res = await request(app(store)).post('/users').set('Authorization', AUTH).send({ name: 'Grace', email: 'Grace@Example.COM' })
    expect(res.status, 'POST /users with email Grace@Example.COM').toBe(201)
    expect(res.body.email, 'POST /users with email Grace@Example.COM: the email in the answer').toBe('grace@example.com')
    expect(store.users.get(res.body.id)?.email, 'the email passed to store.insert()').toBe('grace@example.com')
  })

  it('400 invalid_body comes before 409: an invalid user is not checked against the store', async () => {
    const store = memoryStore([ada])
    const res = await request(app(store)).post('/users').set('Authorization', AUTH).send({ name: '', email: 'ADA@example.com' })
    expectJsonError(res, 400, 'invalid_body', 'POST /users {"name":"","email":"ADA@example.com"} (empty name, taken email): check 7 before check 8')
  })

  it('401 unauthorized with WWW-Authenticate when the API key is missing or wrong', async () => {
    for (const auth of [undefined, 'Bearer wrong-key', KEY, `Basic ${KEY}`]) {
      const r = request(app()).get('/users')
      const res = await (auth ? r.set('Authorization', auth) : r)
      const what = `GET /users with ${auth ? `Authorization: ${auth}` : 'no Authorization header'}`
      expectJsonError(res, 401, 'unauthorized', what)
      expect(res.headers['www-authenticate'], `${what}: WWW-Authenticate`).toMatch(/^Bearer/)
    }
  })

  it('401 also protects writes: nothing is created without the key', async () => {
    const store = memoryStore()
    const res = await request(app(store)).post('/users').send({ name: 'Grace', email: 'grace@example.com' })
    expectJsonError(res, 401, 'unauthorized', 'POST /users without Authorization')
    expect(store.users.size, 'users stored after the unauthorized POST').toBe(0)
  })

  it('404 not_found: an unknown user id, and an unknown path (even without a key)', async () => {
    expectJsonError(await request(app()).get('/users/nope').set('Authorization', AUTH), 404, 'not_found', 'GET /users/nope')
    expectJsonError(await request(app()).delete('/users/nope').set('Authorization', AUTH), 404, 'not_found', 'DELETE /users/nope')
    expectJsonError(await request(app()).get('/accounts'), 404, 'not_found', 'GET /accounts (no such path)')
    expectJsonError(await request(app()).get('/users/u1/extra').set('Authorization', AUTH), 404, 'not_found', 'GET /users/u1/extra')
  })

  it('405 method_not_allowed with an Allow header that lists what the path supports', async () => {
    const cases = [
      ['put', '/users/u1', ['DELETE', 'GET']],
      ['patch', '/users/u1', ['DELETE', 'GET']],
      ['delete', '/users', ['GET', 'POST']],
      ['put', '/users', ['GET', 'POST']],
    ] as const
    for (const [method, path, allow] of cases) {
      const res = await request(app())[method](path).set('Authorization', AUTH)
      const what = `${method.toUpperCase()} ${path}`
      expectJsonError(res, 405, 'method_not_allowed', what)
      const listed = String(res.headers.allow ?? '').split(',').map((m) => m.trim()).filter(Boolean).sort()
      expect(listed, `${what}: Allow header`).toEqual(allow)
    }
  })

  it('405 comes before 401: a wrong method is reported even without a key', async () => {
    expectJsonError(await request(app()).put('/users/u1'), 405, 'method_not_allowed', 'PUT /users/u1 without Authorization')
  })

  it('409 conflict: the email is already taken (case-insensitively)', async () => {
    const store = memoryStore([ada])
    const res = await request(app(store)).post('/users').set('Authorization', AUTH).send({ name: 'Another Ada', email: 'ADA@example.com' })
    expectJsonError(res, 409, 'conflict', 'POST /users with email ADA@example.com when ada@example.com exists')
    expect(store.users.size, 'users stored after the conflicting POST').toBe(1)
  })

  it('413 payload_too_large: a body over maxBodyBytes', async () => {
    const store = memoryStore()
    const big = JSON.stringify({ name: 'x'.repeat(2000), email: 'big@example.com' })
    const res = await request(app(store, 1024)).post('/users').set('Authorization', AUTH).set('Content-Type', 'application/json').send(big)
    expectJsonError(res, 413, 'payload_too_large', `POST /users with a ${big.length}-byte body, maxBodyBytes 1024`)
    expect(store.users.size, 'users stored after the 413').toBe(0)
  })

  it('413 counts the default limit of 1024 bytes, and a body of exactly the limit is accepted', async () => {
    const base = { name: '', email: 'exact@example.com' }
    const name = 'n'.repeat(1024 - JSON.stringify(base).length)
    const exact = JSON.stringify({ ...base, name })
    expect(Buffer.byteLength(exact)).toBe(1024)
    const res = await request(app(memoryStore())).post('/users').set('Authorization', AUTH).set('Content-Type', 'application/json').send(exact)
    expect(res.status, 'POST /users with a body of exactly 1024 bytes (default limit): not 413').not.toBe(413)
    const over = await request(app(memoryStore())).post('/users').set('Authorization', AUTH).set('Content-Type', 'application/json').send(exact + ' ')
    expect(over.status, 'POST /users with a body of 1025 bytes (default limit)').toBe(413)
  })

  it.concurrent('413 at once when Content-Length announces too much: it does not wait for the body', async () => {
    const server = await listen(app(memoryStore(), 1024))
    const conn = await RawConnection.open(server.port)
    try {
      await conn.write(
        `POST /users HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\n` +
          `Content-Length: 5000000\r\n\r\n{"name":"`,
      )
      const res = await conn.response(4000)
      expect(res?.status, 'POST /users announcing Content-Length: 5000000 and sending only 9 bytes: status within 4 s').toBe(413)
    } finally {
      conn.close()
    }
  })

  it.concurrent('413 as soon as a chunked body (no Content-Length) grows over the limit, before it ends', async () => {
    const server = await listen(app(memoryStore(), 1024))
    const conn = await RawConnection.open(server.port)
    try {
      const body = JSON.stringify({ name: 'Grace', email: 'grace@example.com', bio: 'b'.repeat(1500) })
      const chunks = [body.slice(0, 600), body.slice(600, 1200), body.slice(1200)]
      await conn.write(
        `POST /users HTTP/1.1\r\nHost: x\r\nAuthorization: ${AUTH}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n` +
          chunks
            .slice(0, 2)
            .map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`)
            .join(''),
      )
      // The rest of the body never comes: the answer must not wait for it.
      const res = await conn.response(4000)
      expect(res?.status, `POST /users with a chunked ${body.length}-byte body (no Content-Length), maxBodyBytes 1024`).toBe(413)
    } finally {
      conn.close()
    }
  })

  it.each([['text/plain'], ['application/x-www-form-urlencoded'], [undefined]])(
    '415 unsupported_media_type: POST with Content-Type %s',
    async (type) => {
      const store = memoryStore()
      const r = request(app(store)).post('/users').set('Authorization', AUTH)
      const res = await (type ? r.set('Content-Type', type) : r).send(Buffer.from('{"name":"Grace","email":"grace@example.com"}'))
      expectJsonError(res, 415, 'unsupported_media_type', `POST /users with ${type ? `Content-Type: ${type}` : 'no Content-Type'}`)
      expect(store.users.size, 'users stored after the 415').toBe(0)
    },
  )

  it('415 comes before 413: a big body of the wrong type is refused for its type', async () => {
    const res = await request(app(memoryStore(), 1024)).post('/users').set('Authorization', AUTH).set('Content-Type', 'text/plain').send('x'.repeat(5000))
    expectJsonError(res, 415, 'unsupported_media_type', 'POST /users with Content-Type: text/plain and a 5000-byte body (limit 1024): check 4 before check 5')
  })

  it('accepts application/json with parameters (charset)', async () => {
    const res = await request(app(memoryStore()))
      .post('/users')
      .set('Authorization', AUTH)
      .set('Content-Type', 'application/json; charset=utf-8')
      .send('{"name":"Grace","email":"grace@example.com"}')
    expect(res.status, 'POST /users with Content-Type: application/json; charset=utf-8').toBe(201)
  })
})

describe('5xx: the server failed', () => {
  it('500 internal when the store fails, without leaking the error message', async () => {
    for (const [method, path] of [
      ['get', '/users'],
      ['get', '/users/u1'],
      ['delete', '/users/u1'],
      ['post', '/users'],
    ] as const) {
      const r = request(createApp({ store: brokenStore(), apiKey: KEY }))[method](path).set('Authorization', AUTH)
      const res = await (method === 'post' ? r.send({ name: 'Grace', email: 'grace@example.com' }) : r)
      const what = `${method.toUpperCase()} ${path} while the store rejects`
      expectJsonError(res, 500, 'internal', what)
      expect(res.text, `${what}: the body must not reveal the error`).not.toContain('hunter2')
    }
  })

  it('500 also when the store throws synchronously instead of rejecting', async () => {
    const store = {
      ...memoryStore(),
      list: () => {
        throw new Error(SECRET)
      },
    }
    const res = await request(createApp({ store, apiKey: KEY })).get('/users').set('Authorization', AUTH)
    expectJsonError(res, 500, 'internal', 'GET /users while store.list() throws')
  })
})
