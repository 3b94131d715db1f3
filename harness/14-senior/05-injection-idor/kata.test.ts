import type { Express } from 'express'
import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { attempt, listen, recordingDb, type RecordedQuery } from '#support/senior'
import { createApp } from '@kata/senior/injection-idor'

const pgx = usePostgres()

const ALICE = 1
const BOB = 2
const BOB_TITLE = 'Bob: salary review 2026'
const BOB_BODY = 'bob-secret-body-7f3a: raise to 9000'

interface Doc {
  id: number
  ownerId: number
  title: string
  body: string
  createdAt: string
}

let base = ''
let queries: RecordedQuery[] = []
/** Ids of the seeded documents, by title. */
let ids = new Map<string, number>()

const ALICE_DOCS = ['roadmap q3', 'Plan_B', '100% done', 'plain notes', 'Quarterly PLAN']

/** A fresh schema and data before every test: an attack that got through cannot spoil the next test. */
async function seed() {
  await pgx.pool.query(`
    DROP TABLE IF EXISTS documents;
    DROP TABLE IF EXISTS users;
    CREATE TABLE users (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE documents (
      id serial PRIMARY KEY,
      owner_id int NOT NULL REFERENCES users,
      title text NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now());
    INSERT INTO users VALUES (1, 'Alice'), (2, 'Bob'), (3, 'Mallory');`)
  const rows: [number, string, string][] = [
    [ALICE, ALICE_DOCS[0]!, 'alice body 0'],
    [BOB, BOB_TITLE, BOB_BODY],
    ...ALICE_DOCS.slice(1).map((t, i): [number, string, string] => [ALICE, t, `alice body ${i + 1}`]),
    [BOB, 'Bob: plan for the offsite', 'bob-offsite-body'],
  ]
  ids = new Map()
  for (const [i, [owner, title, body]] of rows.entries()) {
    const { rows: r } = await pgx.pool.query(`INSERT INTO documents (owner_id, title, body, created_at) VALUES ($1, $2, $3, timestamptz '2026-01-01' + $4 * interval '1 hour') RETURNING id`, [owner, title, body, i])
    ids.set(title, r[0].id)
  }
}

beforeAll(async () => {
  await seed()
  const rec = recordingDb(pgx.pool)
  queries = rec.queries
  const app = attempt('createApp({ db })', () => createApp({ db: rec.db }) as Express)
  base = (await listen(app)).url
})

beforeEach(async () => {
  await seed()
  queries.length = 0
})

async function call(method: string, path: string, user: number | string | undefined, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
  const headers: Record<string, string> = {}
  if (user !== undefined) headers['x-user-id'] = String(user)
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, text }
}

const who = (user: number | string | undefined) => (user === ALICE ? 'Alice' : user === BOB ? 'Bob' : `x-user-id ${JSON.stringify(user)}`)
const titles = (body: unknown) => (Array.isArray(body) ? (body as Doc[]).map((d) => d.title) : body)

async function dbRow(id: number) {
  const { rows } = await pgx.pool.query('SELECT owner_id, title, body FROM documents WHERE id = $1', [id])
  return rows[0] as { owner_id: number; title: string; body: string } | undefined
}

/** Alice's seeded documents whose title contains `q` ignoring case, newest first. */
const aliceMatching = (q: string) =>
  ALICE_DOCS.filter((t) => t.toLowerCase().includes(q.toLowerCase()))
    .sort((a, b) => ids.get(b)! - ids.get(a)!)

