// Bookmarks in three layers: the handler speaks HTTP, the service owns the rules,
// the repository owns the SQL. Each one only talks to the next through an interface.
import { randomUUID } from 'node:crypto'
import type { DatabaseSync } from 'node:sqlite'
import express, { type Express, type NextFunction, type Request, type Response } from 'express'

export interface Bookmark {
  id: string
  url: string
  title: string
  tags: string[]
  createdAt: string
}

/** What a client may send to create a bookmark (the id and the date are ours). */
export interface NewBookmark {
  url: string
  title?: string
  tags?: string[]
}

export interface ListQuery {
  tag?: string
  limit?: number
  offset?: number
}

export class ValidationError extends Error {
  override name = 'ValidationError'
}
export class NotFoundError extends Error {
  override name = 'NotFoundError'
}
export class ConflictError extends Error {
  override name = 'ConflictError'
}

// ---------------------------------------------------------------- repository

export interface BookmarkRepository {
  /** Rejects with ConflictError when the id or the url is taken. */
  insert(bookmark: Bookmark): Promise<void>
  findById(id: string): Promise<Bookmark | undefined>
  findByUrl(url: string): Promise<Bookmark | undefined>
  /** Newest first (createdAt descending, then id ascending). */
  list(query: { tag?: string; limit: number; offset: number }): Promise<Bookmark[]>
  /** True when a bookmark was deleted. */
  remove(id: string): Promise<boolean>
}

interface Row {
  id: string
  url: string
  title: string
  tags: string
  created_at: string
}

const fromRow = (r: Row): Bookmark => ({ id: r.id, url: r.url, title: r.title, tags: JSON.parse(r.tags) as string[], createdAt: r.created_at })

export function createSqliteBookmarkRepository(db: DatabaseSync): BookmarkRepository {
  db.exec(`CREATE TABLE IF NOT EXISTS bookmarks (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at TEXT NOT NULL
  )`)
  const cols = 'id, url, title, tags, created_at'
  const insert = db.prepare(`INSERT INTO bookmarks (${cols}) VALUES (?, ?, ?, ?, ?)`)
  const byId = db.prepare(`SELECT ${cols} FROM bookmarks WHERE id = ?`)
  const byUrl = db.prepare(`SELECT ${cols} FROM bookmarks WHERE url = ?`)
  const all = db.prepare(`SELECT ${cols} FROM bookmarks ORDER BY created_at DESC, id ASC LIMIT ? OFFSET ?`)
  const tagged = db.prepare(`SELECT ${cols} FROM bookmarks
    WHERE EXISTS (SELECT 1 FROM json_each(bookmarks.tags) WHERE json_each.value = ?)
    ORDER BY created_at DESC, id ASC LIMIT ? OFFSET ?`)
  const del = db.prepare('DELETE FROM bookmarks WHERE id = ?')

  return {
    async insert(b) {
      try {
        insert.run(b.id, b.url, b.title, JSON.stringify(b.tags), b.createdAt)
      } catch (err) {
        // The storage's way of saying "taken" becomes the app's: the service may have
        // checked first, but two requests can still race to the same url.
        if ((err as { errcode?: number }).errcode === 1555) {
          throw new ConflictError(`a bookmark for ${b.url} already exists`, { cause: err })
        }
        throw err
      }
    },
    async findById(id) {
      const row = byId.get(id) as Row | undefined
      return row && fromRow(row)
    },
    async findByUrl(url) {
      const row = byUrl.get(url) as Row | undefined
      return row && fromRow(row)
    },
    async list({ tag, limit, offset }) {
      const rows = (tag === undefined ? all.all(limit, offset) : tagged.all(tag, limit, offset)) as unknown as Row[]
      return rows.map(fromRow)
    },
    async remove(id) {
      return Number(del.run(id).changes) > 0
    },
  }
}

// ---------------------------------------------------------------- service

export interface BookmarkService {
  create(input: NewBookmark): Promise<Bookmark>
  get(id: string): Promise<Bookmark>
  list(query: ListQuery): Promise<Bookmark[]>
  remove(id: string): Promise<void>
}

export interface ServiceDeps {
  newId?: () => string
  now?: () => Date
}

const TAG = /^[a-z0-9-]{1,30}$/

function parseUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    throw new ValidationError('url must be an absolute http(s) URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ValidationError('url must be an absolute http(s) URL')
  return url
}

