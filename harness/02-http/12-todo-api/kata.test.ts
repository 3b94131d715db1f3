import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { manualClock } from '#support/http'
import { launchApp } from '#support/launch'

interface Todo {
  id: string
  title: string
  done: boolean
  priority: 'low' | 'normal' | 'high'
  dueDate: string | null
  createdAt: string
}

async function setup() {
  const clock = manualClock(Date.UTC(2030, 0, 1, 8, 0, 0))
  // The learner's createApp in process, or their Go program over HTTP (the Go track).
  const app = await launchApp(clock, async () => (await import('@kata/http/todo-api')).createApp({ now: clock.now }))
  const create = async (body: Record<string, unknown>) => {
    clock.advance(1000)
    const res = await request(app).post('/todos').send(body)
    expect(res.status, `POST /todos ${JSON.stringify(body)}: status`).toBe(201)
    return res.body as Todo
  }
  const titles = async (query: string) => {
    const res = await request(app).get(`/todos${query}`)
    expect(res.status, `GET /todos${query}: status`).toBe(200)
    return (res.body.items as Todo[]).map((t) => t.title)
  }
  return { app, clock, create, titles }
}

/** Eight todos, created A..H one second apart. */
async function dataset(create: (b: Record<string, unknown>) => Promise<Todo>) {
  const spec: Record<string, unknown>[] = [
    { title: 'A write tests', priority: 'high', dueDate: '2030-03-10' },
    { title: 'B buy milk', priority: 'low', dueDate: null },
    { title: 'C fix login bug', priority: 'high', dueDate: '2030-02-01' },
    { title: 'D read RFC 9110', priority: 'normal', dueDate: '2030-02-01' },
    { title: 'E deploy', priority: 'high', dueDate: null },
    { title: 'F write docs', priority: 'normal', dueDate: '2030-04-01' },
    { title: 'G call mom', priority: 'low', dueDate: '2030-01-15' },
    { title: 'H review PR', priority: 'normal', dueDate: null },
  ]
  const todos: Todo[] = []
  for (const s of spec) todos.push(await create(s))
  return todos
}

