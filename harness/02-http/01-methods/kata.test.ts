import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { createApp } from '@kata/http/methods'

const dune = { title: 'Dune', author: 'Frank Herbert', year: 1965 }
const solaris = { title: 'Solaris', author: 'Stanisław Lem', year: 1961 }

async function create(app: unknown, body: object) {
  const res = await request(app as never).post('/books').send(body)
  expect(res.status, `POST /books ${JSON.stringify(body)}: status`).toBe(201)
  expect(typeof res.body.id, `POST /books ${JSON.stringify(body)}: the created book must have a string "id"`).toBe('string')
  return res.body as { id: string; title: string; author: string; year?: number }
}

describe('POST /books', () => {
  it('creates a book: 201, JSON body with a server-chosen id, Location of the new resource', async () => {
    const app = createApp()
    const res = await request(app).post('/books').send(dune)
    expect(res.status, 'POST /books with a valid book: status').toBe(201)
    expect(res.headers['content-type'], 'POST /books: Content-Type').toMatch(/^application\/json/)
    expect(res.body, 'POST /books: body is the created book').toEqual({ id: expect.any(String), ...dune })
    expect(res.headers.location, 'POST /books: Location header').toBe(`/books/${res.body.id}`)
    const got = await request(app).get(String(res.headers.location))
    expect(got.status, `GET ${res.headers.location} (the Location of the POST)`).toBe(200)
    expect(got.body, `GET ${res.headers.location}`).toEqual(res.body)
  })

  it('is not idempotent: the same POST twice creates two books with different ids', async () => {
    const app = createApp()
    const a = await create(app, dune)
    const b = await create(app, dune)
    expect(a.id, 'ids of two identical POSTs').not.toBe(b.id)
    const list = await request(app).get('/books')
    expect(list.body, 'GET /books after two identical POSTs').toHaveLength(2)
  })

  it('picks the id itself: an "id" in the POST body is not used', async () => {
    const app = createApp()
    const res = await request(app).post('/books').send({ id: 'my-own-id', ...dune })
    expect(res.status, 'POST /books with {"id":"my-own-id", …}: status').toBe(201)
    expect(res.body.id, 'POST /books with {"id":"my-own-id", …}: the server picks the id, the client does not').not.toBe('my-own-id')
    expect((await request(app).get('/books/my-own-id')).status, 'GET /books/my-own-id after that POST').toBe(404)
  })

  it('keeps year optional: a book without year has no "year" key', async () => {
    const app = createApp()
    const res = await request(app).post('/books').send({ title: 'Roadside Picnic', author: 'Strugatsky' })
    expect(res.status, 'POST /books without year').toBe(201)
    expect(res.body, 'POST /books without year: body').toEqual({ id: expect.any(String), title: 'Roadside Picnic', author: 'Strugatsky' })
  })

  it.each([
    ['a missing author', { title: 'Dune' }],
    ['an empty title', { title: '  ', author: 'Frank Herbert' }],
    ['a string year', { title: 'Dune', author: 'Frank Herbert', year: '1965' }],
    ['a fractional year', { title: 'Dune', author: 'Frank Herbert', year: 1965.5 }],
    ['a JSON array', [dune]],
  ])('rejects %s with 400 {"error":"invalid_body"} and creates nothing', async (_, body) => {
    const app = createApp()
    const res = await request(app).post('/books').send(body as object)
    expect(res.status, `POST /books ${JSON.stringify(body)}: status`).toBe(400)
    expect(res.body, `POST /books ${JSON.stringify(body)}: body`).toEqual({ error: 'invalid_body' })
    expect((await request(app).get('/books')).body, 'GET /books after the rejected POST').toEqual([])
  })

  it('rejects malformed JSON with 400 {"error":"invalid_body"}', async () => {
    const app = createApp()
    const res = await request(app).post('/books').set('Content-Type', 'application/json').send('{"title": "Dune",')
    expect(res.status, 'POST /books with body {"title": "Dune",').toBe(400)
    expect(res.body, 'POST /books with malformed JSON: body').toEqual({ error: 'invalid_body' })
  })
})

