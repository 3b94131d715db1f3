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

/** Newest first (created_at DESC, id DESC), `limit` posts a page, resumed from `cursor`. */
export async function listPosts(db: Db, opts: { limit: number; cursor?: string }): Promise<Page> {
  throw new Error('TODO: listPosts — keyset pagination: WHERE (created_at, id) < (cursor) ORDER BY created_at DESC, id DESC LIMIT …\nTODO(ru): listPosts — пагинация по ключу: WHERE (created_at, id) < (cursor) ORDER BY created_at DESC, id DESC LIMIT …')
}