describe('step 1: CRUD for todos', () => {
  it('POST /todos → 201 with defaults (done false, priority normal, dueDate null), createdAt and Location', async () => {
    const { app, clock } = await setup()
    const res = await request(app).post('/todos').send({ title: '  Write tests ' })
    expect(res.status, 'POST /todos {"title":"  Write tests "}').toBe(201)
    expect(res.body, 'POST /todos: body').toEqual({
      id: expect.any(String),
      title: 'Write tests',
      done: false,
      priority: 'normal',
      dueDate: null,
      createdAt: new Date(clock.now()).toISOString(),
    })
    expect(res.headers.location, 'POST /todos: Location').toBe(`/todos/${res.body.id}`)
    expect((await request(app).get(String(res.headers.location))).body, `GET ${res.headers.location}`).toEqual(res.body)
  })

  it('accepts every field on POST', async () => {
    const { create } = await setup()
    const todo = await create({ title: 'Ship', done: true, priority: 'high', dueDate: '2030-02-28' })
    expect(todo, 'POST /todos with all fields').toMatchObject({ title: 'Ship', done: true, priority: 'high', dueDate: '2030-02-28' })
  })

  it('GET /todos lists them in creation order', async () => {
    const { create, titles } = await setup()
    expect(await titles(''), 'GET /todos on a fresh app').toEqual([])
    await create({ title: 'first' })
    await create({ title: 'second' })
    await create({ title: 'third' })
    expect(await titles(''), 'GET /todos').toEqual(['first', 'second', 'third'])
  })

  it('PATCH /todos/:id changes the given fields; dueDate null clears it', async () => {
    const { app, create } = await setup()
    const todo = await create({ title: 'Pay rent', dueDate: '2030-02-01' })
    const done = await request(app).patch(`/todos/${todo.id}`).send({ done: true, priority: 'high' })
    expect(done.status, 'PATCH {"done":true,"priority":"high"}').toBe(200)
    expect(done.body, 'PATCH {"done":true,"priority":"high"}: body').toEqual({ ...todo, done: true, priority: 'high' })
    const cleared = await request(app).patch(`/todos/${todo.id}`).send({ dueDate: null })
    expect(cleared.body.dueDate, 'PATCH {"dueDate":null}: dueDate').toBe(null)
    expect((await request(app).get(`/todos/${todo.id}`)).body, 'GET after the PATCHes').toEqual(cleared.body)
  })

  it('DELETE /todos/:id → 204; then GET, PATCH and DELETE are 404', async () => {
    const { app, create } = await setup()
    const todo = await create({ title: 'Temp' })
    expect((await request(app).delete(`/todos/${todo.id}`)).status, 'DELETE').toBe(204)
    for (const method of ['get', 'patch', 'delete'] as const) {
      const res = await request(app)[method](`/todos/${todo.id}`).send({ done: true })
      expect(res.status, `${method.toUpperCase()} /todos/${todo.id} after DELETE`).toBe(404)
      expect(res.body, 'body').toEqual({ error: 'not_found' })
    }
  })

  it.each([
    ['POST', {}, { title: 'required' }],
    ['POST', { title: '' }, { title: 'length' }],
    ['POST', { title: 'x', priority: 'urgent' }, { priority: 'format' }],
    ['POST', { title: 'x', dueDate: '2030-02-30' }, { dueDate: 'format' }],
    ['POST', { title: 'x', dueDate: '01.02.2030' }, { dueDate: 'format' }],
    ['POST', { title: 'x', dueDate: 20300101 }, { dueDate: 'type' }],
    ['POST', { title: 'x', done: 'yes', tag: 'home' }, { done: 'type', tag: 'unknown' }],
    ['PATCH', { title: null }, { title: 'required' }],
    ['PATCH', { done: 1 }, { done: 'type' }],
  ])('%s %j → 400 validation with fields %j, nothing changes', async (method, body, fields) => {
    const { app, create } = await setup()
    const todo = await create({ title: 'Keep' })
    const r = method === 'POST' ? request(app).post('/todos') : request(app).patch(`/todos/${todo.id}`)
    const res = await r.send(body)
    expect(res.status, `${method} ${JSON.stringify(body)}`).toBe(400)
    expect(res.body, 'body').toEqual({ error: 'validation', fields })
    expect((await request(app).get('/todos')).body.items, 'todos after the rejected request').toEqual([todo])
  })
})

