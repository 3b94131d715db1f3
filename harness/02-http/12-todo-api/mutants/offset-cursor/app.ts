import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'

export type Priority = 'low' | 'normal' | 'high'

export interface Todo {
  id: string
  title: string
  done: boolean
  priority: Priority
  /** A calendar date "YYYY-MM-DD", or null. */
  dueDate: string | null
  createdAt: string
}

export interface AppOptions {
  /** The clock in ms (default Date.now). */
  now?: () => number
}

type FieldErrors = Record<string, 'required' | 'type' | 'length' | 'format' | 'range' | 'unknown'>
type SortField = 'createdAt' | 'dueDate' | 'priority' | 'title'

interface Row {
  todo: Todo
  /** Creation sequence: the final tie-breaker, so the order is total. */
  seq: number
}

/** What a cursor remembers: the sort values of the last row returned, not its position. */
interface Cursor {
  v: string | number | null
  seq: number
}

const PRIORITIES: Priority[] = ['low', 'normal', 'high']
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const SORTS = new Set(['createdAt', 'dueDate', 'priority', 'title'])

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error))
  }
}
const invalid = (fields: FieldErrors) => new HttpError(400, { error: 'validation', fields })

export function createApp({ now = Date.now }: AppOptions = {}): RequestListener {
  const rows = new Map<string, Row>()
  let seq = 0

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) send(res, err.status, err.body)
      else send(res, 500, { error: 'internal' })
    })
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local')
    if (url.pathname === '/todos' && req.method === 'GET') return send(res, 200, list(url.searchParams))
    if (url.pathname === '/todos' && req.method === 'POST') {
      const input = validate(await readJson(req), true)
      seq++
      const todo: Todo = {
        id: String(seq),
        title: input.title!,
        done: input.done ?? false,
        priority: input.priority ?? 'normal',
        dueDate: input.dueDate ?? null,
        createdAt: new Date(now()).toISOString(),
      }
      rows.set(todo.id, { todo, seq })
      res.setHeader('Location', `/todos/${todo.id}`)
      return send(res, 201, todo)
    }
    const one = /^\/todos\/([^/]+)$/.exec(url.pathname)
    const row = one ? rows.get(decodeURIComponent(one[1]!)) : undefined
    if (!one || !['GET', 'PATCH', 'DELETE'].includes(req.method ?? '') || !row) throw new HttpError(404, { error: 'not_found' })
    if (req.method === 'GET') return send(res, 200, row.todo)
    if (req.method === 'DELETE') {
      rows.delete(row.todo.id)
      res.statusCode = 204
      return void res.end()
    }
    row.todo = { ...row.todo, ...validate(await readJson(req), false) }
    send(res, 200, row.todo)
  }

  function list(params: URLSearchParams): { items: Todo[]; nextCursor: string | null } {
    const fields: FieldErrors = {}
    const done = params.get('done')
    if (done !== null && done !== 'true' && done !== 'false') fields.done = 'format'
    const priorities = params.get('priority')?.split(',').map((p) => p.trim())
    if (priorities?.some((p) => !PRIORITIES.includes(p as Priority))) fields.priority = 'format'
    const dueBefore = params.get('dueBefore')
    if (dueBefore !== null && !isDate(dueBefore)) fields.dueBefore = 'format'
    const q = params.get('q')?.toLowerCase()
    const sortParam = params.get('sort') ?? 'createdAt'
    const desc = sortParam.startsWith('-')
    const field = (desc ? sortParam.slice(1) : sortParam) as SortField
    if (!SORTS.has(field)) fields.sort = 'format'
    const limitParam = params.get('limit')
    const limit = limitParam === null ? 20 : Number(limitParam)
    if (limitParam !== null && !/^\d+$/.test(limitParam)) fields.limit = 'format'
    else if (limit < 1 || limit > 100) fields.limit = 'range'
    const cursorParam = params.get('cursor')
    const cursor = cursorParam === null ? undefined : decodeCursor(cursorParam)
    if (cursor === null) fields.cursor = 'format'
    if (Object.keys(fields).length) throw invalid(fields)

    const key = (t: Todo): string | number | null =>
      field === 'priority' ? PRIORITIES.indexOf(t.priority) : field === 'title' ? t.title.toLowerCase() : field === 'dueDate' ? t.dueDate : t.createdAt
    // Total order: the sort value (nulls always last), then creation order.
    const compare = (a: Cursor, b: Cursor): number => {
      if (a.v !== b.v) {
        if (a.v === null) return 1
        if (b.v === null) return -1
        return (a.v < b.v ? -1 : 1) * (desc ? -1 : 1)
      }
      return a.seq - b.seq
    }

    const matching = [...rows.values()]
      .filter(({ todo }) => done === null || todo.done === (done === 'true'))
      .filter(({ todo }) => !priorities || priorities.includes(todo.priority))
      .filter(({ todo }) => dueBefore === null || (todo.dueDate !== null && todo.dueDate < dueBefore))
      .filter(({ todo }) => !q || todo.title.toLowerCase().includes(q))
      .map((row) => ({ todo: row.todo, at: { v: key(row.todo), seq: row.seq } }))
      .sort((a, b) => compare(a.at, b.at))

    // The cursor carries how many items were already shown (kept in the seq slot).
    const offset = cursor ? cursor.seq : 0
    const page = matching.slice(offset, offset + limit)
    return {
      items: page.map((r) => r.todo),
      nextCursor: matching.length > offset + limit ? Buffer.from(JSON.stringify({ v: null, seq: offset + limit })).toString('base64url') : null,
    }
  }
}

function decodeCursor(raw: string): Cursor | null {
  try {
    const c = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<Cursor>
    const okValue = c.v === null || typeof c.v === 'string' || typeof c.v === 'number'
    return okValue && typeof c.seq === 'number' ? { v: c.v!, seq: c.seq } : null
  } catch {
    return null
  }
}

function isDate(s: string): boolean {
  const m = DATE.exec(s)
  if (!m) return false
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  return mo >= 1 && mo <= 12 && d >= 1 && d <= new Date(Date.UTC(y, mo, 0)).getUTCDate()
}

function validate(body: unknown, creating: boolean): Partial<Omit<Todo, 'id' | 'createdAt'>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid({ $: 'type' })
  const input = body as Record<string, unknown>
  const fields: FieldErrors = {}
  const out: Partial<Omit<Todo, 'id' | 'createdAt'>> = {}
  for (const k of Object.keys(input)) if (!['title', 'done', 'priority', 'dueDate'].includes(k)) fields[k] = 'unknown'

  if (input.title === undefined || input.title === null) {
    if (creating || input.title === null) fields.title = 'required'
  } else if (typeof input.title !== 'string') fields.title = 'type'
  else if (input.title.trim().length < 1 || input.title.trim().length > 200) fields.title = 'length'
  else out.title = input.title.trim()

  if (input.done !== undefined) {
    if (typeof input.done !== 'boolean') fields.done = 'type'
    else out.done = input.done
  }
  if (input.priority !== undefined) {
    if (typeof input.priority !== 'string') fields.priority = 'type'
    else if (!PRIORITIES.includes(input.priority as Priority)) fields.priority = 'format'
    else out.priority = input.priority as Priority
  }
  if (input.dueDate !== undefined) {
    if (input.dueDate === null) out.dueDate = null
    else if (typeof input.dueDate !== 'string') fields.dueDate = 'type'
    else if (!isDate(input.dueDate)) fields.dueDate = 'format'
    else out.dueDate = input.dueDate
  }
  if (Object.keys(fields).length) throw invalid(fields)
  return out
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, { error: 'invalid_json' })
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}
