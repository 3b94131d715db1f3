import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { manualClock } from '#support/http'
import { launchApp } from '#support/launch'

interface Note {
  id: string
  title: string
  body: string
  tags: string[]
  createdAt: string
  updatedAt: string
}

async function setup() {
  const clock = manualClock(Date.UTC(2030, 0, 1, 9, 0, 0))
  // The learner's createApp in process, or their Go program over HTTP (the Go track).
  const app = await launchApp(clock, async () => (await import('@kata/http/notes-api')).createApp({ now: clock.now }))
  const iso = () => new Date(clock.now()).toISOString()
  /** Creates a note (one minute later than the previous step) and returns it. */
  const create = async (body: Record<string, unknown>) => {
    clock.advance(60_000)
    const res = await request(app).post('/notes').send(body)
    expect(res.status, `POST /notes ${JSON.stringify(body)}: status`).toBe(201)
    return res.body as Note
  }
  return { app, clock, iso, create }
}

const ids = (res: request.Response) => (res.body.items as Note[]).map((n) => n.title)

describe('step 1: CRUD for notes', () => {
  it('POST /notes → 201 with the note, a Location, timestamps from now(), body defaulting to ""', async () => {
    const { app, clock } = await setup()
    const res = await request(app).post('/notes').send({ title: '  Shopping  ' })
    const at = new Date(clock.now()).toISOString()
    expect(res.status, 'POST /notes {"title":"  Shopping  "}').toBe(201)
    expect(res.headers['content-type'], 'POST /notes: Content-Type').toMatch(/^application\/json/)
    expect(res.body, 'POST /notes: body').toEqual({ id: expect.any(String), title: 'Shopping', body: '', tags: [], createdAt: at, updatedAt: at })
    expect(res.headers.location, 'POST /notes: Location').toBe(`/notes/${res.body.id}`)
    const got = await request(app).get(String(res.headers.location))
    expect(got.status, `GET ${res.headers.location}`).toBe(200)
    expect(got.body, `GET ${res.headers.location}`).toEqual(res.body)
  })

  it('GET /notes lists the most recently updated first ({ items: [] } when empty)', async () => {
    const { app, clock, create } = await setup()
    expect((await request(app).get('/notes')).body, 'GET /notes on a fresh app').toEqual({ items: [] })
    const a = await create({ title: 'A' })
    await create({ title: 'B' })
    await create({ title: 'C' })
    expect(ids(await request(app).get('/notes')), 'GET /notes after creating A, B, C').toEqual(['C', 'B', 'A'])
    clock.advance(60_000)
    await request(app).patch(`/notes/${a.id}`).send({ body: 'edited' })
    expect(ids(await request(app).get('/notes')), 'GET /notes after editing A').toEqual(['A', 'C', 'B'])
  })

  it('PATCH /notes/:id changes only the given fields and bumps updatedAt, not createdAt', async () => {
    const { app, clock, iso, create } = await setup()
    const note = await create({ title: 'Plan', body: 'v1' })
    clock.advance(5 * 60_000)
    const res = await request(app).patch(`/notes/${note.id}`).send({ body: 'v2' })
    expect(res.status, `PATCH /notes/${note.id} {"body":"v2"}`).toBe(200)
    expect(res.body, `PATCH /notes/${note.id}: body`).toEqual({ ...note, body: 'v2', updatedAt: iso() })
    expect((await request(app).get(`/notes/${note.id}`)).body, 'GET after the PATCH').toEqual(res.body)
  })

  it('DELETE /notes/:id → 204, then it is gone; a second DELETE is 404', async () => {
    const { app, create } = await setup()
    const a = await create({ title: 'A' })
    await create({ title: 'B' })
    const del = await request(app).delete(`/notes/${a.id}`)
    expect(del.status, `DELETE /notes/${a.id}`).toBe(204)
    expect((await request(app).get(`/notes/${a.id}`)).status, `GET /notes/${a.id} after DELETE`).toBe(404)
    expect(ids(await request(app).get('/notes')), 'GET /notes after DELETE').toEqual(['B'])
    const again = await request(app).delete(`/notes/${a.id}`)
    expect(again.status, 'the second DELETE').toBe(404)
    expect(again.body, 'the second DELETE: body').toEqual({ error: 'not_found' })
  })

  it('404 {"error":"not_found"} for an unknown note or route', async () => {
    const { app } = await setup()
    for (const [method, path] of [
      ['get', '/notes/nope'],
      ['patch', '/notes/nope'],
      ['get', '/nope'],
    ] as const) {
      const res = await request(app)[method](path).send({ title: 'x' })
      expect(res.status, `${method.toUpperCase()} ${path}`).toBe(404)
      expect(res.body, `${method.toUpperCase()} ${path}: body`).toEqual({ error: 'not_found' })
    }
  })

  it.each([
    ['POST', {}, { title: 'required' }],
    ['POST', { title: 't'.repeat(201) }, { title: 'length' }],
    ['POST', { title: 'ok', body: 42 }, { body: 'type' }],
    ['POST', { title: 'ok', color: 'red' }, { color: 'unknown' }],
    ['POST', { title: 'ok', body: 'b'.repeat(10_001) }, { body: 'length' }],
    ['PATCH', { title: '   ' }, { title: 'length' }],
    ['PATCH', { title: null }, { title: 'required' }],
    ['PATCH', ['not', 'an', 'object'], { $: 'type' }],
    ['PATCH', { title: 'Changed', body: 42 }, { body: 'type' }],
    ['PATCH', { title: 'Changed', tags: ['ok', 'not ok'] }, { 'tags[1]': 'format' }],
  ])('%s %j → 400 validation with fields %j, nothing changes', async (method, body, fields) => {
    const { app, create } = await setup()
    const note = await create({ title: 'Keep me', body: 'as is' })
    const r = method === 'POST' ? request(app).post('/notes') : request(app).patch(`/notes/${note.id}`)
    const res = await r.send(body as object)
    expect(res.status, `${method} ${JSON.stringify(body)}`).toBe(400)
    expect(res.body, `${method} ${JSON.stringify(body)}: body`).toEqual({ error: 'validation', fields })
    expect((await request(app).get('/notes')).body.items, 'notes after the rejected request').toEqual([note])
  })

  it('accepts the upper bounds: a 200-character title, a 10 000-character body, 10 tags', async () => {
    const { app } = await setup()
    const res = await request(app)
      .post('/notes')
      .send({ title: 't'.repeat(200), body: 'b'.repeat(10_000), tags: Array.from({ length: 10 }, (_, i) => `t${i}`) })
    expect(res.status, 'POST /notes with a 200-char title, a 10000-char body and 10 tags (all at their limit)').toBe(201)
  })

  it('400 {"error":"invalid_json"} for a malformed body', async () => {
    const { app } = await setup()
    const res = await request(app).post('/notes').set('Content-Type', 'application/json').send('{"title":')
    expect(res.status, 'POST /notes with body {"title":').toBe(400)
    expect(res.body, 'POST /notes with malformed JSON: body').toEqual({ error: 'invalid_json' })
  })
})