describe('the API still works for the owner, and only for the owner', () => {
  it('creates, reads, updates and deletes your own document; the owner comes from x-user-id, never from the body', async () => {
    const created = await call('POST', '/documents', ALICE, { title: 'Draft', body: 'first words', ownerId: BOB, owner_id: BOB })
    expect(created.status, 'Alice: POST /documents { title: "Draft", body, ownerId: 2 }: status').toBe(201)
    const doc = created.body as Doc
    expect([doc.ownerId, doc.title, doc.body], 'Alice: the created document: [ownerId, title, body] (ownerId: 2 in the body is ignored)').toEqual([ALICE, 'Draft', 'first words'])
    expect((await dbRow(doc.id))?.owner_id, 'owner of that document in the database').toBe(ALICE)
    expect((await call('GET', `/documents/${doc.id}`, ALICE)).body, `Alice: GET /documents/${doc.id}`).toMatchObject({ id: doc.id, title: 'Draft' })
    const patched = await call('PATCH', `/documents/${doc.id}`, ALICE, { body: 'second draft', ownerId: BOB, owner_id: BOB })
    expect([patched.status, (patched.body as Doc).title, (patched.body as Doc).body], `Alice: PATCH /documents/${doc.id} { body: "second draft", ownerId: 2 }: [status, title, body]`).toEqual([200, 'Draft', 'second draft'])
    expect((await dbRow(doc.id))?.owner_id, `owner of document ${doc.id} after PATCH { ownerId: 2 }`).toBe(ALICE)
    expect((await call('DELETE', `/documents/${doc.id}`, ALICE)).status, `Alice: DELETE /documents/${doc.id}: status`).toBe(204)
    expect((await call('GET', `/documents/${doc.id}`, ALICE)).status, `Alice: GET /documents/${doc.id} after deleting it: status`).toBe(404)
  })

  it('lists only your documents: newest first by default, by title on request, filtered by q ignoring case; other sort columns are 400', async () => {
    const all = await call('GET', '/documents', ALICE)
    expect([all.status, titles(all.body)], 'Alice: GET /documents: [status, titles]').toEqual([200, aliceMatching('')])
    const { rows } = await pgx.pool.query(`SELECT title FROM documents WHERE owner_id = 1 ORDER BY title ASC, id ASC`)
    expect(titles((await call('GET', '/documents?sort=title&order=asc', ALICE)).body), 'Alice: GET /documents?sort=title&order=asc: titles').toEqual(rows.map((r) => r.title))
    expect(titles((await call('GET', '/documents?sort=created_at&order=asc', ALICE)).body), 'Alice: GET /documents?sort=created_at&order=asc: titles').toEqual([...aliceMatching('')].reverse())
    expect(titles((await call('GET', '/documents?q=plan', ALICE)).body), 'Alice: GET /documents?q=plan: titles').toEqual(aliceMatching('plan'))
    for (const qs of ['sort=owner_id', 'sort=body', 'order=sideways']) {
      expect((await call('GET', `/documents?${qs}`, ALICE)).status, `Alice: GET /documents?${qs}: status (only the listed values are allowed)`).toBe(400)
    }
  })

  it('answers 401 when x-user-id is missing or is not a user id', async () => {
    for (const user of [undefined, '', 'abc', '0', '1 OR 1=1', '1; DROP TABLE documents']) {
      const res = await call('GET', '/documents', user)
      expect(res.status, `GET /documents with ${user === undefined ? 'no x-user-id' : `x-user-id ${JSON.stringify(user)}`}: status`).toBe(401)
    }
    expect(await pgx.pool.query(`SELECT to_regclass('documents') AS t`).then((r) => r.rows[0].t), 'the documents table after those requests (null: it was dropped)').toBe('documents')
  })
})