describe('GET /books and GET /books/:id', () => {
  it('lists an empty collection as []', async () => {
    const res = await request(createApp()).get('/books')
    expect(res.status, 'GET /books on a fresh app').toBe(200)
    expect(res.headers['content-type'], 'GET /books: Content-Type').toMatch(/^application\/json/)
    expect(res.body, 'GET /books on a fresh app').toEqual([])
  })

  it('lists books in the order they were created (not sorted by title or id)', async () => {
    const app = createApp()
    const a = await create(app, solaris)
    const b = await create(app, dune)
    const c = await create(app, { title: 'Hyperion', author: 'Dan Simmons', year: 1989 })
    const res = await request(app).get('/books')
    expect(
      res.body.map((book: { title: string }) => book.title),
      'GET /books after creating Solaris, Dune, Hyperion: the list keeps the creation order',
    ).toEqual(['Solaris', 'Dune', 'Hyperion'])
    expect(res.body, 'GET /books: the books as created').toEqual([a, b, c])
  })

  it('answers 404 {"error":"not_found"} for an unknown id', async () => {
    const app = createApp()
    await create(app, dune)
    const res = await request(app).get('/books/no-such-id')
    expect(res.status, 'GET /books/no-such-id').toBe(404)
    expect(res.body, 'GET /books/no-such-id: body').toEqual({ error: 'not_found' })
  })

  it('gives every createApp() its own empty collection', async () => {
    const first = createApp()
    await create(first, dune)
    const res = await request(createApp()).get('/books')
    expect(res.body, 'GET /books on a second createApp() after a POST to the first').toEqual([])
  })
})

describe('PUT /books/:id (replace the whole representation)', () => {
  it('replaces every field: a field left out of the PUT body is gone', async () => {
    const app = createApp()
    const { id } = await create(app, dune)
    const res = await request(app).put(`/books/${id}`).send({ title: 'Dune Messiah', author: 'Frank Herbert' })
    expect(res.status, `PUT /books/${id} on an existing book`).toBe(200)
    expect(res.body, `PUT /books/${id} without year: the year must be gone`).toEqual({ id, title: 'Dune Messiah', author: 'Frank Herbert' })
    expect((await request(app).get(`/books/${id}`)).body, `GET /books/${id} after the PUT`).toEqual(res.body)
  })

  it('creates the book at the client-chosen URI when it does not exist: 201 + Location', async () => {
    const app = createApp()
    const res = await request(app).put('/books/dune-1965').send(dune)
    expect(res.status, 'PUT /books/dune-1965 when it does not exist').toBe(201)
    expect(res.headers.location, 'PUT /books/dune-1965: Location').toBe('/books/dune-1965')
    expect(res.body, 'PUT /books/dune-1965: body').toEqual({ id: 'dune-1965', ...dune })
    const got = await request(app).get('/books/dune-1965')
    expect(got.status, 'GET /books/dune-1965 after the PUT').toBe(200)
  })

  it('is idempotent: repeating the same PUT gives the same state, 200 the second time', async () => {
    const app = createApp()
    await request(app).put('/books/solaris').send(solaris)
    const again = await request(app).put('/books/solaris').send(solaris)
    expect(again.status, 'the second identical PUT /books/solaris').toBe(200)
    expect(again.body, 'the second identical PUT /books/solaris: body').toEqual({ id: 'solaris', ...solaris })
    expect((await request(app).get('/books')).body, 'GET /books after two identical PUTs').toEqual([{ id: 'solaris', ...solaris }])
  })

  it('takes the id from the URL, not from the body', async () => {
    const app = createApp()
    const res = await request(app).put('/books/solaris').send({ ...solaris, id: 'something-else' })
    expect(res.body.id, 'PUT /books/solaris with {"id":"something-else"} in the body: id').toBe('solaris')
    expect((await request(app).get('/books/something-else')).status, 'GET /books/something-else').toBe(404)
  })

  it('rejects an incomplete body with 400 and leaves the book unchanged', async () => {
    const app = createApp()
    const book = await create(app, dune)
    const res = await request(app).put(`/books/${book.id}`).send({ title: 'Only a title' })
    expect(res.status, `PUT /books/${book.id} with only a title`).toBe(400)
    expect(res.body, `PUT /books/${book.id} with only a title: body`).toEqual({ error: 'invalid_body' })
    expect((await request(app).get(`/books/${book.id}`)).body, 'GET after the rejected PUT').toEqual(book)
  })
})