describe('step 2: tags and search', () => {
  it('normalizes tags: trimmed, lower-case, duplicates removed, first-seen order', async () => {
    const { create } = await setup()
    const note = await create({ title: 'Go', tags: [' Go ', 'http', 'GO', 'go-kit'] })
    expect(note.tags, 'tags of POST /notes with [" Go ","http","GO","go-kit"]').toEqual(['go', 'http', 'go-kit'])
  })

  it.each([
    [{ tags: 'go' }, { tags: 'type' }],
    [{ tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, { tags: 'length' }],
    [{ tags: ['ok', 'has space', 7, 'x'.repeat(31)] }, { 'tags[1]': 'format', 'tags[2]': 'type', 'tags[3]': 'format' }],
  ])('rejects tags %j with 400 fields %j', async (extra, fields) => {
    const { app } = await setup()
    const res = await request(app).post('/notes').send({ title: 'T', ...extra })
    expect(res.status, `POST /notes ${JSON.stringify(extra)}`).toBe(400)
    expect(res.body, 'body').toEqual({ error: 'validation', fields })
  })

  it('PATCH replaces the tags', async () => {
    const { app, create } = await setup()
    const note = await create({ title: 'T', tags: ['a', 'b'] })
    const res = await request(app).patch(`/notes/${note.id}`).send({ tags: ['C'] })
    expect(res.body.tags, 'PATCH {"tags":["C"]}: tags').toEqual(['c'])
  })

  it('GET /notes?tag=… keeps notes having every given tag (case-insensitive)', async () => {
    const { app, create } = await setup()
    await create({ title: 'Gin', tags: ['go', 'http'] })
    await create({ title: 'pgx', tags: ['go', 'sql'] })
    await create({ title: 'Express', tags: ['node', 'http'] })
    expect(ids(await request(app).get('/notes?tag=go')), 'GET /notes?tag=go').toEqual(['pgx', 'Gin'])
    expect(ids(await request(app).get('/notes?tag=go&tag=http')), 'GET /notes?tag=go&tag=http').toEqual(['Gin'])
    expect(ids(await request(app).get('/notes?tag=HTTP')), 'GET /notes?tag=HTTP').toEqual(['Express', 'Gin'])
    expect(ids(await request(app).get('/notes?tag=rust')), 'GET /notes?tag=rust').toEqual([])
  })

  it('GET /notes?q=… searches title and body, case-insensitively, and combines with tag', async () => {
    const { app, create } = await setup()
    await create({ title: 'Graceful shutdown', body: 'drain connections', tags: ['go'] })
    await create({ title: 'Pools', body: 'Connection pooling in pgx', tags: ['go', 'sql'] })
    await create({ title: 'Keep-alive', body: 'reuse a CONNECTION', tags: ['http'] })
    expect(ids(await request(app).get('/notes?q=connection')), 'GET /notes?q=connection').toEqual(['Keep-alive', 'Pools', 'Graceful shutdown'])
    expect(ids(await request(app).get('/notes?q=GRACEFUL')), 'GET /notes?q=GRACEFUL').toEqual(['Graceful shutdown'])
    expect(ids(await request(app).get('/notes?q=connection&tag=sql')), 'GET /notes?q=connection&tag=sql').toEqual(['Pools'])
    expect(ids(await request(app).get('/notes?q=kafka')), 'GET /notes?q=kafka').toEqual([])
  })

  it('GET /tags counts notes per tag: most used first, then alphabetically', async () => {
    const { app, create } = await setup()
    expect((await request(app).get('/tags')).body, 'GET /tags on a fresh app').toEqual({ items: [] })
    await create({ title: '1', tags: ['go', 'http'] })
    const two = await create({ title: '2', tags: ['go', 'sql'] })
    await create({ title: '3', tags: ['http', 'go', 'api'] })
    expect((await request(app).get('/tags')).body, 'GET /tags').toEqual({
      items: [
        { tag: 'go', count: 3 },
        { tag: 'http', count: 2 },
        { tag: 'api', count: 1 },
        { tag: 'sql', count: 1 },
      ],
    })
    await request(app).delete(`/notes/${two.id}`)
    expect((await request(app).get('/tags')).body.items, 'GET /tags after deleting note 2').toEqual([
      { tag: 'go', count: 2 },
      { tag: 'http', count: 2 },
      { tag: 'api', count: 1 },
    ])
  })
})

describe('step 3: ETags and conditional requests', () => {
  it('sends a quoted ETag on POST, GET and PATCH; it changes when the note changes', async () => {
    const { app } = await setup()
    const created = await request(app).post('/notes').send({ title: 'Versioned' })
    const e1 = created.headers.etag as string
    expect(e1, 'POST /notes: ETag header').toMatch(/^"[^"]+"$/)
    const got = await request(app).get(`/notes/${created.body.id}`)
    expect(got.headers.etag, 'GET right after POST: same ETag').toBe(e1)
    const patched = await request(app).patch(`/notes/${created.body.id}`).send({ body: 'changed' })
    expect(patched.headers.etag, 'PATCH: ETag header').toMatch(/^"[^"]+"$/)
    expect(patched.headers.etag, 'ETag after a PATCH').not.toBe(e1)
    expect((await request(app).get(`/notes/${created.body.id}`)).headers.etag, 'GET after the PATCH: the PATCH ETag').toBe(patched.headers.etag)
    const other = await request(app).post('/notes').send({ title: 'Versioned' })
    expect(other.headers.etag, 'the ETag of another note with the same content').not.toBe(e1)
  })

  it('GET with If-None-Match of the current ETag → 304 with no body; a stale one → 200', async () => {
    const { app, create } = await setup()
    const note = await create({ title: 'Cached' })
    const etag = (await request(app).get(`/notes/${note.id}`)).headers.etag as string
    const fresh = await request(app).get(`/notes/${note.id}`).set('If-None-Match', etag)
    expect(fresh.status, `GET /notes/:id with If-None-Match: ${etag} (current)`).toBe(304)
    expect(fresh.text ?? '', '304: body').toBe('')
    await request(app).patch(`/notes/${note.id}`).send({ title: 'Cached v2' })
    const stale = await request(app).get(`/notes/${note.id}`).set('If-None-Match', etag)
    expect(stale.status, 'GET with If-None-Match of the ETag before the PATCH').toBe(200)
    expect(stale.body.title, 'GET with a stale If-None-Match: title').toBe('Cached v2')
  })

  it('prevents a lost update: PATCH with a stale If-Match → 412, nothing changes', async () => {
    const { app, create } = await setup()
    const note = await create({ title: 'Shared', body: 'original' })
    const etag = (await request(app).get(`/notes/${note.id}`)).headers.etag as string
    // Alice and Bob both read the note (same ETag); Alice writes first.
    const alice = await request(app).patch(`/notes/${note.id}`).set('If-Match', etag).send({ body: 'Alice' })
    expect(alice.status, "Alice's PATCH with the current If-Match").toBe(200)
    const bob = await request(app).patch(`/notes/${note.id}`).set('If-Match', etag).send({ body: 'Bob' })
    expect(bob.status, "Bob's PATCH with the now stale If-Match").toBe(412)
    expect(bob.body, "Bob's PATCH: body").toEqual({ error: 'precondition_failed' })
    expect((await request(app).get(`/notes/${note.id}`)).body.body, 'the note after both PATCHes').toBe('Alice')
  })

  it('accepts If-Match: * for an existing note, and PATCH without If-Match still works', async () => {
    const { app, create } = await setup()
    const note = await create({ title: 'Any' })
    expect((await request(app).patch(`/notes/${note.id}`).set('If-Match', '*').send({ body: 'x' })).status, 'PATCH with If-Match: *').toBe(200)
    expect((await request(app).patch(`/notes/${note.id}`).send({ body: 'y' })).status, 'PATCH without If-Match').toBe(200)
  })

  it('DELETE with a stale If-Match → 412 and the note stays; with the current one → 204', async () => {
    const { app, create } = await setup()
    const note = await create({ title: 'Fragile' })
    const old = (await request(app).get(`/notes/${note.id}`)).headers.etag as string
    const patched = await request(app).patch(`/notes/${note.id}`).send({ body: 'changed' })
    const stale = await request(app).delete(`/notes/${note.id}`).set('If-Match', old)
    expect(stale.status, 'DELETE with a stale If-Match').toBe(412)
    expect((await request(app).get(`/notes/${note.id}`)).status, 'GET after the refused DELETE').toBe(200)
    const ok = await request(app).delete(`/notes/${note.id}`).set('If-Match', String(patched.headers.etag))
    expect(ok.status, 'DELETE with the current If-Match').toBe(204)
  })
})
