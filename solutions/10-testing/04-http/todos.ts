// The code under test: a small REST API. Test it from the outside, over HTTP, the way its
// clients see it: status codes, headers and JSON bodies.
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'

export interface Todo {
  id: number
  title: string
  done: boolean
}

export interface AppOptions {
  /** Writes (POST, PATCH, DELETE) need the header `x-api-key: <apiKey>`. */
  apiKey: string
}

export const MAX_LIMIT = 100

export function createApp({ apiKey }: AppOptions): express.Express {
  const todos = new Map<number, Todo>()
  let nextId = 1
  const app = express()
  app.use(express.json())

  const auth: RequestHandler = (req, res, next) => {
    if (req.get('x-api-key') !== apiKey) return void res.status(401).json({ error: 'unauthorized' })
    next()
  }
  const notFound = (res: express.Response) => res.status(404).json({ error: 'not_found' })
  const invalid = (res: express.Response, message: string) => res.status(400).json({ error: 'validation', message })
  const validTitle = (t: unknown): t is string => typeof t === 'string' && t.trim().length > 0 && t.trim().length <= 200

  app.get('/todos', (req, res) => {
    const limit = req.query.limit === undefined ? 50 : Number(req.query.limit)
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return void invalid(res, `limit must be 1…${MAX_LIMIT}`)
    const done = req.query.done
    if (done !== undefined && done !== 'true' && done !== 'false') return void invalid(res, 'done must be true or false')
    const list = [...todos.values()].filter((t) => done === undefined || String(t.done) === done)
    res.json(list.slice(0, limit))
  })

  app.get('/todos/:id', (req, res) => {
    const todo = todos.get(Number(req.params.id))
    if (!todo) return void notFound(res)
    res.json(todo)
  })

  app.post('/todos', auth, (req, res) => {
    const title: unknown = req.body?.title
    if (!validTitle(title)) return void invalid(res, 'title must be 1…200 characters')
    const todo: Todo = { id: nextId++, title: title.trim(), done: false }
    todos.set(todo.id, todo)
    res.status(201).location(`/todos/${todo.id}`).json(todo)
  })

  app.patch('/todos/:id', auth, (req, res) => {
    const todo = todos.get(Number(req.params.id))
    if (!todo) return void notFound(res)
    const { title, done } = (req.body ?? {}) as { title?: unknown; done?: unknown }
    const patch: Partial<Todo> = {}
    if (title !== undefined) {
      if (!validTitle(title)) return void invalid(res, 'title must be 1…200 characters')
      patch.title = title.trim()
    }
    if (done !== undefined) {
      if (typeof done !== 'boolean') return void invalid(res, 'done must be a boolean')
      patch.done = done
    }
    const updated: Todo = { ...todo, ...patch }
    todos.set(todo.id, updated)
    res.json(updated)
  })

  app.delete('/todos/:id', auth, (req, res) => {
    if (!todos.delete(Number(req.params.id))) return void notFound(res)
    res.status(204).end()
  })

  // A body that is not valid JSON is the client's mistake: 400, not 500.
  const onError: ErrorRequestHandler = (err: { type?: string }, _req, res, _next) => {
    if (err.type === 'entity.parse.failed') return void invalid(res, 'body is not valid JSON')
    res.status(500).json({ error: 'internal' })
  }
  app.use(onError)
  return app
}
