import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createApp } from '@kata/http/framework'

const TOKEN = 'adm-31337'
const ADMIN = `Bearer ${TOKEN}`
const fixed = () => new Date('2030-03-01T10:00:00.000Z')
const app = (now: () => Date = fixed) => createApp({ adminToken: TOKEN, now })

function expectJson(res: request.Response, status: number, body: unknown, what: string) {
  expect(res.status, `${what}: status`).toBe(status)
  expect(res.headers['content-type'], `${what}: Content-Type (JSON, not an HTML error page)`).toMatch(/^application\/json/)
  expect(res.body, `${what}: body`).toEqual(body)
  expect(res.headers['x-powered-by'], `${what}: X-Powered-By must not advertise the framework`).toBeUndefined()
}

const post = (a: unknown, body: unknown) => request(a as never).post('/api/v1/bookmarks').send(body as object)

describe('routes and JSON', () => {
  it('GET /health → 200 {"status":"ok"}', async () => {
    expectJson(await request(app()).get('/health'), 200, { status: 'ok' }, 'GET /health')
  })

  it('POST /api/v1/bookmarks → 201 with sequential numeric ids, defaults and a Location', async () => {
    const a = app()
    const first = await post(a, { url: 'https://go.dev/doc/', tags: ['Go', ' Docs '] })
    expectJson(
      first,
      201,
      { id: 1, url: 'https://go.dev/doc/', title: 'go.dev', tags: ['go', 'docs'], createdAt: '2030-03-01T10:00:00.000Z' },
      'POST /api/v1/bookmarks {url:"https://go.dev/doc/",tags:["Go"," Docs "]}',
    )
    expect(first.headers.location, 'POST /api/v1/bookmarks: Location').toBe('/api/v1/bookmarks/1')
    const second = await post(a, { url: 'http://expressjs.com', title: ' Express ' })
    expect(second.body, 'the second POST: body').toMatchObject({ id: 2, title: 'Express', tags: [] })
  })

  it('numbers ids per app: a second app starts again at 1', async () => {
    await post(app(), { url: 'https://go.dev' })
    const other = await post(app(), { url: 'https://fastify.dev' })
    expect(other.body.id, 'the first bookmark of a second createApp() (ids are per app, not shared by all apps)').toBe(1)
  })

  it('never reuses an id after a delete', async () => {
    const a = app()
    for (const url of ['https://go.dev', 'https://gin-gonic.com', 'https://fastify.dev']) await post(a, { url })
    expect((await request(a).delete('/api/v1/admin/bookmarks/1').set('Authorization', ADMIN)).status, 'DELETE /api/v1/admin/bookmarks/1').toBe(204)
    const next = await post(a, { url: 'https://expressjs.com' })
    expect(next.body.id, 'the id of a bookmark created after deleting 1 of 3 (ids 1..3 were used)').toBe(4)
    const third = await request(a).get('/api/v1/bookmarks/3')
    expect(third.body.url, 'GET /api/v1/bookmarks/3 after that: bookmark 3 must be untouched').toBe('https://fastify.dev')
  })

  it('GET /api/v1/bookmarks lists them, and ?tag= filters', async () => {
    const a = app()
    await post(a, { url: 'https://go.dev', tags: ['go'] })
    await post(a, { url: 'https://gin-gonic.com', tags: ['go', 'web'] })
    await post(a, { url: 'https://fastify.dev', tags: ['node', 'web'] })
    const all = await request(a).get('/api/v1/bookmarks')
    expect(all.status, 'GET /api/v1/bookmarks').toBe(200)
    expect(all.body.items.map((b: { id: number }) => b.id), 'GET /api/v1/bookmarks: ids in creation order').toEqual([1, 2, 3])
    const web = await request(a).get('/api/v1/bookmarks?tag=web')
    expect(web.body.items.map((b: { id: number }) => b.id), 'GET /api/v1/bookmarks?tag=web: ids').toEqual([2, 3])
    const none = await request(a).get('/api/v1/bookmarks?tag=rust')
    expectJson(none, 200, { items: [] }, 'GET /api/v1/bookmarks?tag=rust')
  })

  it('GET /api/v1/bookmarks/:id → 200, 404 not_found, or 400 invalid_id for a non-numeric id', async () => {
    const a = app()
    const created = await post(a, { url: 'https://go.dev' })
    expectJson(await request(a).get('/api/v1/bookmarks/1'), 200, created.body, 'GET /api/v1/bookmarks/1')
    expectJson(await request(a).get('/api/v1/bookmarks/99'), 404, { error: 'not_found' }, 'GET /api/v1/bookmarks/99')
    for (const id of ['abc', '0', '1.5', '-1', '01', '1e0', '+1']) {
      expectJson(await request(a).get(`/api/v1/bookmarks/${id}`), 400, { error: 'invalid_id' }, `GET /api/v1/bookmarks/${id}`)
    }
  })

  it.each([
    ['no url', { title: 'x' }],
    ['a url that is not a URL', { url: 'not a url' }],
    ['a non-http(s) url', { url: 'ftp://files.example.com' }],
    ['a numeric title', { url: 'https://go.dev', title: 7 }],
    ['tags that are not an array of strings', { url: 'https://go.dev', tags: 'go' }],
    ['a JSON array body', [{ url: 'https://go.dev' }]],
    ['a blank title', { url: 'https://go.dev', title: '   ' }],
    ['a blank tag', { url: 'https://go.dev', tags: ['go', ' '] }],
  ])('POST with %s → 400 invalid_body, nothing stored', async (_, body) => {
    const a = app()
    expectJson(await post(a, body), 400, { error: 'invalid_body' }, `POST /api/v1/bookmarks ${JSON.stringify(body)}`)
    expect((await request(a).get('/api/v1/bookmarks')).body, 'GET /api/v1/bookmarks after the rejected POST').toEqual({ items: [] })
  })
})

