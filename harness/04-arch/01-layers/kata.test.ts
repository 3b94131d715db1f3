import { DatabaseSync } from 'node:sqlite'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { describeThrown, rejectionOf } from '#support/arch'
import {
  ConflictError,
  NotFoundError,
  ValidationError,
  createBookmarkApp,
  createBookmarkService,
  createSqliteBookmarkRepository,
} from '@kata/arch/layers'

interface Bookmark {
  id: string
  url: string
  title: string
  tags: string[]
  createdAt: string
}
interface ListArgs {
  tag?: string
  limit: number
  offset: number
}
interface Repo {
  insert(b: Bookmark): Promise<void>
  findById(id: string): Promise<Bookmark | undefined>
  findByUrl(url: string): Promise<Bookmark | undefined>
  list(q: ListArgs): Promise<Bookmark[]>
  remove(id: string): Promise<boolean>
}
interface Service {
  create(input: unknown): Promise<Bookmark>
  get(id: string): Promise<Bookmark>
  list(q: { tag?: string; limit?: number; offset?: number }): Promise<Bookmark[]>
  remove(id: string): Promise<void>
}

async function value<T>(p: Promise<T>, what: string): Promise<T> {
  try {
    return await p
  } catch (err) {
    return expect.fail(`${what}: should succeed, but rejected with ${describeThrown(err)}`)
  }
}

const bm = (id: string, url: string, createdAt: string, tags: string[] = [], title = id): Bookmark => ({ id, url, title, tags, createdAt })

/** The suite's repository: a Map behind the BookmarkRepository interface that records calls. */
function memoryRepo(seed: Bookmark[] = []) {
  const rows = new Map(seed.map((b) => [b.id, structuredClone(b)]))
  const calls: { method: string; args: unknown[] }[] = []
  const repo: Repo = {
    async insert(b) {
      calls.push({ method: 'insert', args: [structuredClone(b)] })
      if ([...rows.values()].some((r) => r.url === b.url)) throw new ConflictError(`taken: ${b.url}`)
      rows.set(b.id, structuredClone(b))
    },
    async findById(id) {
      calls.push({ method: 'findById', args: [id] })
      const b = rows.get(id)
      return b && structuredClone(b)
    },
    async findByUrl(url) {
      calls.push({ method: 'findByUrl', args: [url] })
      const b = [...rows.values()].find((r) => r.url === url)
      return b && structuredClone(b)
    },
    async list(q) {
      calls.push({ method: 'list', args: [{ ...q }] })
      return [...rows.values()].filter((b) => q.tag === undefined || b.tags.includes(q.tag)).slice(q.offset, q.offset + q.limit)
    },
    async remove(id) {
      calls.push({ method: 'remove', args: [id] })
      return rows.delete(id)
    },
  }
  return { repo, rows, calls }
}

const fixed = () => {
  let n = 0
  return { newId: () => `id-${++n}`, now: () => new Date('2024-05-06T07:08:09.000Z') }
}

