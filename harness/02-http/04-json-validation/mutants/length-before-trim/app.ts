import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'

export interface Event {
  id: string
  title: string
  /** UTC, as `Date.prototype.toISOString()` prints it. */
  startsAt: string
  seats: number
  tags: string[]
  organizer: { name: string; email: string }
}

/** Why a field was rejected. */
export type ErrorCode = 'required' | 'type' | 'length' | 'range' | 'format' | 'unknown'

/** Field path (`title`, `organizer.email`, `tags[1]`, `$` for the body itself) → code. */
export type FieldErrors = Record<string, ErrorCode>

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** Validates and normalizes a decoded body: an event without id, or every field error at once. */
export function parseEvent(body: unknown): { ok: true; value: Omit<Event, 'id'> } | { ok: false; fields: FieldErrors } {
  const fields: FieldErrors = {}
  if (!isObject(body)) return { ok: false, fields: { $: 'type' } }
  unknownKeys(body, ['title', 'startsAt', 'seats', 'tags', 'organizer'], '', fields)

  const title = text(body.title, 'title', 100, fields)
  const startsAt = date(body.startsAt, 'startsAt', fields)

  let seats: number | undefined
  if (body.seats === undefined || body.seats === null) fields.seats = 'required'
  else if (typeof body.seats !== 'number' || !Number.isInteger(body.seats)) fields.seats = 'type'
  else if (body.seats < 1 || body.seats > 10_000) fields.seats = 'range'
  else seats = body.seats

  const tags: string[] = []
  if (body.tags !== undefined && body.tags !== null) {
    if (!Array.isArray(body.tags)) fields.tags = 'type'
    else if (body.tags.length > 5) fields.tags = 'length'
    else body.tags.forEach((t, i) => {
      const tag = text(t, `tags[${i}]`, 20, fields)
      if (tag !== undefined) tags.push(tag)
    })
  }

  let organizer: Event['organizer'] | undefined
  const o = body.organizer
  if (o === undefined || o === null) fields.organizer = 'required'
  else if (!isObject(o)) fields.organizer = 'type'
  else {
    unknownKeys(o, ['name', 'email'], 'organizer.', fields)
    const name = text(o.name, 'organizer.name', 50, fields)
    let email: string | undefined
    if (o.email === undefined || o.email === null) fields['organizer.email'] = 'required'
    else if (typeof o.email !== 'string') fields['organizer.email'] = 'type'
    else if (!EMAIL.test(o.email.trim())) fields['organizer.email'] = 'format'
    else email = o.email.trim().toLowerCase()
    if (name !== undefined && email !== undefined) organizer = { name, email }
  }

  if (Object.keys(fields).length > 0 || title === undefined || startsAt === undefined || seats === undefined || !organizer) {
    return { ok: false, fields }
  }
  return { ok: true, value: { title, startsAt, seats, tags, organizer } }
}

export function createApp(): RequestListener {
  const events = new Map<string, Event>()
  return (req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: 'internal' }))
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://local').pathname
    const one = /^\/events\/([^/]+)$/.exec(path)
    if (req.method === 'GET' && one) {
      const event = events.get(decodeURIComponent(one[1]!))
      return event ? send(res, 200, event) : send(res, 404, { error: 'not_found' })
    }
    if (req.method !== 'POST' || path !== '/events') return send(res, 404, { error: 'not_found' })

    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    let body: unknown
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    } catch {
      return send(res, 400, { error: 'invalid_json' })
    }
    const parsed = parseEvent(body)
    if (!parsed.ok) return send(res, 400, { error: 'validation', fields: parsed.fields })
    const event: Event = { id: randomUUID(), ...parsed.value }
    events.set(event.id, event)
    res.setHeader('Location', `/events/${event.id}`)
    send(res, 201, event)
  }
}

function text(value: unknown, path: string, max: number, fields: FieldErrors): string | undefined {
  if (value === undefined || value === null) fields[path] = 'required'
  else if (typeof value !== 'string') fields[path] = 'type'
  else if (value.trim().length < 1 || value.length > max) fields[path] = 'length'
  else return value.trim()
  return undefined
}

function date(value: unknown, path: string, fields: FieldErrors): string | undefined {
  if (value === undefined || value === null) {
    fields[path] = 'required'
    return undefined
  }
  if (typeof value !== 'string') {
    fields[path] = 'type'
    return undefined
  }
  const m = ISO.exec(value)
  // Date.parse rolls "02-30" over to March: check the calendar ourselves.
  const [y, mo, d, h, mi, s] = (m?.slice(1, 7) ?? []).map((x) => Number(x ?? 0))
  const daysInMonth = m ? new Date(Date.UTC(y!, mo!, 0)).getUTCDate() : 0
  if (!m || mo! < 1 || mo! > 12 || d! < 1 || d! > daysInMonth || h! > 23 || mi! > 59 || s! > 59) {
    fields[path] = 'format'
    return undefined
  }
  return new Date(value).toISOString()
}

function unknownKeys(obj: Record<string, unknown>, known: string[], prefix: string, fields: FieldErrors) {
  for (const key of Object.keys(obj)) if (!known.includes(key)) fields[`${prefix}${key}`] = 'unknown'
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function send(res: ServerResponse, status: number, body: unknown) {
  const json = JSON.stringify(body)
  // Content-Length counts bytes, not UTF-16 code units: "🚀".length is 2, its UTF-8 is 4 bytes.
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(json) })
  res.end(json)
}
