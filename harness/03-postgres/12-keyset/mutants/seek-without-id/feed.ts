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

const encode = (p: Position) => Buffer.from(JSON.stringify([p.ts, p.id])).toString('base64url')

function decode(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && Number.isInteger(value[1]) && !Number.isNaN(Date.parse(value[0]))) {
      return { ts: value[0], id: value[1] }
    }
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
  const { rows } = cursor === undefined
    ? await db.query<Post & { ts: string }>(`SELECT ${COLUMNS} FROM posts ORDER BY created_at DESC, id DESC LIMIT $1`, [limit + 1])
    : await db.query<Post & { ts: string }>(
        // A row comparison matches the (created_at DESC, id DESC) index: one index range scan.
        `SELECT ${COLUMNS} FROM posts WHERE created_at < $1::timestamptz AND $2::int > 0 ORDER BY created_at DESC, id DESC LIMIT $3`,
        ((p) => [p.ts, p.id, limit + 1])(decode(cursor)),
      )

  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    items: page.map(({ id, title, createdAt }) => ({ id, title, createdAt })),
    nextCursor: rows.length > limit && last ? encode({ ts: last.ts, id: last.id }) : null,
  }
}