describe('repository layer: createSqliteBookmarkRepository(db) keeps bookmarks in SQLite', () => {
  it('inserts and finds bookmarks by id and by url, tags included', async () => {
    const repo = createSqliteBookmarkRepository(new DatabaseSync(':memory:')) as Repo
    const a = bm('a1', 'https://a.example/', '2024-01-01T00:00:00.000Z', ['js', 'web'], 'A')
    await value(repo.insert(a), 'insert(a1)')
    expect(await repo.findById('a1'), 'findById("a1") after insert').toEqual(a)
    expect(await repo.findByUrl('https://a.example/'), 'findByUrl("https://a.example/")').toEqual(a)
    expect(await repo.findById('zz'), 'findById("zz") (unknown)').toBeUndefined()
    expect(await repo.findByUrl('https://zz.example/'), 'findByUrl of an unknown url').toBeUndefined()
  })

  it('lists newest first, filters by tag, pages with limit and offset', async () => {
    const repo = createSqliteBookmarkRepository(new DatabaseSync(':memory:')) as Repo
    await repo.insert(bm('old', 'https://old.example/', '2024-01-01T00:00:00.000Z', ['js']))
    await repo.insert(bm('new', 'https://new.example/', '2024-03-01T00:00:00.000Z', ['go']))
    await repo.insert(bm('mid', 'https://mid.example/', '2024-02-01T00:00:00.000Z', ['js', 'go']))
    const ids = (bs: Bookmark[]) => bs.map((b) => b.id)
    expect(ids(await repo.list({ limit: 10, offset: 0 })), 'list({ limit: 10, offset: 0 })').toEqual(['new', 'mid', 'old'])
    expect(ids(await repo.list({ tag: 'js', limit: 10, offset: 0 })), 'list({ tag: "js" })').toEqual(['mid', 'old'])
    expect(ids(await repo.list({ tag: 'g', limit: 10, offset: 0 })), 'list({ tag: "g" }): a tag matches whole, not as a prefix').toEqual([])
    expect(ids(await repo.list({ limit: 1, offset: 1 })), 'list({ limit: 1, offset: 1 })').toEqual(['mid'])
  })

  it('breaks a tie of equal createdAt by id ascending', async () => {
    const repo = createSqliteBookmarkRepository(new DatabaseSync(':memory:')) as Repo
    const same = '2024-04-04T00:00:00.000Z'
    for (const id of ['m', 'z', 'a']) await repo.insert(bm(id, `https://${id}.example/`, same))
    await repo.insert(bm('newest', 'https://newest.example/', '2024-05-05T00:00:00.000Z'))
    const ids = (await repo.list({ limit: 10, offset: 0 })).map((b) => b.id)
    expect(ids, 'list() of newest (May) and m, z, a inserted in that order with the same createdAt: ORDER BY created_at DESC, id ASC').toEqual([
      'newest',
      'a',
      'm',
      'z',
    ])
  })

  it('removes by id and says whether something was removed', async () => {
    const repo = createSqliteBookmarkRepository(new DatabaseSync(':memory:')) as Repo
    await repo.insert(bm('r1', 'https://r.example/', '2024-01-01T00:00:00.000Z'))
    expect(await repo.remove('r1'), 'remove("r1")').toBe(true)
    expect(await repo.remove('r1'), 'remove("r1") a second time').toBe(false)
    expect(await repo.findById('r1'), 'findById("r1") after remove').toBeUndefined()
  })

  it('turns a taken url into ConflictError (two requests can race past the service check)', async () => {
    const repo = createSqliteBookmarkRepository(new DatabaseSync(':memory:')) as Repo
    await repo.insert(bm('c1', 'https://c.example/', '2024-01-01T00:00:00.000Z'))
    const err = await rejectionOf(repo.insert(bm('c2', 'https://c.example/', '2024-01-02T00:00:00.000Z')))
    expect(err, 'insert of a second bookmark with the same url: should reject with ConflictError').toBeInstanceOf(ConflictError)
  })
})