function normalizeTags(raw: string[] = []): string[] {
  const tags = [...new Set(raw.map((t) => t.trim().toLowerCase()))]
  const bad = tags.find((t) => !TAG.test(t))
  if (bad !== undefined) throw new ValidationError(`tag "${bad}" must be 1-30 characters of a-z, 0-9 and "-"`)
  if (tags.length > 10) throw new ValidationError('at most 10 tags')
  return tags
}

function intIn(value: number | undefined, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min || value > max) throw new ValidationError(`${name} must be an integer ${min}-${max}`)
  return value
}

export function createBookmarkService(repo: BookmarkRepository, deps: ServiceDeps = {}): BookmarkService {
  const newId = deps.newId ?? randomUUID
  const now = deps.now ?? (() => new Date())

  return {
    async create(input) {
      const url = parseUrl(input.url)
      const title = (input.title ?? '').trim() || url.hostname
      if (title.length > 200) throw new ValidationError('title must be at most 200 characters')
      const tags = normalizeTags(input.tags)
      if (await repo.findByUrl(url.href)) throw new ConflictError(`a bookmark for ${url.href} already exists`)
      const bookmark: Bookmark = { id: newId(), url: url.href, title, tags, createdAt: now().toISOString() }
      await repo.insert(bookmark)
      return bookmark
    },

    async get(id) {
      const found = await repo.findById(id)
      if (!found) throw new NotFoundError(`bookmark ${id} not found`)
      return found
    },

    async list(query) {
      const limit = intIn(query.limit, 20, 1, 100, 'limit')
      const offset = intIn(query.offset, 0, 0, Number.MAX_SAFE_INTEGER, 'offset')
      const tag = query.tag === undefined ? undefined : query.tag.trim().toLowerCase()
      return repo.list({ tag, limit, offset })
    },

    async remove(id) {
      if (!(await repo.remove(id))) throw new NotFoundError(`bookmark ${id} not found`)
    },
  }
}

// ---------------------------------------------------------------- handler

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string')
}

/** Transport-level check: the body has the right shape. The rules are the service's. */
function toNewBookmark(body: unknown): NewBookmark {
  const b = (body ?? {}) as Record<string, unknown>
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('the body must be a JSON object')
  if (typeof b.url !== 'string') throw new ValidationError('url must be a string')
  if (b.title !== undefined && typeof b.title !== 'string') throw new ValidationError('title must be a string')
  if (b.tags !== undefined && !isStringArray(b.tags)) throw new ValidationError('tags must be an array of strings')
  // Only the fields a client may set: an "id" or "createdAt" in the body is ignored.
  const out: NewBookmark = { url: b.url }
  if (b.title !== undefined) out.title = b.title
  if (b.tags !== undefined) out.tags = b.tags
  return out
}

const numberParam = (v: unknown): number | undefined => (typeof v === 'string' ? Number(v) : undefined)

export function createBookmarkApp(service: BookmarkService): Express {
  const app = express()
  app.use(express.json())

  app.post('/bookmarks', async (req: Request, res: Response) => {
    const created = await service.create(toNewBookmark(req.body))
    res.status(201).location(`/bookmarks/${encodeURIComponent(created.id)}`).json(created)
  })
  app.get('/bookmarks', async (req: Request, res: Response) => {
    const tag = typeof req.query.tag === 'string' ? req.query.tag : undefined
    const items = await service.list({ tag, limit: numberParam(req.query.limit), offset: numberParam(req.query.offset) })
    res.json({ items })
  })
  app.get('/bookmarks/:id', async (req: Request<{ id: string }>, res: Response) => {
    res.json(await service.get(req.params.id))
  })
  app.delete('/bookmarks/:id', async (req: Request<{ id: string }>, res: Response) => {
    await service.remove(req.params.id)
    res.status(204).end()
  })

  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err)
    const [status, code, message] = toHttp(err)
    res.status(status).json({ error: { code, message } })
  })
  return app
}

/** Domain errors keep their message; anything else is a 500 that says nothing about why. */
function toHttp(err: unknown): [number, string, string] {
  if (err instanceof ValidationError) return [400, 'validation', err.message]
  if ((err as { type?: string } | null)?.type === 'entity.parse.failed') return [400, 'validation', 'the body is not valid JSON']
  if (err instanceof NotFoundError) return [404, 'not_found', err.message]
  if (err instanceof ConflictError) return [409, 'conflict', err.message]
  return [500, 'internal', 'internal error']
}
