import { DatabaseSync } from 'node:sqlite'
import { afterAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { pgError } from '#support/postgres-katas'
import { createPgTaskRepo, createSqliteTaskRepo } from '@kata/postgres/sqlite'

const pg = usePostgres()

interface Task { id: number; title: string; done: boolean; priority: number; dueOn: string | null; createdAt: Date }
interface TaskRepo {
  migrate(): Promise<void>
  add(input: { title: string; priority?: number; dueOn?: string | null }): Promise<Task>
  get(id: number): Promise<Task | null>
  list(filter?: { done?: boolean; search?: string }): Promise<Task[]>
  complete(id: number): Promise<boolean>
  remove(id: number): Promise<boolean>
  stats(): Promise<{ total: number; done: number }>
}

/** A backend: a fresh, empty store for each test, and a way to count rows behind the repo's back. */
interface Backend {
  fresh(): Promise<{ repo: TaskRepo; rowsInTable(): Promise<number> }>
}

const sqliteDbs: DatabaseSync[] = []
afterAll(() => sqliteDbs.forEach((db) => db.close()))

const backends: [string, Backend][] = [
  ['PostgreSQL', {
    async fresh() {
      await pg.pool.query('DROP TABLE IF EXISTS tasks')
      const repo: TaskRepo = createPgTaskRepo(pg.pool)
      await repo.migrate()
      return { repo, rowsInTable: async () => (await pg.pool.query('SELECT count(*)::int AS n FROM tasks')).rows[0].n }
    },
  }],
  ['SQLite', {
    async fresh() {
      const db = new DatabaseSync(':memory:')
      sqliteDbs.push(db)
      const repo: TaskRepo = createSqliteTaskRepo(db)
      await repo.migrate()
      return { repo, rowsInTable: async () => Number((db.prepare('SELECT count(*) AS n FROM tasks').get() as { n: number }).n) }
    },
  }],
]

// One contract, run against both implementations: same inputs, same expected outputs.
describe.each(backends)('TaskRepo contract on %s', (_name, backend) => {
  it('add(input) stores a task and returns it typed: id number, done false, priority 3, dueOn null, createdAt Date', async () => {
    const { repo, rowsInTable } = await backend.fresh()
    const before = Date.now()
    const t = await repo.add({ title: 'Write tests' })
    expect(t, 'add({ title: "Write tests" })').toMatchObject({ title: 'Write tests', done: false, priority: 3, dueOn: null })
    expect(Object.keys(t).sort(), 'keys of the returned Task').toEqual(['createdAt', 'done', 'dueOn', 'id', 'priority', 'title'])
    expect(typeof t.id, 'typeof id').toBe('number')
    expect(t.createdAt, 'createdAt').toBeInstanceOf(Date)
    expect(Math.abs(t.createdAt.getTime() - before), 'ms between createdAt and now').toBeLessThan(60_000)
    expect(await rowsInTable(), 'rows in the tasks table of the database the repo was given').toBe(1)
    const t2 = await repo.add({ title: 'Ship', priority: 5, dueOn: '2024-02-29' })
    expect(t2, 'add({ title: "Ship", priority: 5, dueOn: "2024-02-29" })').toMatchObject({ title: 'Ship', priority: 5, dueOn: '2024-02-29', done: false })
    expect(t2.id, 'id of the second task is greater than the first').toBeGreaterThan(t.id)
  })

  it('get(id) returns the same task, or null', async () => {
    const { repo } = await backend.fresh()
    const t = await repo.add({ title: 'Read', priority: 2, dueOn: '2025-12-31' })
    expect(await repo.get(t.id), `get(${t.id})`).toEqual(t)
    expect(await repo.get(t.id + 100), 'get of an unknown id').toBeNull()
  })

  it('list() orders by priority (highest first), then by id', async () => {
    const { repo } = await backend.fresh()
    const a = await repo.add({ title: 'a', priority: 1 })
    const b = await repo.add({ title: 'b', priority: 4 })
    const c = await repo.add({ title: 'c', priority: 4 })
    const d = await repo.add({ title: 'd' })
    expect((await repo.list()).map((t) => t.title), 'titles from list()').toEqual([b, c, d, a].map((t) => t.title))
    // Completing b rewrites its row (PostgreSQL puts the new version at the end of the table):
    // only "then by id" keeps b before c.
    await repo.complete(b.id)
    expect((await repo.list()).map((t) => t.title), 'titles from list() after completing b (priority 4 like c, smaller id)').toEqual([b, c, d, a].map((t) => t.title))
  })

  it('list({ done }) and list({ search }) filter, alone and together; search ignores case', async () => {
    const { repo } = await backend.fresh()
    const milk = await repo.add({ title: 'Buy MILK' })
    await repo.add({ title: 'Call mom' })
    const oat = await repo.add({ title: 'oat milk latte', priority: 5 })
    await repo.complete(milk.id)
    const titles = async (f: { done?: boolean; search?: string }) => (await repo.list(f)).map((t) => t.title)
    expect(await titles({ done: true }), 'list({ done: true })').toEqual(['Buy MILK'])
    expect(await titles({ done: false }), 'list({ done: false })').toEqual(['oat milk latte', 'Call mom'])
    expect(await titles({ search: 'milk' }), 'list({ search: "milk" })').toEqual(['oat milk latte', 'Buy MILK'])
    expect(await titles({ search: 'MiLk', done: false }), 'list({ search: "MiLk", done: false })').toEqual([oat.title])
    expect(await titles({ search: 'zzz' }), 'list({ search: "zzz" })').toEqual([])
  })

  it('search treats %, _, backslashes and quotes as plain characters', async () => {
    const { repo } = await backend.fresh()
    await repo.add({ title: 'plain' })
    await repo.add({ title: '100% done' })
    await repo.add({ title: "it's_here" })
    const titles = async (search: string) => (await repo.list({ search })).map((t) => t.title)
    expect(await titles('%'), 'list({ search: "%" })').toEqual(['100% done'])
    expect(await titles('_'), 'list({ search: "_" })').toEqual(["it's_here"])
    expect(await titles("'"), "list({ search: \"'\" })").toEqual(["it's_here"])
    await repo.add({ title: 'C:\\temp' })
    expect(await titles('\\'), 'list({ search: "\\" }): a backslash is a plain character too (escape it as well)').toEqual(['C:\\temp'])
  })

  it('complete(id) marks a task done once: true, then false; false for an unknown id', async () => {
    const { repo } = await backend.fresh()
    const t = await repo.add({ title: 'x' })
    expect(await repo.complete(t.id), `complete(${t.id})`).toBe(true)
    expect(await repo.complete(t.id), `complete(${t.id}) again`).toBe(false)
    expect(await repo.complete(t.id + 100), 'complete of an unknown id').toBe(false)
    expect((await repo.get(t.id))?.done, 'done after complete (a boolean, not 1)').toBe(true)
  })

  it('remove(id) deletes: true, then false', async () => {
    const { repo, rowsInTable } = await backend.fresh()
    const t = await repo.add({ title: 'x' })
    await repo.add({ title: 'y' })
    expect(await repo.remove(t.id), `remove(${t.id})`).toBe(true)
    expect(await repo.remove(t.id), `remove(${t.id}) again`).toBe(false)
    expect(await repo.get(t.id), 'get after remove').toBeNull()
    expect(await rowsInTable(), 'rows left in the table').toBe(1)
  })

  it('stats() counts all and done tasks, as numbers', async () => {
    const { repo } = await backend.fresh()
    expect(await repo.stats(), 'stats() of an empty store').toEqual({ total: 0, done: 0 })
    const ids = []
    for (let i = 0; i < 5; i++) ids.push((await repo.add({ title: `t${i}` })).id)
    await repo.complete(ids[1]!)
    await repo.complete(ids[3]!)
    expect(await repo.stats(), 'stats() with 5 tasks, 2 done').toEqual({ total: 5, done: 2 })
  })

  it('rejects a blank title and a priority outside 1…5 with RangeError, storing nothing', async () => {
    const { repo, rowsInTable } = await backend.fresh()
    for (const input of [{ title: '' }, { title: '   ' }, { title: 'x', priority: 0 }, { title: 'x', priority: 6 }, { title: 'x', priority: 2.5 }]) {
      expect(await pgError(repo.add(input)), `add(${JSON.stringify(input)})`).toBeInstanceOf(RangeError)
    }
    expect(await rowsInTable(), 'rows after the rejected adds').toBe(0)
  })

  it('migrate() can run again on a store with data, and keeps it', async () => {
    const { repo } = await backend.fresh()
    const t = await repo.add({ title: "Robert'); DROP TABLE tasks; --" })
    await repo.migrate()
    expect(await repo.get(t.id), 'the task after a second migrate()').toEqual(t)
  })
})

describe('the two implementations agree', () => {
  it('the same calls give the same results on PostgreSQL and SQLite', async () => {
    const run = async (b: Backend) => {
      const { repo } = await b.fresh()
      const ids: number[] = []
      for (const [i, title] of ['Alpha', 'beta', 'Gamma ray', 'delta', 'alphabet'].entries()) ids.push((await repo.add({ title, priority: 1 + (i % 3), dueOn: i % 2 ? `2024-0${i}-1${i}` : null })).id)
      await repo.complete(ids[1]!)
      await repo.remove(ids[3]!)
      const strip = (ts: Task[]) => ts.map(({ createdAt: _c, ...rest }) => rest)
      return { all: strip(await repo.list()), alpha: strip(await repo.list({ search: 'ALPHA' })), stats: await repo.stats() }
    }
    const [p, s] = [await run(backends[0]![1]), await run(backends[1]![1])]
    expect(s, 'SQLite results (expected: what PostgreSQL returned for the same calls)').toEqual(p)
  })
})