describe('service layer: createBookmarkService(repo, { newId, now }) owns the rules (tested with the suite\'s in-memory repository)', () => {
  it('creates a bookmark: normalized url, default title, clean tags, id and date from its dependencies', async () => {
    const { repo, rows } = memoryRepo()
    const svc = createBookmarkService(repo, fixed()) as Service
    const what = 'create({ url: "  HTTPS://Example.COM  ", tags: [" JS ", "web", "js"] })'
    const created = await value(svc.create({ url: '  HTTPS://Example.COM  ', tags: [' JS ', 'web', 'js'] }), what)
    const expected = { id: 'id-1', url: 'https://example.com/', title: 'example.com', tags: ['js', 'web'], createdAt: '2024-05-06T07:08:09.000Z' }
    expect(created, what).toEqual(expected)
    expect(rows.get('id-1'), 'what the service stored through repo.insert').toEqual(expected)
    const titled = await value(svc.create({ url: 'http://b.example/x', title: '  Bee  ' }), 'create with title "  Bee  "')
    expect(titled.title, 'title of create({ title: "  Bee  " })').toBe('Bee')
    expect(titled.tags, 'tags of a create() without tags').toEqual([])
  })

  it('rejects rule-breaking input with ValidationError and never calls repo.insert', async () => {
    const { repo, calls } = memoryRepo()
    const svc = createBookmarkService(repo, fixed()) as Service
    const bad: [string, unknown][] = [
      ['a url that is not a URL', { url: 'not a url' }],
      ['a relative url', { url: '/just/a/path' }],
      ['an ftp url', { url: 'ftp://files.example/' }],
      ['a javascript: url', { url: 'javascript:alert(1)' }],
      ['a title of 201 characters', { url: 'https://t.example/', title: 'x'.repeat(201) }],
      ['a tag with a space', { url: 'https://t.example/', tags: ['two words'] }],
      ['an empty tag', { url: 'https://t.example/', tags: [''] }],
      ['a tag of 31 characters', { url: 'https://t.example/', tags: ['a'.repeat(31)] }],
      ['a tag with an underscore', { url: 'https://t.example/', tags: ['snake_case'] }],
      ['11 different tags', { url: 'https://t.example/', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }],
    ]
    for (const [what, input] of bad) {
      const err = await rejectionOf(svc.create(input))
      expect(err, `create() with ${what}: should reject with ValidationError`).toBeInstanceOf(ValidationError)
    }
    expect(calls.filter((c) => c.method === 'insert').length, 'repo.insert calls after only invalid input').toBe(0)
  })

  it('accepts input right at the limits: a 200-character title, 10 tags, a 30-character tag', async () => {
    const { repo } = memoryRepo()
    const svc = createBookmarkService(repo, fixed()) as Service
    const tags = ['b'.repeat(30), ...Array.from({ length: 9 }, (_, i) => `t${i}`)]
    const title = 'x'.repeat(200)
    const created = await value(svc.create({ url: 'https://limits.example/', title, tags }), 'create() with a 200-character title and 10 tags, one of 30 characters (all allowed)')
    expect([created.title.length, created.tags], 'title length and tags of that bookmark').toEqual([200, tags])
  })

  it('refuses a url that is already saved with ConflictError (checked after normalizing)', async () => {
    const { repo } = memoryRepo([bm('x', 'https://dup.example/', '2024-01-01T00:00:00.000Z')])
    const svc = createBookmarkService(repo, fixed()) as Service
    const err = await rejectionOf(svc.create({ url: 'HTTPS://DUP.example' }))
    expect(err, 'create({ url: "HTTPS://DUP.example" }) with https://dup.example/ saved: should reject with ConflictError').toBeInstanceOf(ConflictError)
  })

  it('get() and remove() of an unknown id reject with NotFoundError', async () => {
    const { repo } = memoryRepo([bm('k', 'https://k.example/', '2024-01-01T00:00:00.000Z')])
    const svc = createBookmarkService(repo, fixed()) as Service
    expect((await value(svc.get('k'), 'get("k")')).url, 'get("k").url').toBe('https://k.example/')
    expect(await rejectionOf(svc.get('nope')), 'get("nope"): should reject with NotFoundError').toBeInstanceOf(NotFoundError)
    expect(await rejectionOf(svc.remove('nope')), 'remove("nope"): should reject with NotFoundError').toBeInstanceOf(NotFoundError)
    await value(svc.remove('k'), 'remove("k")')
    expect(await rejectionOf(svc.get('k')), 'get("k") after remove("k")').toBeInstanceOf(NotFoundError)
  })

  it('list() fills in defaults, normalizes the tag and validates limit and offset before asking the repository', async () => {
    const { repo, calls } = memoryRepo()
    const svc = createBookmarkService(repo, fixed()) as Service
    await value(svc.list({}), 'list({})')
    await value(svc.list({ tag: ' JS ', limit: 5, offset: 10 }), 'list({ tag: " JS ", limit: 5, offset: 10 })')
    const listed = calls.filter((c) => c.method === 'list').map((c) => c.args[0] as ListArgs)
    expect(listed[0], 'what repo.list received for list({})').toEqual({ limit: 20, offset: 0 })
    expect(listed[1], 'what repo.list received for list({ tag: " JS ", limit: 5, offset: 10 })').toEqual({ tag: 'js', limit: 5, offset: 10 })
    const bad: [string, { limit?: number; offset?: number }][] = [
      ['{ limit: 0 }', { limit: 0 }],
      ['{ limit: 101 }', { limit: 101 }],
      ['{ limit: 2.5 }', { limit: 2.5 }],
      ['{ limit: NaN } (what Number("abc") gives)', { limit: Number.NaN }],
      ['{ offset: -1 }', { offset: -1 }],
    ]
    for (const [what, q] of bad) {
      expect(await rejectionOf(svc.list(q)), `list(${what}): should reject with ValidationError`).toBeInstanceOf(ValidationError)
    }
    expect(calls.filter((c) => c.method === 'list').length, 'repo.list calls after 2 valid and 5 invalid list()').toBe(2)
  })
})

