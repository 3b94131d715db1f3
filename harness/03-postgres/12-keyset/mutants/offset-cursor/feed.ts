import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

export interface Post {
  id: number
  title: string
  createdAt: Date
}

export interface Page {
  items: Post[]
  /** Pass it back to get the next page; null on the last page. */
  nextCursor: string | null
}

export class InvalidCursorError extends Error {
  constructor(cursor: string) {
    super(`invalid cursor: ${JSON.stringify(cursor)}`)
    this.name = 'InvalidCursorError'
  }
}

/** The position after the last row of a page: its sort key, exactly as PostgreSQL holds it. */
interface Position {
  // created_at as PostgreSQL text: it keeps the microseconds a JS Date would drop.
  ts: string
  id: number
}

const encode = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url')

function decode(cursor: string): number {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown }
    if (Number.isInteger(value.offset) && (value.offset as number) > 0) return value.offset as number
  } catch {
    // fall through
  }
  throw new InvalidCursorError(cursor)
}

const COLUMNS = 'id, title, created_at AS "createdAt", created_at::text AS ts'

/**
 * Newest first. Keyset pagination: "the rows after this key", not "skip N rows", so rows
 * inserted at the top meanwhile shift nothing, and a deep page costs what the first one does.
 */
export async function listPosts(db: Db, opts: { limit: number; cursor?: string }): Promise<Page> {
  const { limit, cursor } = opts
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new RangeError(`limit must be an integer from 1 to 100, got ${limit}`)

  // One row more than asked tells whether a next page exists without another query.
  const offset = cursor === undefined ? 0 : decode(cursor)
  const { rows } = await db.query<Post & { ts: string }>(`SELECT ${COLUMNS} FROM posts ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2`, [limit + 1, offset])

  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(({ id, title, createdAt }) => ({ id, title, createdAt })),
    nextCursor: rows.length > limit && last ? encode(offset + limit) : null,
  }
}