describe('errors as JSON, not as the framework default HTML', () => {
  it('404 {"error":"not_found"} for an unknown route', async () => {
    for (const path of ['/nope', '/api/v2/bookmarks', '/api/v1/bookmarks/1/comments']) {
      expectJson(await request(app()).get(path), 404, { error: 'not_found' }, `GET ${path}`)
    }
  })

  it('400 {"error":"invalid_json"} for a malformed JSON body', async () => {
    const res = await request(app()).post('/api/v1/bookmarks').set('Content-Type', 'application/json').send('{"url": "https://go.dev",')
    expectJson(res, 400, { error: 'invalid_json' }, 'POST /api/v1/bookmarks with malformed JSON')
  })

  it('413 {"error":"payload_too_large"} for a body over 10 kB', async () => {
    const a = app()
    const res = await post(a, { url: 'https://go.dev', title: 'x'.repeat(11 * 1024) })
    expectJson(res, 413, { error: 'payload_too_large' }, 'POST /api/v1/bookmarks with an 11 kB body')
    const fits = await post(a, { url: 'https://go.dev', title: 'x'.repeat(9 * 1024) })
    expect(fits.status, 'POST /api/v1/bookmarks with a 9 kB body').toBe(201)
    const base = JSON.stringify({ url: 'https://go.dev', title: '' })
    const exact = JSON.stringify({ url: 'https://go.dev', title: 'x'.repeat(10_240 - Buffer.byteLength(base)) })
    expect(Buffer.byteLength(exact)).toBe(10_240)
    const atLimit = await request(a).post('/api/v1/bookmarks').set('Content-Type', 'application/json').send(exact)
    expect(atLimit.status, 'POST /api/v1/bookmarks with a body of exactly 10240 bytes (10 kB = 10240 bytes is allowed)').toBe(201)
  })

  it('415 {"error":"unsupported_media_type"} for a POST that is not JSON', async () => {
    const res = await request(app()).post('/api/v1/bookmarks').set('Content-Type', 'text/plain').send('url=https://go.dev')
    expectJson(res, 415, { error: 'unsupported_media_type' }, 'POST /api/v1/bookmarks with Content-Type: text/plain')
  })

  it('500 {"error":"internal"} when a handler fails unexpectedly, without the message or a stack', async () => {
    const broken = app(() => {
      throw new Error('clock exploded at /srv/app/secret.ts:42')
    })
    const res = await post(broken, { url: 'https://go.dev' })
    expectJson(res, 500, { error: 'internal' }, 'POST /api/v1/bookmarks while now() throws')
    expect(res.text, 'the 500 body').not.toMatch(/exploded|secret\.ts/)
  })
})

describe('the /api/v1/admin group (one auth middleware for the whole group)', () => {
  it('401 {"error":"unauthorized"} without the token or with a wrong one, for every admin path', async () => {
    const a = app()
    for (const auth of [undefined, 'Bearer wrong', TOKEN]) {
      for (const [method, path] of [
        ['get', '/api/v1/admin/stats'],
        ['delete', '/api/v1/admin/bookmarks/1'],
        ['get', '/api/v1/admin/anything-else'],
      ] as const) {
        const r = request(a)[method](path)
        const res = await (auth ? r.set('Authorization', auth) : r)
        expectJson(res, 401, { error: 'unauthorized' }, `${method.toUpperCase()} ${path} with ${auth ? `Authorization: ${auth}` : 'no Authorization'}`)
      }
    }
  })

  it('GET /api/v1/admin/stats counts bookmarks and tags', async () => {
    const a = app()
    await post(a, { url: 'https://go.dev', tags: ['go'] })
    await post(a, { url: 'https://gin-gonic.com', tags: ['go', 'web'] })
    const res = await request(a).get('/api/v1/admin/stats').set('Authorization', ADMIN)
    expectJson(res, 200, { bookmarks: 2, tags: { go: 2, web: 1 } }, 'GET /api/v1/admin/stats')
  })

  it('DELETE /api/v1/admin/bookmarks/:id → 204, then the bookmark is gone; unknown → 404', async () => {
    const a = app()
    await post(a, { url: 'https://go.dev' })
    const del = await request(a).delete('/api/v1/admin/bookmarks/1').set('Authorization', ADMIN)
    expect(del.status, 'DELETE /api/v1/admin/bookmarks/1').toBe(204)
    expect((await request(a).get('/api/v1/bookmarks/1')).status, 'GET /api/v1/bookmarks/1 after the DELETE').toBe(404)
    expectJson(await request(a).delete('/api/v1/admin/bookmarks/1').set('Authorization', ADMIN), 404, { error: 'not_found' }, 'DELETE it again')
  })

  it('with the token, an unknown admin path is a JSON 404', async () => {
    expectJson(await request(app()).get('/api/v1/admin/nope').set('Authorization', ADMIN), 404, { error: 'not_found' }, 'GET /api/v1/admin/nope with the token')
  })
})