/** The suite's service: returns canned results or throws canned errors, records calls. */
function fakeService(behaviour: Partial<Record<keyof Service, (...args: never[]) => unknown>> = {}) {
  const calls: { method: string; args: unknown[] }[] = []
  const sample = bm('s1', 'https://s.example/', '2024-01-01T00:00:00.000Z', ['x'], 'S')
  const make =
    (method: keyof Service, dflt: () => unknown) =>
    async (...args: unknown[]) => {
      calls.push({ method, args: structuredClone(args) })
      const f = behaviour[method] as ((...a: unknown[]) => unknown) | undefined
      return f ? f(...args) : dflt()
    }
  const service: Service = {
    create: make('create', () => sample) as Service['create'],
    get: make('get', () => sample) as Service['get'],
    list: make('list', () => [sample]) as Service['list'],
    remove: make('remove', () => undefined) as Service['remove'],
  }
  return { service, calls, sample }
}

describe('handler layer: createBookmarkApp(service) speaks HTTP (tested with a fake service)', () => {
  it('POST /bookmarks: passes the known fields to service.create and answers 201 with a Location header', async () => {
    const { service, calls, sample } = fakeService()
    const res = await request(createBookmarkApp(service))
      .post('/bookmarks')
      .send({ url: 'https://s.example', title: 'S', tags: ['x'], id: 'chosen-by-client', createdAt: '1970-01-01' })
    expect(res.status, 'POST /bookmarks: status').toBe(201)
    expect(res.body, 'POST /bookmarks: body is what service.create returned').toEqual(sample)
    expect(res.headers.location, 'POST /bookmarks: Location header').toBe('/bookmarks/s1')
    expect(calls[0]?.args[0], 'what service.create received (an id or createdAt from the client must not get through)').toEqual({ url: 'https://s.example', title: 'S', tags: ['x'] })
  })

  it('leaves business rules to the service: a well-formed body with a bad url or tag still reaches it', async () => {
    const { service, calls } = fakeService()
    const res = await request(createBookmarkApp(service)).post('/bookmarks').send({ url: 'not a url', tags: ['Two Words'] })
    expect(res.status, 'POST { url: "not a url", tags: ["Two Words"] } with a service that accepts it: status').toBe(201)
    expect(calls[0]?.args[0], 'what service.create received').toEqual({ url: 'not a url', tags: ['Two Words'] })
  })

  it('rejects a body of the wrong shape with 400 without calling the service', async () => {
    const { service, calls } = fakeService()
    const app = createBookmarkApp(service)
    const shapes: [string, () => request.Test][] = [
      ['{ url: 42 }', () => request(app).post('/bookmarks').send({ url: 42 })],
      ['{} (no url)', () => request(app).post('/bookmarks').send({})],
      ['{ url, tags: "js" }', () => request(app).post('/bookmarks').send({ url: 'https://a.example', tags: 'js' })],
      ['{ url, title: 5 }', () => request(app).post('/bookmarks').send({ url: 'https://a.example', title: 5 })],
      ['a JSON array', () => request(app).post('/bookmarks').send([{ url: 'https://a.example' }])],
      ['broken JSON', () => request(app).post('/bookmarks').set('content-type', 'application/json').send('{"url": ')],
    ]
    for (const [what, send] of shapes) {
      const res = await send()
      expect(res.status, `POST /bookmarks with ${what}: status (body ${res.text})`).toBe(400)
    }
    expect(calls.length, 'service calls after six malformed bodies').toBe(0)
  })

  it('GET /bookmarks passes tag, limit and offset (as numbers) to service.list and wraps the result in { items }', async () => {
    const { service, calls, sample } = fakeService()
    const app = createBookmarkApp(service)
    const res = await request(app).get('/bookmarks?tag=js&limit=5&offset=10')
    expect([res.status, res.body], 'GET /bookmarks?tag=js&limit=5&offset=10').toEqual([200, { items: [sample] }])
    expect(calls[0]?.args[0], 'what service.list received').toEqual({ tag: 'js', limit: 5, offset: 10 })
    await request(app).get('/bookmarks')
    const plain = calls[1]?.args[0] as Record<string, unknown>
    expect([plain?.tag, plain?.limit, plain?.offset], 'tag, limit, offset passed for GET /bookmarks without a query').toEqual([undefined, undefined, undefined])
  })

  it('GET and DELETE /bookmarks/:id call the service with the id; DELETE answers 204 with no body', async () => {
    const { service, calls, sample } = fakeService()
    const app = createBookmarkApp(service)
    const got = await request(app).get('/bookmarks/s1')
    expect([got.status, got.body], 'GET /bookmarks/s1').toEqual([200, sample])
    const del = await request(app).delete('/bookmarks/s1')
    expect([del.status, del.text], 'DELETE /bookmarks/s1: status and body').toEqual([204, ''])
    expect(calls.map((c) => [c.method, c.args[0]]), 'service calls').toEqual([['get', 's1'], ['remove', 's1']])
  })

  it('maps the service\'s errors: ValidationError 400, NotFoundError 404, ConflictError 409, each with its message', async () => {
    const cases: [Error, number][] = [
      [new ValidationError('limit must be an integer 1-100'), 400],
      [new NotFoundError('bookmark b9 not found'), 404],
      [new ConflictError('a bookmark for https://x.example/ already exists'), 409],
    ]
    for (const [err, status] of cases) {
      const { service } = fakeService({ get: () => Promise.reject(err) })
      const res = await request(createBookmarkApp(service)).get('/bookmarks/b9')
      expect(res.status, `GET /bookmarks/b9 when service.get throws ${err.name}: status`).toBe(status)
      expect(res.body?.error?.message, `GET /bookmarks/b9 when service.get throws ${err.name}: body.error.message`).toBe(err.message)
    }
  })

  it('answers any other error with a 500 that leaks nothing: no message, no SQL, no stack', async () => {
    const internal = new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: bookmarks.url (SELECT id FROM bookmarks WHERE url = ?)')
    const throwers: [string, () => unknown][] = [
      ['an Error with SQL in its message', () => Promise.reject(internal)],
      ['a TypeError', () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'secretField')"))],
      ['a thrown string', () => Promise.reject('db password is hunter2')],
    ]
    for (const [what, thrower] of throwers) {
      const { service } = fakeService({ list: thrower })
      const res = await request(createBookmarkApp(service)).get('/bookmarks')
      expect(res.status, `GET /bookmarks when service.list throws ${what}: status`).toBe(500)
      for (const leak of ['SQLITE', 'SELECT', 'bookmarks.url', 'secretField', 'hunter2', '    at ', '.ts:']) {
        expect(res.text.includes(leak), `GET /bookmarks when service.list throws ${what}: the body must not contain "${leak}"; it was ${res.text}`).toBe(false)
      }
      expect(res.headers['content-type'] ?? '', `GET /bookmarks when service.list throws ${what}: content-type`).toMatch(/json/)
    }
  })
})

