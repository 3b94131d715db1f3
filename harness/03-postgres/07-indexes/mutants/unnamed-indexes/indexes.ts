import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

/**
 * Creates the indexes that make the four queries of README.md fast.
 * IF NOT EXISTS: deploys run it again and again.
 */
export async function createIndexes(db: Db): Promise<void> {
  // 1. Equality column first, then the sort column: the index hands rows over already
  //    ordered, so LIMIT 10 reads 10 entries and there is no Sort.
  await db.query('CREATE INDEX ON orders (customer_id, created_at)')
  // 2. Partial index: only the 1% of pending rows are indexed, so it stays tiny.
  await db.query(`CREATE INDEX ON orders (created_at) WHERE status = 'pending'`)
  // 3. GIN indexes every key/value inside the document; jsonb_path_ops serves @> only, and is smaller.
  await db.query('CREATE INDEX ON products USING gin (attrs jsonb_path_ops)')
  // 4. An expression index is used only when the query repeats the expression exactly.
  await db.query(`CREATE INDEX ON products USING gin (to_tsvector('english', description))`)
}
