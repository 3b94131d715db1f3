import request from 'supertest'
import type * as Todos from './todos.ts'
import type { TestApi } from './test-api.ts'

const KEY = 'test-key'

export function defineTests({ describe, it, expect, beforeEach }: TestApi, { createApp, MAX_LIMIT }: typeof Todos): void {
  let app: ReturnType<typeof createApp>
  beforeEach(() => {
    app = createApp({ apiKey: KEY })
  })
  const create = (title: string) => request(app).post('/todos').set('x-api-key', KEY).send({ title })

  describe('POST /todos', () => {
    it('creates a todo: 201, Location, JSON body with a trimmed title', async () => {
      const res = await create('  buy milk ').expect(201).expect('Content-Type', /application\/json/)
      expect(res.body).toEqual({ id: expect.any(Number), title: 'buy milk', done: false })
      expect(res.headers.location).toBe(`/todos/${res.body.id}`)
      await request(app).get(res.headers.location!).expect(200, res.body)
    })

    it.each(['', '   ', 'x'.repeat(201)])('rejects the title %j with 400', async (title) => {
      await create(title).expect(400)
    })

    it('accepts a title of exactly 200 characters', async () => {
      await create('x'.repeat(200)).expect(201)
    })

    it('rejects a body that is not JSON with 400', async () => {
      await request(app).post('/todos').set('x-api-key', KEY).set('Content-Type', 'application/json').send('{"title": ').expect(400)
    })
  })

  describe('API key', () => {
    it('401 without the key, and with a wrong key, on every write', async () => {
      await request(app).post('/todos').send({ title: 'a' }).expect(401)
      await request(app).post('/todos').set('x-api-key', 'nope').send({ title: 'a' }).expect(401)
      const { body } = await create('a')
      await request(app).patch(`/todos/${body.id}`).send({ done: true }).expect(401)
      await request(app).delete(`/todos/${body.id}`).set('x-api-key', 'nope').expect(401)
    })
  })

  describe('GET', () => {
    it('404 for an unknown id', async () => {
      await request(app).get('/todos/999').expect(404).expect('Content-Type', /json/)
    })

    it('filters by done and honours limit', async () => {
      const ids: number[] = []
      for (const t of ['a', 'b', 'c']) ids.push((await create(t)).body.id)
      await request(app).patch(`/todos/${ids[1]}`).set('x-api-key', KEY).send({ done: true }).expect(200)
      const done = await request(app).get('/todos?done=true').expect(200)
      expect(done.body.map((t: Todos.Todo) => t.id)).toEqual([ids[1]])
      const open = await request(app).get('/todos?done=false').expect(200)
      expect(open.body.map((t: Todos.Todo) => t.id)).toEqual([ids[0], ids[2]])
      const page = await request(app).get('/todos?limit=2').expect(200)
      expect(page.body).toHaveLength(2)
    })

    it(`rejects a limit above ${MAX_LIMIT} or below 1, and accepts both ends`, async () => {
      await request(app).get(`/todos?limit=${MAX_LIMIT + 1}`).expect(400)
      await request(app).get('/todos?limit=0').expect(400)
      await request(app).get(`/todos?limit=${MAX_LIMIT}`).expect(200)
      await request(app).get('/todos?limit=1').expect(200)
    })
  })

  describe('PATCH and DELETE', () => {
    it('PATCH changes only the fields sent', async () => {
      const { body } = await create('keep me')
      const res = await request(app).patch(`/todos/${body.id}`).set('x-api-key', KEY).send({ title: 'keep me', done: true }).expect(200)
      expect(res.body).toEqual({ id: body.id, title: 'keep me', done: true })
    })

    it('DELETE answers 204 with no body, then the todo is gone; an unknown id is 404', async () => {
      const { body } = await create('bye')
      const res = await request(app).delete(`/todos/${body.id}`).set('x-api-key', KEY).expect(204)
      expect(res.text).toBe('')
      await request(app).get(`/todos/${body.id}`).expect(404)
      await request(app).delete(`/todos/${body.id}`).set('x-api-key', KEY).expect(404)
    })
  })
}