describe('step 2: filtering and sorting', () => {
  it('filters by done', async () => {
    const { app, create, titles } = await setup()
    const [a, , c] = await dataset(create)
    await request(app).patch(`/todos/${a!.id}`).send({ done: true })
    await request(app).patch(`/todos/${c!.id}`).send({ done: true })
    expect(await titles('?done=true'), 'GET /todos?done=true').toEqual(['A write tests', 'C fix login bug'])
    expect(await titles('?done=false'), 'GET /todos?done=false').toHaveLength(6)
  })

  it('filters by priority, one or a comma-separated list', async () => {
    const { create, titles } = await setup()
    await dataset(create)
    expect(await titles('?priority=high'), 'GET /todos?priority=high').toEqual(['A write tests', 'C fix login bug', 'E deploy'])
    expect(await titles('?priority=low,high'), 'GET /todos?priority=low,high').toEqual(['A write tests', 'B buy milk', 'C fix login bug', 'E deploy', 'G call mom'])
  })

  it('filters by dueBefore (strictly before; todos without a due date are left out)', async () => {
    const { create, titles } = await setup()
    await dataset(create)
    expect(await titles('?dueBefore=2030-02-01'), 'GET /todos?dueBefore=2030-02-01').toEqual(['G call mom'])
    expect(await titles('?dueBefore=2030-03-11'), 'GET /todos?dueBefore=2030-03-11').toEqual(['A write tests', 'C fix login bug', 'D read RFC 9110', 'G call mom'])
  })

  it('searches titles with q (case-insensitive) and combines every filter with AND', async () => {
    const { create, titles } = await setup()
    await dataset(create)
    expect(await titles('?q=WRITE'), 'GET /todos?q=WRITE').toEqual(['A write tests', 'F write docs'])
    expect(await titles('?q=write&priority=normal'), 'GET /todos?q=write&priority=normal').toEqual(['F write docs'])
    expect(await titles('?priority=high&dueBefore=2030-12-31&done=false'), 'GET /todos?priority=high&dueBefore=2030-12-31&done=false').toEqual(['A write tests', 'C fix login bug'])
  })

  it.each([
    ['-createdAt', ['H', 'G', 'F', 'E', 'D', 'C', 'B', 'A']],
    ['createdAt', ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']],
    ['dueDate', ['G', 'C', 'D', 'A', 'F', 'B', 'E', 'H']],
    ['-dueDate', ['F', 'A', 'C', 'D', 'G', 'B', 'E', 'H']],
    ['priority', ['B', 'G', 'D', 'F', 'H', 'A', 'C', 'E']],
    ['-priority', ['A', 'C', 'E', 'D', 'F', 'H', 'B', 'G']],
    ['-title', ['H', 'G', 'F', 'E', 'D', 'C', 'B', 'A']],
  ])('sort=%s (ties in creation order, no due date always last)', async (sort, expected) => {
    const { create, titles } = await setup()
    await dataset(create)
    const got = (await titles(`?sort=${sort}`)).map((t) => t[0])
    expect(got, `GET /todos?sort=${sort}: first letters of the titles`).toEqual(expected)
  })

  it('sorts titles case-insensitively', async () => {
    const { create, titles } = await setup()
    await create({ title: 'beta' })
    await create({ title: 'Alpha' })
    await create({ title: 'gamma' })
    expect(await titles('?sort=title'), 'GET /todos?sort=title').toEqual(['Alpha', 'beta', 'gamma'])
  })

  it('rejects bad query values with 400, naming every bad parameter', async () => {
    const { app, create } = await setup()
    await create({ title: 'x' })
    const res = await request(app).get('/todos?done=yes&priority=high,urgent&dueBefore=2030-13-01&sort=-color')
    expect(res.status, 'GET /todos?done=yes&priority=high,urgent&dueBefore=2030-13-01&sort=-color').toBe(400)
    expect(res.body, 'body').toEqual({ error: 'validation', fields: { done: 'format', priority: 'format', dueBefore: 'format', sort: 'format' } })
  })
})

describe('step 3: cursor pagination', () => {
  async function walk(app: unknown, query: string, maxPages = 30) {
    const pages: string[][] = []
    let cursor: string | null = null
    do {
      const sep = query ? '&' : '?'
      const path: string = `/todos${query}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`
      const res = await request(app as never).get(path)
      expect(res.status, `GET ${path}`).toBe(200)
      pages.push((res.body.items as Todo[]).map((t) => t.title))
      cursor = res.body.nextCursor
      expect(cursor === null || typeof cursor === 'string', `GET ${path}: nextCursor is a string or null`).toBe(true)
    } while (cursor && pages.length < maxPages)
    return pages
  }

  it('returns { items, nextCursor }: 20 items by default, then the rest with nextCursor null', async () => {
    const { app, create } = await setup()
    for (let i = 1; i <= 25; i++) await create({ title: `t${String(i).padStart(2, '0')}` })
    const first = await request(app).get('/todos')
    expect(first.body.items, 'GET /todos with 25 todos: items on the first page').toHaveLength(20)
    expect(typeof first.body.nextCursor, 'GET /todos with 25 todos: nextCursor').toBe('string')
    const second = await request(app).get(`/todos?cursor=${encodeURIComponent(first.body.nextCursor)}`)
    expect((second.body.items as Todo[]).map((t) => t.title), 'the second page').toEqual(['t21', 't22', 't23', 't24', 't25'])
    expect(second.body.nextCursor, 'the second (last) page: nextCursor').toBe(null)
  })

  it('walks every todo exactly once with ?limit=3, and says null on the last page even when it is full', async () => {
    const { app, create } = await setup()
    for (let i = 1; i <= 9; i++) await create({ title: `t${i}` })
    const pages = await walk(app, '?limit=3')
    expect(pages, 'pages of GET /todos?limit=3 over 9 todos').toEqual([
      ['t1', 't2', 't3'],
      ['t4', 't5', 't6'],
      ['t7', 't8', 't9'],
    ])
  })

  it('keeps filters and sort across pages', async () => {
    const { app, create } = await setup()
    await dataset(create)
    const all = (await request(app).get('/todos?priority=high,normal&sort=-dueDate&limit=100')).body.items.map((t: Todo) => t.title)
    const pages = await walk(app, '?priority=high,normal&sort=-dueDate&limit=2')
    expect(pages.flat(), 'pages of ?priority=high,normal&sort=-dueDate&limit=2, joined').toEqual(all)
    expect(pages.slice(0, -1).every((p) => p.length === 2), 'every page but the last has 2 items').toBe(true)
  })

  it.each([
    ['?sort=priority&limit=2'],
    ['?sort=-priority&limit=2'],
    ['?sort=dueDate&limit=3'],
    ['?sort=-dueDate&limit=3'],
  ])('does not skip or repeat equal sort values split across pages (%s)', async (query) => {
    const { app, create } = await setup()
    await dataset(create)
    const all = (await request(app).get(`/todos${query.replace(/limit=\d+/, 'limit=100')}`)).body.items.map((t: Todo) => t.title)
    const pages = await walk(app, query)
    expect(
      pages.flat(),
      `pages of GET /todos${query}, joined: equal values (the same priority, no due date) fall across a page boundary. ` +
        'The cursor must hold the sort value AND the creation sequence of the last item, and continue strictly after that pair',
    ).toEqual(all)
  })

  it('stays stable while todos are created and deleted between pages (no repeats, no skips)', async () => {
    const { app, create } = await setup()
    const todos: Todo[] = []
    for (let i = 1; i <= 10; i++) todos.push(await create({ title: `t${String(i).padStart(2, '0')}` }))
    const first = await request(app).get('/todos?sort=-createdAt&limit=3')
    const seen: string[] = first.body.items.map((t: Todo) => t.title)
    expect(seen, 'page 1 of ?sort=-createdAt&limit=3').toEqual(['t10', 't09', 't08'])
    // Meanwhile: two newer todos arrive and the last item of page 1 is deleted.
    await create({ title: 'new-1' })
    await create({ title: 'new-2' })
    await request(app).delete(`/todos/${todos[7]!.id}`)
    let cursor: string | null = first.body.nextCursor
    for (let guard = 0; cursor && guard < 10; guard++) {
      const res = await request(app).get(`/todos?sort=-createdAt&limit=3&cursor=${encodeURIComponent(cursor)}`)
      expect(res.status, 'GET the next page after creates and a delete').toBe(200)
      seen.push(...res.body.items.map((t: Todo) => t.title))
      cursor = res.body.nextCursor
    }
    expect(seen, 'all titles seen while paging (the new ones sort before the cursor)').toEqual(['t10', 't09', 't08', 't07', 't06', 't05', 't04', 't03', 't02', 't01'])
  })

  it('rejects a bad limit or cursor with 400', async () => {
    const { app, create } = await setup()
    await create({ title: 'x' })
    for (const [query, fields] of [
      ['?limit=0', { limit: 'range' }],
      ['?limit=101', { limit: 'range' }],
      ['?limit=abc', { limit: 'format' }],
      ['?limit=2.5', { limit: 'format' }],
      ['?cursor=not-a-cursor!!', { cursor: 'format' }],
      [`?cursor=${Buffer.from(JSON.stringify({ hello: 'world' })).toString('base64url')}`, { cursor: 'format' }],
    ] as const) {
      const res = await request(app).get(`/todos${query}`)
      expect(res.status, `GET /todos${query}`).toBe(400)
      expect(res.body, `GET /todos${query}: body`).toEqual({ error: 'validation', fields })
    }
    expect((await request(app).get('/todos?limit=100')).status, 'GET /todos?limit=100').toBe(200)
  })
})