describe('broken access control: one user cannot reach another user\'s documents', () => {
  const denied = (status: number) => status === 404 || status === 403

  it("Alice cannot read Bob's document: 404 (or 403), and nothing of it in the response", async () => {
    const id = ids.get(BOB_TITLE)!
    const res = await call('GET', `/documents/${id}`, ALICE)
    expect(denied(res.status), `Alice: GET /documents/${id} (Bob's): status ${res.status}, should be 404 or 403`).toBe(true)
    expect(res.text.includes(BOB_BODY) || res.text.includes(BOB_TITLE), `Alice: GET /documents/${id} (Bob's): the response must not contain Bob's title or body, got ${res.text}`).toBe(false)
    expect((await call('GET', `/documents/${id}`, BOB)).status, `Bob: GET /documents/${id} (his own): status`).toBe(200)
  })

  it("Alice cannot change or delete Bob's document; it stays as it was", async () => {
    const id = ids.get(BOB_TITLE)!
    const patch = await call('PATCH', `/documents/${id}`, ALICE, { title: 'pwned', body: 'pwned' })
    expect(denied(patch.status), `Alice: PATCH /documents/${id} (Bob's): status ${patch.status}, should be 404 or 403`).toBe(true)
    expect(patch.text.includes(BOB_BODY), `Alice: PATCH /documents/${id} (Bob's): the response must not contain Bob's body`).toBe(false)
    const del = await call('DELETE', `/documents/${id}`, ALICE)
    expect(denied(del.status), `Alice: DELETE /documents/${id} (Bob's): status ${del.status}, should be 404 or 403`).toBe(true)
    expect(await dbRow(id), `Bob's document ${id} in the database after Alice's PATCH and DELETE`).toEqual({ owner_id: BOB, title: BOB_TITLE, body: BOB_BODY })
  })

  it('walking through every id, Alice gets only her own documents', async () => {
    const max = Math.max(...ids.values()) + 2
    const got: number[] = []
    for (let id = 1; id <= max; id++) {
      const res = await call('GET', `/documents/${id}`, ALICE)
      if (res.status === 200) got.push(id)
      expect(res.text.includes('bob-'), `Alice: GET /documents/${id}: the response contains Bob's data: ${res.text}`).toBe(false)
    }
    expect(got.sort((a, b) => a - b), `ids Alice could read among 1…${max}`).toEqual(ALICE_DOCS.map((t) => ids.get(t)!).sort((a, b) => a - b))
  })
})

const HOSTILE_SEARCHES = [
  "' OR '1'='1",
  "%' OR owner_id <> 0 OR title ILIKE '%",
  "'; DROP TABLE documents; --",
  "' UNION SELECT id, owner_id, title, body, created_at FROM documents --",
  "'; UPDATE documents SET owner_id = 1; --",
  "'; SELECT pg_sleep(2); --",
  "\\' OR 1=1 --",
]

