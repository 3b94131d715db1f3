import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'

export interface Note {
  id: string
  title: string
  body: string
  tags: string[]
  createdAt: string
  updatedAt: string
}

export interface AppOptions {
  /** The clock in ms (default Date.now); the suite moves it by hand. */
  now?: () => number
}

type FieldErrors = Record<string, 'required' | 'type' | 'length' | 'format' | 'unknown'>

interface Stored {
  note: Note
  /** Bumped on every change: the ETag. */
  version: number
}

const TAG = /^[a-z0-9-]{1,30}$/

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error))
  }
}

export function createApp({ now = Date.now }: AppOptions = {}): RequestListener {
  const notes = new Map<string, Stored>()

  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpError) send(res, err.status, err.body)
      else send(res, 500, { error: 'internal' })
    })
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://local')
    const one = /^\/notes\/([^/]+)$/.exec(url.pathname)

    if (url.pathname === '/notes' && req.method === 'GET') return send(res, 200, { items: list(url.searchParams) })
    if (url.pathname === '/tags' && req.method === 'GET') return send(res, 200, { items: tagCounts() })
    if (url.pathname === '/notes' && req.method === 'POST') {
      const input = validate(await readJson(req), true)
      const at = new Date(now()).toISOString()
      const note: Note = { id: randomUUID(), title: input.title!, body: input.body ?? '', tags: input.tags ?? [], createdAt: at, updatedAt: at }
      const stored = { note, version: 1 }
      notes.set(note.id, stored)
      res.setHeader('Location', `/notes/${note.id}`)
      res.setHeader('ETag', etag(stored))
      return send(res, 201, note)
    }
    if (!one) throw new HttpError(404, { error: 'not_found' })

    const stored = notes.get(decodeURIComponent(one[1]!))
    if (!['GET', 'PATCH', 'DELETE'].includes(req.method ?? '')) throw new HttpError(404, { error: 'not_found' })
    if (!stored) throw new HttpError(404, { error: 'not_found' })

    if (req.method === 'GET') {
      res.setHeader('ETag', etag(stored))
      if (matches(req.headers['if-none-match'], stored)) {
        res.statusCode = 304
        return void res.end()
      }
      return send(res, 200, stored.note)
    }

    // Optimistic concurrency: a write based on a stale version must not win.
    const ifMatch = req.headers['if-match']
    if (ifMatch !== undefined && !matches(ifMatch, stored)) throw new HttpError(412, { error: 'precondition_failed' })

    if (req.method === 'DELETE') {
      notes.delete(stored.note.id)
      res.statusCode = 204
      return void res.end()
    }
    const patch = validate(await readJson(req), false)
    stored.note = {
      ...stored.note,
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.body !== undefined && { body: patch.body }),
      ...(patch.tags !== undefined && { tags: patch.tags }),
      updatedAt: new Date(now()).toISOString(),
    }
    stored.version++
    res.setHeader('ETag', etag(stored))
    send(res, 200, stored.note)
  }

  function list(params: URLSearchParams): Note[] {
    const tags = params.getAll('tag').map((t) => t.trim().toLowerCase())
    const q = params.get('q')?.trim().toLowerCase()
    return [...notes.values()]
      .map((s) => s.note)
      .filter((n) => tags.every((t) => n.tags.includes(t)))
      .filter((n) => !q || n.title.toLowerCase().includes(q) || n.body.toLowerCase().includes(q))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.createdAt.localeCompare(a.createdAt))
  }

  function tagCounts() {
    const counts = new Map<string, number>()
    for (const { note } of notes.values()) for (const t of note.tags) counts.set(t, (counts.get(t) ?? 0) + 1)
    return [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag))
  }
}

const etag = (s: Stored) => `"${s.note.id}.${s.version}"`

/** If-Match / If-None-Match: a comma-separated list of ETags, or "*". */
function matches(header: string | undefined, stored: Stored): boolean {
  if (header === undefined) return false
  return header.split(',').some((t) => t.trim() === '*' || t.trim() === etag(stored))
}

function validate(body: unknown, creating: boolean): Partial<Pick<Note, 'title' | 'body' | 'tags'>> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, { error: 'validation', fields: { $: 'type' } })
  const input = body as Record<string, unknown>
  const fields: FieldErrors = {}
  const out: Partial<Pick<Note, 'title' | 'body' | 'tags'>> = {}
  for (const key of Object.keys(input)) if (!['title', 'body', 'tags'].includes(key)) fields[key] = 'unknown'

  if (input.title === undefined || input.title === null) {
    if (creating || input.title === null) fields.title = 'required'
  } else if (typeof input.title !== 'string') fields.title = 'type'
  else if (input.title.trim().length < 1 || input.title.trim().length > 200) fields.title = 'length'
  else out.title = input.title.trim()

  if (input.body !== undefined) {
    if (typeof input.body !== 'string') fields.body = 'type'
    else if (input.body.length > 10_000) fields.body = 'length'
    else out.body = input.body
  }

  if (input.tags !== undefined) {
    if (!Array.isArray(input.tags)) fields.tags = 'type'
    else if (input.tags.length >= 10) fields.tags = 'length'
    else {
      const tags: string[] = []
      input.tags.forEach((t, i) => {
        if (typeof t !== 'string') fields[`tags[${i}]`] = 'type'
        else if (!TAG.test(t.trim().toLowerCase())) fields[`tags[${i}]`] = 'format'
        else if (!tags.includes(t.trim().toLowerCase())) tags.push(t.trim().toLowerCase())
      })
      out.tags = tags
    }
  }
  if (Object.keys(fields).length) throw new HttpError(400, { error: 'validation', fields })
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