describe('PATCH /books/:id (partial update, JSON Merge Patch)', () => {
  it('changes only the fields it carries and answers 200 with the whole book', async () => {
    const app = createApp()
    const { id } = await create(app, dune)
    const res = await request(app).patch(`/books/${id}`).send({ title: 'Dune (50th anniversary)' })
    expect(res.status, `PATCH /books/${id} {"title":…}`).toBe(200)
    expect(res.body, `PATCH /books/${id} {"title":…}: author and year must stay`).toEqual({ ...dune, id, title: 'Dune (50th anniversary)' })
    expect((await request(app).get(`/books/${id}`)).body, 'GET after the PATCH').toEqual(res.body)
  })

  it('removes an optional field set to null', async () => {
    const app = createApp()
    const { id } = await create(app, dune)
    const res = await request(app).patch(`/books/${id}`).send({ year: null })
    expect(res.status, `PATCH /books/${id} {"year":null}`).toBe(200)
    expect(res.body, `PATCH /books/${id} {"year":null}: the year must be gone`).toEqual({ id, title: dune.title, author: dune.author })
  })

  it.each([
    ['null on a required field', { title: null }],
    ['a wrong type', { year: 'nineteen sixty-five' }],
    ['an empty author', { author: '' }],
    ['a JSON array (not an object)', [{ title: 'Dune Messiah' }]],
    ['a JSON string (not an object)', '"Dune Messiah"'],
    ['malformed JSON', '{"title": "Dune Messiah",'],
  ])('rejects %s with 400 and leaves the book unchanged', async (_, patch) => {
    const app = createApp()
    const book = await create(app, dune)
    const res = await request(app)
      .patch(`/books/${book.id}`)
      .set('Content-Type', 'application/json')
      .send(typeof patch === 'string' ? patch : JSON.stringify(patch))
    expect(res.status, `PATCH /books/${book.id} ${JSON.stringify(patch)}`).toBe(400)
    expect(res.body, `PATCH /books/${book.id} ${JSON.stringify(patch)}: body`).toEqual({ error: 'invalid_body' })
    expect((await request(app).get(`/books/${book.id}`)).body, 'GET after the rejected PATCH').toEqual(book)
  })

  it('answers 404 for an unknown id and creates nothing', async () => {
    const app = createApp()
    const res = await request(app).patch('/books/ghost').send({ title: 'Ghost' })
    expect(res.status, 'PATCH /books/ghost').toBe(404)
    expect((await request(app).get('/books')).body, 'GET /books after PATCH /books/ghost').toEqual([])
  })
})

describe('DELETE /books/:id', () => {
  it('deletes: 204 with an empty body, then GET is 404 and the list no longer has it', async () => {
    const app = createApp()
    const a = await create(app, dune)
    const b = await create(app, solaris)
    const res = await request(app).delete(`/books/${a.id}`)
    expect(res.status, `DELETE /books/${a.id}`).toBe(204)
    expect(res.text ?? '', `DELETE /books/${a.id}: a 204 has no body`).toBe('')
    expect((await request(app).get(`/books/${a.id}`)).status, `GET /books/${a.id} after DELETE`).toBe(404)
    expect((await request(app).get('/books')).body, 'GET /books after DELETE').toEqual([b])
  })

  it('answers 404 to a second DELETE of the same book (the state does not change again)', async () => {
    const app = createApp()
    const { id } = await create(app, dune)
    await request(app).delete(`/books/${id}`)
    const again = await request(app).delete(`/books/${id}`)
    expect(again.status, `the second DELETE /books/${id}`).toBe(404)
    expect(again.body, `the second DELETE /books/${id}: body`).toEqual({ error: 'not_found' })
  })
})