describe('SQL injection: input is data, never SQL', () => {
  it('hostile search text is searched for literally: 200, only your documents, the table intact', async () => {
    for (const q of HOSTILE_SEARCHES) {
      const path = `/documents?q=${encodeURIComponent(q)}`
      const res = await call('GET', path, ALICE)
      expect([res.status, titles(res.body)], `Alice: GET ${path} (q = ${q}): [status, titles]`).toEqual([200, []])
    }
    const { rows } = await pgx.pool.query('SELECT owner_id, count(*)::int AS n FROM documents GROUP BY owner_id ORDER BY owner_id')
    expect(rows, 'documents per owner after the hostile searches').toEqual([
      { owner_id: ALICE, n: ALICE_DOCS.length },
      { owner_id: BOB, n: 2 },
    ])
  })

  it('hostile text reaches PostgreSQL as a parameter: it never appears inside the SQL text', async () => {
    for (const q of HOSTILE_SEARCHES) await call('GET', `/documents?q=${encodeURIComponent(q)}`, ALICE)
    await call('POST', '/documents', ALICE, { title: "x'); DELETE FROM documents; --", body: "'; DROP TABLE users; --" })
    expect(queries.length, 'queries your app sent').toBeGreaterThan(0)
    const leaked = queries.filter((qq) => HOSTILE_SEARCHES.some((h) => qq.text.includes(h.slice(0, 12))) || qq.text.includes('DELETE FROM documents; --'))
    expect(leaked.map((qq) => qq.text).slice(0, 2), 'SQL texts that contain the request\'s input (build the query with $1, $2… and pass the values separately)').toEqual([])
  })

  it("quotes are just characters: a title like O'Brien's \"plan\" is stored and found", async () => {
    const title = `O'Brien's "plan"; -- v2`
    const created = await call('POST', '/documents', ALICE, { title, body: "it's fine" })
    expect([created.status, (created.body as Doc).title], `Alice: POST /documents { title: ${title} }: [status, title]`).toEqual([201, title])
    const found = await call('GET', `/documents?q=${encodeURIComponent("o'brien")}`, ALICE)
    expect([found.status, titles(found.body)], `Alice: GET /documents?q=o'brien: [status, titles]`).toEqual([200, [title]])
  })

  it('% and _ in the search are literal characters, not wildcards', async () => {
    for (const q of ['100%', '%', '_', 'n_b', 'plan_']) {
      const path = `/documents?q=${encodeURIComponent(q)}`
      expect(titles((await call('GET', path, ALICE)).body), `Alice: GET ${path} (q = ${q}): titles`).toEqual(aliceMatching(q))
    }
  })

  it('a backslash in the search is a literal character too (LIKE reads it as its escape character)', async () => {
    const created = await call('POST', '/documents', ALICE, { title: 'copy C:\\new\\x to the share', body: 'paths' })
    expect(created.status, 'Alice: POST /documents with a backslash in the title: status').toBe(201)
    for (const q of ['\\n', ':\\', '\\']) {
      const path = `/documents?q=${encodeURIComponent(q)}`
      expect(
        titles((await call('GET', path, ALICE)).body),
        `Alice: GET ${path} (q = ${q}): titles. With LIKE, a backslash escapes the next character unless it is escaped itself; escape \\ before % and _ (or search with strpos)`,
      ).toEqual(['copy C:\\new\\x to the share'])
    }
  })

  it('sort and order accept only their listed values: anything else is 400 and runs nothing', async () => {
    for (const qs of [
      `sort=${encodeURIComponent('title; DROP TABLE documents')}`,
      `sort=${encodeURIComponent('(SELECT 1)')}`,
      `sort=${encodeURIComponent('created_at desc, (SELECT pg_sleep(1))')}`,
      `sort=${encodeURIComponent("(CASE WHEN (SELECT count(*) FROM users) > 2 THEN title ELSE body END)")}`,
      `order=${encodeURIComponent('desc; DROP TABLE documents')}`,
      `order=${encodeURIComponent('desc, (SELECT 1)')}`,
    ]) {
      const res = await call('GET', `/documents?${qs}`, ALICE)
      expect(res.status, `Alice: GET /documents?${decodeURIComponent(qs)}: status`).toBe(400)
    }
    expect(await pgx.pool.query(`SELECT to_regclass('documents') AS t`).then((r) => r.rows[0].t), 'the documents table after those requests (null: it was dropped)').toBe('documents')
  })

  it('a path id that is not a number is 404 (or 400), never a query', async () => {
    const bob = ids.get(BOB_TITLE)!
    for (const raw of ['1 OR 1=1', `0 OR owner_id=${BOB}`, `${bob} AND 1=1`, '1; DELETE FROM documents', '-1']) {
      for (const method of ['GET', 'PATCH', 'DELETE']) {
        const res = await call(method, `/documents/${encodeURIComponent(raw)}`, ALICE, method === 'PATCH' ? { title: 'pwned' } : undefined)
        expect([404, 400].includes(res.status), `Alice: ${method} /documents/${raw}: status ${res.status}, should be 404 or 400`).toBe(true)
        expect(res.text.includes('bob-'), `Alice: ${method} /documents/${raw}: the response contains Bob's data`).toBe(false)
      }
    }
    const { rows } = await pgx.pool.query(`SELECT count(*)::int AS n, count(*) FILTER (WHERE title = 'pwned')::int AS pwned FROM documents`)
    expect(rows[0], 'documents left, and documents retitled "pwned", after those requests').toEqual({ n: ALICE_DOCS.length + 2, pwned: 0 })
  })
})
