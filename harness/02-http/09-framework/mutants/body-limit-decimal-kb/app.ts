import type { RequestListener } from 'node:http'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'

export interface Bookmark {
  id: number
  url: string
  title: string
  tags: string[]
  createdAt: string
}

export interface AppOptions {
  /** `Authorization: Bearer <adminToken>` unlocks /api/v1/admin/*. */
  adminToken: string
  /** The clock for createdAt (default: the real one). */
  now?: () => Date
}

/** Thrown by handlers, turned into a JSON answer by the error handler. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code)
  }
}

export function createApp({ adminToken, now = () => new Date() }: AppOptions): RequestListener {
  const bookmarks = new Map<number, Bookmark>()
  let nextId = 1

  const app = express()
  app.disable('x-powered-by') // do not advertise the stack

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' })
  })

  const api = express.Router()
  api.use(requireJsonBody, express.json({ limit: 10_000 })) // 10 kB

  api.get('/bookmarks', (req, res) => {
    const tag = typeof req.query.tag === 'string' ? req.query.tag.toLowerCase() : undefined
    const items = [...bookmarks.values()].filter((b) => !tag || b.tags.includes(tag))
    res.json({ items })
  })

  api.post('/bookmarks', (req, res) => {
    const input = parseBookmark(req.body)
    const bookmark: Bookmark = { id: nextId, ...input, createdAt: now().toISOString() }
    nextId++
    bookmarks.set(bookmark.id, bookmark)
    res.status(201).location(`/api/v1/bookmarks/${bookmark.id}`).json(bookmark)
  })

  api.get('/bookmarks/:id', (req, res) => {
    const bookmark = bookmarks.get(parseId(req.params.id))
    if (!bookmark) throw new HttpError(404, 'not_found')
    res.json(bookmark)
  })

  // A route group with its own middleware, like Gin's r.Group("/admin", auth).
  const admin = express.Router()
  admin.use((req, _res, next) => {
    if (req.get('authorization') !== `Bearer ${adminToken}`) throw new HttpError(401, 'unauthorized')
    next()
  })
  admin.get('/stats', (_req, res) => {
    const tags: Record<string, number> = {}
    for (const b of bookmarks.values()) for (const t of b.tags) tags[t] = (tags[t] ?? 0) + 1
    res.json({ bookmarks: bookmarks.size, tags })
  })
  admin.delete('/bookmarks/:id', (req, res) => {
    if (!bookmarks.delete(parseId(req.params.id))) throw new HttpError(404, 'not_found')
    res.status(204).end()
  })
  api.use('/admin', admin)

  app.use('/api/v1', api)
  app.use(() => {
    throw new HttpError(404, 'not_found')
  })
  app.use(errorHandler)
  return app
}

const requireJsonBody: RequestHandler = (req, _res, next) => {
  if (req.method === 'POST' && !req.is('application/json')) throw new HttpError(415, 'unsupported_media_type')
  next()
}

// Express 5 forwards both thrown errors and rejected promises here.
const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpError) return void res.status(err.status).json({ error: err.code })
  const type = (err as { type?: string }).type
  if (type === 'entity.parse.failed') return void res.status(400).json({ error: 'invalid_json' })
  if (type === 'entity.too.large') return void res.status(413).json({ error: 'payload_too_large' })
  res.status(500).json({ error: 'internal' })
}

function parseId(raw: string | string[] | undefined): number {
  if (typeof raw !== 'string' || !/^[1-9]\d*$/.test(raw)) throw new HttpError(400, 'invalid_id')
  return Number(raw)
}

function parseBookmark(body: unknown): Omit<Bookmark, 'id' | 'createdAt'> {
  const invalid = new HttpError(400, 'invalid_body')
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid
  const { url, title, tags } = body as Record<string, unknown>
  if (typeof url !== 'string' || !URL.canParse(url)) throw invalid
  const parsed = new URL(url)
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid
  if (title !== undefined && (typeof title !== 'string' || title.trim() === '')) throw invalid
  if (tags !== undefined && (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string' && t.trim() !== ''))) throw invalid
  return {
    url,
    title: typeof title === 'string' ? title.trim() : parsed.hostname,
    tags: ((tags as string[] | undefined) ?? []).map((t) => t.trim().toLowerCase()),
  }
}
