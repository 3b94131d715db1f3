import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import { describe, it } from 'vitest'
import { mutationGrader, type Mutant } from '#support/testing'
import * as spec from '@kata/testing/http'

// The suite's own copy of todos.ts, with switches that break one rule each.
interface Todo {
  id: number
  title: string
  done: boolean
}
type Bug =
  | 'create-200'
  | 'title-max-199'
  | 'limit-zero-accepted'
  | 'no-location'
  | 'blank-title'
  | 'bad-json-500'
  | 'unknown-200-null'
  | 'delete-200-body'
  | 'delete-unknown-204'
  | 'done-filter-ignored'
  | 'limit-ignored'
  | 'limit-uncapped'
  | 'patch-replaces'
  | 'no-auth-on-writes'
  | 'any-key'
  | 'html-content-type'
  | 'title-not-trimmed'

const MAX_LIMIT = 100

function todosModule(bug?: Bug) {
  function createApp({ apiKey }: { apiKey: string }): express.Express {
    const todos = new Map<number, Todo>()
    let nextId = 1
    const app = express()
    app.use(express.json())
    const send = (res: express.Response, body: unknown) => (bug === 'html-content-type' ? res.type('html').send(JSON.stringify(body)) : res.json(body))

    const auth: RequestHandler = (req, res, next) => {
      const key = req.get('x-api-key')
      const ok = bug === 'no-auth-on-writes' ? true : bug === 'any-key' ? key !== undefined && key !== '' : key === apiKey
      if (!ok) return void res.status(401).json({ error: 'unauthorized' })
      next()
    }
    const notFound = (res: express.Response) => res.status(404).json({ error: 'not_found' })
    const invalid = (res: express.Response, message: string) => res.status(400).json({ error: 'validation', message })
    const validTitle = (t: unknown): t is string =>
      typeof t === 'string' && (bug === 'blank-title' ? t.length > 0 : t.trim().length > 0) && t.trim().length <= (bug === 'title-max-199' ? 199 : 200)
    const clean = (t: string) => (bug === 'title-not-trimmed' ? t : t.trim())

    app.get('/todos', (req, res) => {
      const limit = req.query.limit === undefined ? 50 : Number(req.query.limit)
      const max = bug === 'limit-uncapped' ? Infinity : MAX_LIMIT
      if (!Number.isInteger(limit) || limit < (bug === 'limit-zero-accepted' ? 0 : 1) || limit > max) return void invalid(res, `limit must be 1…${MAX_LIMIT}`)
      const done = req.query.done
      if (done !== undefined && done !== 'true' && done !== 'false') return void invalid(res, 'done must be true or false')
      const list = [...todos.values()].filter((t) => bug === 'done-filter-ignored' || done === undefined || String(t.done) === done)
      send(res, bug === 'limit-ignored' ? list : list.slice(0, limit))
    })
    app.get('/todos/:id', (req, res) => {
      const todo = todos.get(Number(req.params.id))
      if (!todo) return void (bug === 'unknown-200-null' ? res.json(null) : notFound(res))
      send(res, todo)
    })
    app.post('/todos', auth, (req, res) => {
      const title: unknown = req.body?.title
      if (!validTitle(title)) return void invalid(res, 'title must be 1…200 characters')
      const todo: Todo = { id: nextId++, title: clean(title), done: false }
      todos.set(todo.id, todo)
      res.status(bug === 'create-200' ? 200 : 201)
      if (bug !== 'no-location') res.location(`/todos/${todo.id}`)
      send(res, todo)
    })
    app.patch('/todos/:id', auth, (req, res) => {
      const todo = todos.get(Number(req.params.id))
      if (!todo) return void notFound(res)
      const { title, done } = (req.body ?? {}) as { title?: unknown; done?: unknown }
      const patch: Partial<Todo> = {}
      if (title !== undefined) {
        if (!validTitle(title)) return void invalid(res, 'title must be 1…200 characters')
        patch.title = clean(title)
      }
      if (done !== undefined) {
        if (typeof done !== 'boolean') return void invalid(res, 'done must be a boolean')
        patch.done = done
      }
      const updated: Todo = bug === 'patch-replaces' ? { id: todo.id, title: patch.title ?? '', done: patch.done ?? false } : { ...todo, ...patch }
      todos.set(todo.id, updated)
      send(res, updated)
    })
    app.delete('/todos/:id', auth, (req, res) => {
      const existed = todos.delete(Number(req.params.id))
      if (!existed && bug !== 'delete-unknown-204') return void notFound(res)
      if (bug === 'delete-200-body') return void res.status(200).json({ deleted: true })
      res.status(204).end()
    })
    const onError: ErrorRequestHandler = (err: { type?: string }, _req, res, _next) => {
      if (err.type === 'entity.parse.failed' && bug !== 'bad-json-500') return void invalid(res, 'body is not valid JSON')
      res.status(500).json({ error: 'internal' })
    }
    app.use(onError)
    return app
  }
  return { createApp, MAX_LIMIT }
}

const mutants: Mutant<ReturnType<typeof todosModule>>[] = [
  { when: 'POST /todos answers 200 instead of 201', impl: todosModule('create-200') },
  { when: 'POST /todos sends no Location header', impl: todosModule('no-location') },
  { when: 'a title of only spaces is accepted', impl: todosModule('blank-title') },
  { when: 'the title is stored with its surrounding spaces', impl: todosModule('title-not-trimmed') },
  { when: 'a title of exactly 200 characters is rejected (the limit is off by one)', impl: todosModule('title-max-199') },
  { when: 'GET /todos?limit=0 is accepted instead of rejected with 400', impl: todosModule('limit-zero-accepted') },
  { when: 'a body that is not valid JSON answers 500 instead of 400', impl: todosModule('bad-json-500') },
  { when: 'GET of an unknown id answers 200 with null instead of 404', impl: todosModule('unknown-200-null') },
  { when: 'DELETE answers 200 with a body instead of 204 with none', impl: todosModule('delete-200-body') },
  { when: 'DELETE of an unknown id answers 204 instead of 404', impl: todosModule('delete-unknown-204') },
  { when: 'GET /todos?done=true ignores the filter', impl: todosModule('done-filter-ignored') },
  { when: 'GET /todos?limit=2 ignores the limit', impl: todosModule('limit-ignored') },
  { when: 'GET /todos?limit=101 is accepted instead of rejected with 400', impl: todosModule('limit-uncapped') },
  { when: 'PATCH with only {"done": true} wipes the title', impl: todosModule('patch-replaces') },
  { when: 'writes without an x-api-key are accepted', impl: todosModule('no-auth-on-writes') },
  { when: 'any x-api-key is accepted, not only the right one', impl: todosModule('any-key') },
  { when: 'todos are sent as text/html instead of application/json', impl: todosModule('html-content-type') },
]

const grader = mutationGrader(spec.defineTests, () => todosModule())

describe('your HTTP tests of the todos API', () => {
  it('pass on the correct implementation', async () => {
    const problem = await grader.referenceProblem()
    if (problem) throw new Error(problem)
  })

  for (const m of mutants) {
    it(`catch the bug: ${m.when}`, async () => {
      if (await grader.referenceProblem()) throw new Error('first make your tests pass on the correct implementation (see the first failing test)')
      const { killed } = await grader.killed(m)
      if (!killed) throw new Error(`your tests still pass when ${m.when}`)
    })
  }
})
