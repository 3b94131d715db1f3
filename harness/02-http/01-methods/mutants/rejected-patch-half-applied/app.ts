import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'

export interface Book {
  id: string
  title: string
  author: string
  year?: number
}

/** The fields a client may send: everything but the id, which the URL owns. */
type BookFields = Omit<Book, 'id'>

/**
 * A Books API on plain node:http. Each call returns a fresh app with its own
 * in-memory collection.
 */
export function createApp(): RequestListener {
  const books = new Map<string, Book>() // a Map keeps insertion order: the list order

  return (req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: 'internal' }))
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://local').pathname
    const match = /^\/books(?:\/([^/]+))?$/.exec(path)
    if (!match) return send(res, 404, { error: 'not_found' })
    const id = match[1] === undefined ? undefined : decodeURIComponent(match[1])

    if (id === undefined) {
      if (req.method === 'GET') return send(res, 200, [...books.values()])
      if (req.method === 'POST') {
        const body = await readJson(req)
        const fields = body.ok ? validate(body.value) : undefined
        if (!fields) return send(res, 400, { error: 'invalid_body' })
        const book: Book = { id: randomUUID(), ...fields }
        books.set(book.id, book)
        res.setHeader('Location', `/books/${book.id}`)
        return send(res, 201, book)
      }
      return send(res, 405, { error: 'method_not_allowed' })
    }

    const existing = books.get(id)
    switch (req.method) {
      case 'GET':
        return existing ? send(res, 200, existing) : send(res, 404, { error: 'not_found' })
      case 'PUT': {
        // PUT stores the whole representation at this URI: create or replace.
        const body = await readJson(req)
        const fields = body.ok ? validate(body.value) : undefined
        if (!fields) return send(res, 400, { error: 'invalid_body' })
        const book: Book = { id, ...fields }
        books.set(id, book)
        if (existing) return send(res, 200, book)
        res.setHeader('Location', `/books/${encodeURIComponent(id)}`)
        return send(res, 201, book)
      }
      case 'PATCH': {
        // JSON Merge Patch (RFC 7396): absent keeps, a value replaces, null removes.
        if (!existing) return send(res, 404, { error: 'not_found' })
        const body = await readJson(req)
        if (!body.ok || !isObject(body.value)) return send(res, 400, { error: 'invalid_body' })
        const merged: Record<string, unknown> = existing // edits the stored book in place
        for (const [key, value] of Object.entries(body.value)) {
          if (key === 'id') continue
          if (value === null) delete merged[key]
          else merged[key] = value
        }
        delete merged.id
        const fields = validate(merged)
        if (!fields) return send(res, 400, { error: 'invalid_body' })
        const book: Book = { id, ...fields }
        books.set(id, book)
        return send(res, 200, book)
      }
      case 'DELETE':
        if (!existing) return send(res, 404, { error: 'not_found' })
        books.delete(id)
        res.statusCode = 204
        return void res.end()
      default:
        return send(res, 405, { error: 'method_not_allowed' })
    }
  }
}

function validate(value: unknown): BookFields | undefined {
  if (!isObject(value)) return undefined
  const { title, author, year } = value
  if (typeof title !== 'string' || title.trim() === '') return undefined
  if (typeof author !== 'string' || author.trim() === '') return undefined
  if (year !== undefined && !Number.isInteger(year)) return undefined
  const fields: BookFields = { title, author }
  if (typeof year === 'number') fields.year = year
  return fields
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

async function readJson(req: IncomingMessage): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) }
  } catch {
    return { ok: false }
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}