describe('all three layers together: handler → service → SQLite repository', () => {
  it('creates, reads, lists, refuses a duplicate and deletes over HTTP', async () => {
    const db = new DatabaseSync(':memory:')
    let t = Date.parse('2024-01-01T00:00:00.000Z')
    const svc = createBookmarkService(createSqliteBookmarkRepository(db), { now: () => new Date((t += 1000)) })
    const app = createBookmarkApp(svc)
    const a = await request(app).post('/bookmarks').send({ url: 'https://one.example', tags: ['JS'] })
    expect(a.status, 'POST https://one.example: status').toBe(201)
    expect([a.body.url, a.body.title, a.body.tags], 'POST https://one.example: url, title, tags').toEqual(['https://one.example/', 'one.example', ['js']])
    const b = await request(app).post('/bookmarks').send({ url: 'https://two.example', title: 'Two' })
    expect(b.status, 'POST https://two.example: status').toBe(201)
    expect((await request(app).post('/bookmarks').send({ url: 'https://ONE.example/' })).status, 'POST https://ONE.example/ again: status').toBe(409)
    expect((await request(app).post('/bookmarks').send({ url: 'ftp://x.example' })).status, 'POST ftp://x.example: status').toBe(400)
    const got = await request(app).get(`/bookmarks/${a.body.id}`)
    expect([got.status, got.body], 'GET the first bookmark by its id').toEqual([200, a.body])
    const list = await request(app).get('/bookmarks')
    expect(list.body?.items?.map((x: Bookmark) => x.title), 'GET /bookmarks: titles, newest first').toEqual(['Two', 'one.example'])
    const js = await request(app).get('/bookmarks?tag=js')
    expect(js.body?.items?.map((x: Bookmark) => x.title), 'GET /bookmarks?tag=js: titles').toEqual(['one.example'])
    expect((await request(app).get('/bookmarks?limit=abc')).status, 'GET /bookmarks?limit=abc: status').toBe(400)
    expect((await request(app).delete(`/bookmarks/${b.body.id}`)).status, 'DELETE the second bookmark').toBe(204)
    expect((await request(app).get(`/bookmarks/${b.body.id}`)).status, 'GET the deleted bookmark').toBe(404)
    db.close()
  })
})
