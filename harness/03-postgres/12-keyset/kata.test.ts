import { beforeAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { explain, pgError, recordingDb } from '#support/postgres-katas'
import { InvalidCursorError, listPosts } from '@kata/postgres/keyset'

const pg = usePostgres()

interface Page { items: { id: number; title: string; createdAt: Date }[]; nextCursor: string | null }

beforeAll(async () => {
  await pg.pool.query(`
    CREATE TABLE posts (id serial PRIMARY KEY, title text NOT NULL, created_at timestamptz NOT NULL);
    CREATE INDEX posts_feed_idx ON posts (created_at DESC, id DESC)`)
  // 7 posts per millisecond, microseconds 0–2: ties on created_at, and timestamps that differ
  // only below the millisecond (a JS Date cannot tell them apart). Ids are shuffled against time.
  await pg.pool.query(`
    INSERT INTO posts (id, title, created_at)
    SELECT g, 'post ' || g, timestamptz '2024-03-01 12:00:00+00' + ((g * 37) % 237 / 7) * interval '1 millisecond' + (g % 3) * interval '1 microsecond'
      FROM generate_series(1, 237) AS g`)
  await pg.pool.query(`SELECT setval('posts_id_seq', 1000)`)
})

/** The feed as the database orders it right now. */
const truth = async () => (await pg.pool.query<{ id: number }>('SELECT id FROM posts ORDER BY created_at DESC, id DESC')).rows.map((r) => r.id)

/** Follows nextCursor to the end; `between` runs after each page. */
async function readAll(limit: number, between?: (page: number) => Promise<void>) {
  const db = recordingDb(pg.pool).db
  const pages: Page[] = []
  let cursor: string | undefined
  for (let i = 0; i < 500; i++) {
    const page: Page = await listPosts(db, cursor === undefined ? { limit } : { limit, cursor })
    pages.push(page)
    if (page.nextCursor === null) break
    cursor = page.nextCursor
    await between?.(i)
  }
  return pages
}

describe('listPosts(db, { limit, cursor })', () => {
  it('the first page is the newest `limit` posts (created_at DESC, then id DESC) as { id, title, createdAt }', async () => {
    const page = await listPosts(recordingDb(pg.pool).db, { limit: 5 })
    const { rows } = await pg.pool.query('SELECT id, title, created_at AS "createdAt" FROM posts ORDER BY created_at DESC, id DESC LIMIT 5')
    expect(page.items, 'listPosts(db, { limit: 5 }).items').toEqual(rows)
    expect(typeof page.nextCursor, 'typeof nextCursor of the first page').toBe('string')
  })

  it('following nextCursor visits every post once, in order, across ties and microseconds', async () => {
    const pages = await readAll(20)
    const ids = pages.flatMap((p) => p.items.map((i) => i.id))
    const want = await truth()
    const dup = ids.filter((id, i) => ids.indexOf(id) !== i)
    expect(dup.slice(0, 5), 'ids seen twice while paging 237 posts by 20').toEqual([])
    expect(ids, 'ids of all pages concatenated vs the whole feed (a cursor that keeps only milliseconds skips or repeats posts)').toEqual(want)
    expect(pages.map((p) => p.items.length), 'page sizes').toEqual([...Array.from({ length: 11 }, () => 20), 17])
  })

  it('orders ties by id descending even when PostgreSQL sorts instead of walking the index', async () => {
    // With index scans off the rows come out of a sort: only an explicit ", id DESC" orders ties.
    const noIndex = pg.newPool({ max: 1, options: '-c enable_indexscan=off -c enable_bitmapscan=off -c enable_indexonlyscan=off' })
    const ids: number[] = []
    let cursor: string | undefined
    for (let i = 0; i < 100; i++) {
      const page: Page = await listPosts(noIndex, cursor === undefined ? { limit: 30 } : { limit: 30, cursor })
      ids.push(...page.items.map((p) => p.id))
      if (page.nextCursor === null) break
      cursor = page.nextCursor
    }
    expect(ids, 'ids of all pages without the index: posts with the same created_at must come in id DESC order (ORDER BY created_at DESC, id DESC)').toEqual(await truth())
  })

  it('nextCursor is null on the last page, also when the last page is exactly full', async () => {
    const pages = await readAll(79) // 237 = 3 × 79
    expect(pages.map((p) => p.items.length), 'page sizes for limit 79 over 237 posts').toEqual([79, 79, 79])
    expect(pages.at(-1)?.nextCursor, 'nextCursor of the third, full, last page').toBeNull()
  })

  it('stays stable when new posts arrive between pages: nothing repeats, nothing is skipped', async () => {
    const before = await truth()
    let fresh = 0
    const pages = await readAll(25, async () => {
      // Five new posts at the top of the feed after every page: OFFSET would now repeat five rows.
      for (let k = 0; k < 5; k++) {
        fresh++
        await pg.pool.query(`INSERT INTO posts (title, created_at) VALUES ($1, now())`, [`fresh ${fresh}`])
      }
    })
    const ids = pages.flatMap((p) => p.items.map((i) => i.id))
    expect(ids, `ids read page by page while ${fresh} new posts were inserted at the top, vs the feed as it was when paging started`).toEqual(before)
  })

  it('rejects a cursor it did not make with InvalidCursorError, and a bad limit with RangeError', async () => {
    const db = recordingDb(pg.pool).db
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url')
    // Cursors that decode to JSON of roughly the right shape, but that listPosts never produced.
    const forged = [b64([1, 2]), b64(['2024-03-01 12:00:00+00']), b64(['2024-03-01 12:00:00+00', '5']), b64(['2024-03-01 12:00:00+00', 1.5]), b64(['not a time', 3]), b64({ offset: 20 })]
    for (const cursor of ['garbage', '', 'eyJ4IjoxfQ', "'; DROP TABLE posts; --", ...forged]) {
      expect(await pgError(listPosts(db, { limit: 10, cursor })), `listPosts(db, { limit: 10, cursor: ${JSON.stringify(cursor)} })`).toBeInstanceOf(InvalidCursorError)
    }
    for (const limit of [0, -1, 101, 2.5]) {
      expect(await pgError(listPosts(db, { limit })), `listPosts(db, { limit: ${limit} })`).toBeInstanceOf(RangeError)
    }
    expect((await listPosts(db, { limit: 100 })).items.length, 'listPosts(db, { limit: 100 }): 100 is allowed').toBe(100)
  })
})

describe('listPosts: a deep page costs what the first one does', () => {
  it('reading the page after 12 000 posts touches about one page of rows (no OFFSET, no sort of the rest)', async () => {
    await pg.pool.query(`
      INSERT INTO posts (title, created_at)
      SELECT 'old ' || g, timestamptz '2020-01-01' + g * interval '1 second' FROM generate_series(1, 20000) AS g;
      ANALYZE posts`)
    const db = recordingDb(pg.pool).db
    let cursor: string | undefined
    for (let i = 0; i < 120; i++) cursor = (await listPosts(db, cursor === undefined ? { limit: 100 } : { limit: 100, cursor })).nextCursor ?? undefined
    expect(cursor, 'a cursor after 120 pages of 100').toBeTypeOf('string')

    const rec = recordingDb(pg.pool)
    const page = await listPosts(rec.db, { limit: 20, cursor })
    const want = (await truth()).slice(12_000, 12_020)
    expect(page.items.map((p: { id: number }) => p.id), 'ids of the page after 12 000 posts').toEqual(want)
    const q = rec.queries.at(-1)!
    const plan = await explain(pg.pool, q.text, q.values ?? [], { analyze: true })
    const touched = plan.nodes
      .filter((n) => n['Relation Name'] === 'posts' || /Index/.test(n['Node Type']))
      .reduce((s, n) => Math.max(s, (Number(n['Actual Rows'] ?? 0) + Number(n['Rows Removed by Filter'] ?? 0)) * Number(n['Actual Loops'] ?? 1)), 0)
    expect(touched, `rows read from posts for a page of 20 after 12 000 posts (OFFSET, or a WHERE the index cannot seek with, reads every row before the page); your plan:\n${plan.text}\n`).toBeLessThanOrEqual(3 * 21)
  })
})
