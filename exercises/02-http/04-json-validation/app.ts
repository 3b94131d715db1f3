import type { RequestListener } from 'node:http'

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

/** Validates and normalizes a decoded body: an event without id, or every field error at once. */
export function parseEvent(body: unknown): { ok: true; value: Omit<Event, 'id'> } | { ok: false; fields: FieldErrors } {
  throw new Error('TODO: check every field of the body (see README.md) and return { ok: true, value } or { ok: false, fields }\nTODO(ru): проверить каждое поле тела запроса (см. README.ru.md) и вернуть { ok: true, value } или { ok: false, fields }')
}

/** POST /events and GET /events/:id, speaking JSON (see README.md). */
export function createApp(): RequestListener {
  throw new Error('TODO: return a request listener that decodes POST /events with parseEvent and answers in JSON\nTODO(ru): вернуть обработчик запросов, который разбирает POST /events с помощью parseEvent и отвечает в JSON')
}
