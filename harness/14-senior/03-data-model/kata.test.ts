import { beforeAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { attemptAsync, explain, indexScans, pgError, seqScansOn, type Plan } from '#support/senior'
import { migrate } from '@kata/senior/data-model'

const pgx = usePostgres()
const q = (text: string, values: unknown[] = []) => pgx.pool.query(text, values)

beforeAll(async () => {
  await attemptAsync('migrate(db) on an empty database', () => migrate(pgx.pool))
})

let seq = 0
/** A unique suffix, so each test's rows never meet another test's. */
const uniq = () => `${++seq}-${Math.random().toString(36).slice(2, 7)}`

async function member(email = `m${uniq()}@example.com`): Promise<number> {
  const what = `INSERT INTO members (email, name) VALUES ('${email}', 'Member') RETURNING id`
  const { rows } = await attemptAsync(what, () => q('INSERT INTO members (email, name) VALUES ($1, $2) RETURNING id', [email, 'Member']))
  return Number(rows[0].id)
}

async function room(capacity = 8): Promise<number> {
  const name = `Room ${uniq()}`
  const what = `INSERT INTO rooms (name, capacity) VALUES ('${name}', ${capacity}) RETURNING id`
  const { rows } = await attemptAsync(what, () => q('INSERT INTO rooms (name, capacity) VALUES ($1, $2) RETURNING id', [name, capacity]))
  return Number(rows[0].id)
}

interface B {
  room: number
  member: number
  from: string
  to: string
  attendees?: number
  status?: string
}
const BOOK = 'INSERT INTO bookings (room_id, member_id, starts_at, ends_at, attendees) VALUES ($1, $2, $3, $4, $5) RETURNING id'
const BOOK_WITH_STATUS = 'INSERT INTO bookings (room_id, member_id, starts_at, ends_at, attendees, status) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id'
const at = (hhmm: string) => `2026-03-02T${hhmm}:00Z`
const book = (b: B) =>
  b.status === undefined ? q(BOOK, [b.room, b.member, b.from, b.to, b.attendees ?? 2]) : q(BOOK_WITH_STATUS, [b.room, b.member, b.from, b.to, b.attendees ?? 2, b.status])
const show = (b: B) => `booking of room ${b.room} ${b.from.slice(11, 16)}–${b.to.slice(11, 16)}${b.attendees !== undefined ? `, attendees ${b.attendees}` : ''}${b.status !== undefined ? `, status '${b.status}'` : ''}`

/** The statement must fail on a constraint of your schema (not because a column is missing). */
async function expectRejected(p: Promise<unknown>, what: string) {
  const err = await pgError(p)
  expect(err, `${what}: should be rejected by the database, but it was accepted`).toBeDefined()
  expect(err!.code?.startsWith('42') || err!.code?.startsWith('08'), `${what}: failed with ${err!.code} "${err!.message}" — the statement itself is wrong for your schema (check the table and column names in README.md), it was not a constraint that refused the data`).toBe(false)
}

async function expectAccepted(p: Promise<unknown>, what: string) {
  const err = await pgError(p)
  expect(err && `${err.code} ${err.message}`, `${what}: should be accepted`).toBeUndefined()
}

describe('migrate(db): good data goes in', () => {
  it('stores a member, a room and a booking; ids, status and created_at come from the database', async () => {
    const m = await member('Grace.Hopper@Example.com')
    const r = await room(6)
    const { rows } = await attemptAsync('INSERT INTO bookings (room_id, member_id, starts_at, ends_at, attendees) … RETURNING *', () =>
      q('INSERT INTO bookings (room_id, member_id, starts_at, ends_at, attendees) VALUES ($1, $2, $3, $4, $5) RETURNING *', [r, m, at('09:00'), at('10:30'), 4]),
    )
    const b = rows[0]
    expect(b.id, 'bookings.id of the new row').not.toBeNull()
    expect(b.status, "bookings.status when none is given (default 'active')").toBe('active')
    expect(b.created_at instanceof Date, 'bookings.created_at when none is given (a timestamptz, default now())').toBe(true)
    expect([new Date(b.starts_at).toISOString(), new Date(b.ends_at).toISOString()], 'starts_at, ends_at read back (timestamptz)').toEqual(['2026-03-02T09:00:00.000Z', '2026-03-02T10:30:00.000Z'])
    const { rows: ms } = await q('SELECT email, name, created_at FROM members WHERE id = $1', [m])
    expect(ms[0]?.email, 'members.email keeps the case it was written in').toBe('Grace.Hopper@Example.com')
    expect(ms[0]?.created_at instanceof Date, 'members.created_at when none is given').toBe(true)
    const { rows: types } = await q(
      `SELECT table_name || '.' || column_name AS col, data_type FROM information_schema.columns
        WHERE table_schema = current_schema() AND (table_name, column_name) IN (('bookings', 'starts_at'), ('bookings', 'ends_at'), ('bookings', 'created_at'), ('members', 'created_at'))
        ORDER BY 1`,
      [],
    )
    expect(
      Object.fromEntries(types.map((t: { col: string; data_type: string }) => [t.col, t.data_type])),
      'column types: a timestamp without time zone is read in whatever zone the session has, so an instant is not an instant',
    ).toEqual({ 'bookings.created_at': 'timestamp with time zone', 'bookings.ends_at': 'timestamp with time zone', 'bookings.starts_at': 'timestamp with time zone', 'members.created_at': 'timestamp with time zone' })
  })
})

describe('migrate(db): the invariants reject bad data', () => {
  it('a member needs an email and a name; emails are unique ignoring case', async () => {
    await expectRejected(q('INSERT INTO members (email, name) VALUES (NULL, $1)', ['No Email']), 'a member without an email')
    await expectRejected(q('INSERT INTO members (email, name) VALUES ($1, NULL)', [`x${uniq()}@example.com`]), 'a member without a name')
    const email = `Ada.${uniq()}@Example.com`
    await member(email)
    await expectRejected(q('INSERT INTO members (email, name) VALUES ($1, $2)', [email, 'Twin']), `a second member with the email ${email}`)
    await expectRejected(q('INSERT INTO members (email, name) VALUES ($1, $2)', [email.toLowerCase(), 'Twin']), `a member with ${email.toLowerCase()} when ${email} exists`)
  })

  it('a room has a unique name and a capacity of at least 1', async () => {
    await expectRejected(q('INSERT INTO rooms (name, capacity) VALUES ($1, 0)', [`Zero ${uniq()}`]), 'a room with capacity 0')
    await expectRejected(q('INSERT INTO rooms (name, capacity) VALUES ($1, -3)', [`Negative ${uniq()}`]), 'a room with capacity -3')
    await expectRejected(q('INSERT INTO rooms (name, capacity) VALUES ($1, NULL)', [`Null ${uniq()}`]), 'a room without a capacity')
    const name = `Atrium ${uniq()}`
    await expectAccepted(q('INSERT INTO rooms (name, capacity) VALUES ($1, 10)', [name]), `the room '${name}'`)
    await expectRejected(q('INSERT INTO rooms (name, capacity) VALUES ($1, 4)', [name]), `a second room named '${name}'`)
  })

  it('a booking belongs to an existing room and member, ends after it starts, has attendees and a known status', async () => {
    const m = await member()
    const r = await room()
    const cases: [B, string][] = [
      [{ room: r, member: m, from: at('11:00'), to: at('10:00') }, 'ends before it starts'],
      [{ room: r, member: m, from: at('11:00'), to: at('11:00') }, 'ends when it starts (zero length)'],
      [{ room: r, member: m, from: at('11:00'), to: at('12:00'), attendees: 0 }, 'has 0 attendees'],
      [{ room: r, member: m, from: at('11:00'), to: at('12:00'), status: 'pending' }, "has the status 'pending'"],
      [{ room: r + 100_000, member: m, from: at('11:00'), to: at('12:00') }, 'is for a room that does not exist'],
      [{ room: r, member: m + 100_000, from: at('11:00'), to: at('12:00') }, 'is for a member who does not exist'],
    ]
    for (const [b, why] of cases) await expectRejected(book(b), `a ${show(b)} that ${why}`)
    await expectRejected(q(BOOK, [r, m, null, at('12:00'), 2]), 'a booking without starts_at')
    await expectAccepted(book({ room: r, member: m, from: at('11:00'), to: at('12:00'), status: 'cancelled' }), "a booking with the status 'cancelled'")
  })

  it('two active bookings of one room never overlap; touching, cancelled and other rooms are fine', async () => {
    const m = await member()
    const r = await room()
    const other = await room()
    const first: B = { room: r, member: m, from: at('10:00'), to: at('11:00') }
    await expectAccepted(book(first), show(first))
    const overlapping: B[] = [
      { room: r, member: m, from: at('10:30'), to: at('11:30') },
      { room: r, member: m, from: at('09:30'), to: at('10:01') },
      { room: r, member: m, from: at('10:15'), to: at('10:45') },
      { room: r, member: m, from: at('09:00'), to: at('12:00') },
      { room: r, member: m, from: at('10:00'), to: at('11:00') },
    ]
    for (const b of overlapping) await expectRejected(book(b), `${show(b)} while 10:00–11:00 is booked`)
    const fine: [B, string][] = [
      [{ room: r, member: m, from: at('11:00'), to: at('12:00') }, 'starts when the other ends'],
      [{ room: r, member: m, from: at('09:00'), to: at('10:00') }, 'ends when the other starts'],
      [{ room: other, member: m, from: at('10:00'), to: at('11:00') }, 'same time, another room'],
      [{ room: r, member: m, from: at('10:30'), to: at('11:30'), status: 'cancelled' }, 'a cancelled booking over the active one'],
    ]
    for (const [b, why] of fine) await expectAccepted(book(b), `${show(b)} (${why}) while 10:00–11:00 is booked`)
  })

  it('a cancelled slot can be booked again, and a booking cannot be moved onto another one', async () => {
    const m = await member()
    const r = await room()
    const a = (await book({ room: r, member: m, from: at('14:00'), to: at('15:00') })).rows[0].id
    await book({ room: r, member: m, from: at('15:00'), to: at('16:00') })
    await expectRejected(q(`UPDATE bookings SET ends_at = $2 WHERE id = $1`, [a, at('15:30')]), 'extending the 14:00–15:00 booking to 15:30 while 15:00–16:00 is booked')
    await expectRejected(q(`UPDATE bookings SET status = 'unknown' WHERE id = $1`, [a]), "setting a booking's status to 'unknown'")
    await expectAccepted(q(`UPDATE bookings SET status = 'cancelled' WHERE id = $1`, [a]), 'cancelling the 14:00–15:00 booking')
    await expectAccepted(book({ room: r, member: m, from: at('14:00'), to: at('15:00') }), 'booking 14:00–15:00 again after it was cancelled')
    await expectRejected(q(`UPDATE bookings SET status = 'active' WHERE id = $1`, [a]), 'reactivating the cancelled 14:00–15:00 booking now that the slot is taken again')
  })

  it('holds under concurrency: of 12 overlapping bookings sent at once on 12 connections, exactly one is stored', async () => {
    const m = await member()
    const r = await room()
    const pool = pgx.newPool({ max: 12 })
    const clients = await Promise.all(Array.from({ length: 12 }, () => pool.connect()))
    try {
      const results = await Promise.allSettled(clients.map((c, i) => c.query(BOOK, [r, m, `2026-03-03T10:${String(i).padStart(2, '0')}:00Z`, `2026-03-03T11:${String(i).padStart(2, '0')}:00Z`, 2])))
      const misfits = results.flatMap((x) => (x.status === 'rejected' && /^(42|08)/.test((x.reason as { code?: string }).code ?? '') ? [`${(x.reason as Error).message}`] : []))
      expect(misfits.slice(0, 1), 'errors that are not a constraint refusing the data').toEqual([])
      const { rows } = await q(`SELECT count(*)::int AS n FROM bookings WHERE room_id = $1 AND status = 'active'`, [r])
      expect(rows[0].n, '12 overlapping bookings of one room inserted at once from 12 connections: active bookings stored').toBe(1)
    } finally {
      for (const c of clients) c.release()
    }
  })

  it('members and rooms with bookings cannot be deleted (the history stays); ones without bookings can', async () => {
    const m = await member()
    const idle = await member()
    const r = await room()
    const empty = await room()
    await book({ room: r, member: m, from: at('18:00'), to: at('19:00') })
    await expectRejected(q('DELETE FROM members WHERE id = $1', [m]), 'deleting a member who has a booking')
    await expectRejected(q('DELETE FROM rooms WHERE id = $1', [r]), 'deleting a room that has a booking')
    await expectAccepted(q('DELETE FROM members WHERE id = $1', [idle]), 'deleting a member without bookings')
    await expectAccepted(q('DELETE FROM rooms WHERE id = $1', [empty]), 'deleting a room without bookings')
    const { rows } = await q('SELECT count(*)::int AS n FROM bookings WHERE member_id = $1', [m])
    expect(rows[0].n, 'bookings of the member after the refused delete').toBe(1)
  })
})

const Q1 = 'SELECT id, room_id, starts_at, ends_at, status FROM bookings WHERE member_id = $1 ORDER BY starts_at DESC LIMIT 20'
const Q2 = "SELECT id, member_id, starts_at, ends_at FROM bookings WHERE room_id = $1 AND status = 'active' AND tstzrange(starts_at, ends_at) && tstzrange($2, $3)"
const Q3 = 'SELECT id, name FROM members WHERE lower(email) = lower($1)'
const Q4 = "SELECT id, room_id, member_id FROM bookings WHERE status = 'active' AND starts_at >= $1 AND starts_at < $2"

describe('migrate(db): the queries are answered through indexes (2 000 members, 20 rooms, 40 000 bookings)', () => {
  let roomId = 0
  let memberId = 0
  beforeAll(async () => {
    await q(`INSERT INTO members (email, name) SELECT 'user' || g || '@Load.example', 'User ' || g FROM generate_series(1, 2000) g`)
    await q(`INSERT INTO rooms (name, capacity) SELECT 'Load room ' || g, 2 + g % 10 FROM generate_series(1, 20) g`)
    // Hour-long slots back to back in each room, 200 bookings for each of 200 members, a few cancelled.
    await q(`
      WITH m AS (SELECT array_agg(id ORDER BY id) AS ids FROM members WHERE email LIKE '%@Load.example'),
           r AS (SELECT array_agg(id ORDER BY id) AS ids FROM rooms WHERE name LIKE 'Load room %')
      INSERT INTO bookings (room_id, member_id, starts_at, ends_at, attendees, status)
      SELECT r.ids[1 + g % 20], m.ids[1 + (g * 7) % 200],
             timestamptz '2025-01-01' + (g / 20) * interval '1 hour',
             timestamptz '2025-01-01' + (g / 20 + 1) * interval '1 hour',
             1 + g % 4, CASE WHEN g % 50 = 0 THEN 'cancelled' ELSE 'active' END
        FROM generate_series(0, 39999) g, m, r`)
    await q('ANALYZE members')
    await q('ANALYZE rooms')
    await q('ANALYZE bookings')
    roomId = Number((await q(`SELECT id FROM rooms WHERE name = 'Load room 7'`)).rows[0].id)
    memberId = Number((await q(`SELECT id FROM members WHERE email = 'user77@Load.example'`)).rows[0].id)
  }, 60_000)

  /** The plan must read `table` through an index and never scan it whole. */
  function expectIndexed(plan: Plan, table: string, query: string) {
    expect(seqScansOn(plan, table).length, `${query}\nreads the whole ${table} table:\n${plan.text}\n`).toBe(0)
    expect(indexScans(plan).filter((n) => n['Relation Name'] === table || !n['Relation Name']).length, `${query}\nshould read ${table} through an index:\n${plan.text}\n`).toBeGreaterThan(0)
  }

  it("query 1 (a member's bookings, newest first) uses an index and needs no Sort", async () => {
    const plan = await explain(pgx.pool, Q1, [memberId])
    expectIndexed(plan, 'bookings', Q1)
    expect(plan.nodes.filter((n) => /Sort/.test(n['Node Type'])).map((n) => n['Node Type']), `Sort nodes in the plan of\n${Q1}\n${plan.text}\n(an index can return the rows already in starts_at order)`).toEqual([])
    const { rows } = await q(Q1, [memberId])
    expect(rows.length, `${Q1} for a member with 200 bookings: rows`).toBe(20)
  })

  it("query 2 (a room's active bookings overlapping a time window) uses an index", async () => {
    const plan = await explain(pgx.pool, Q2, [roomId, '2025-02-01T00:00:00Z', '2025-02-02T00:00:00Z'])
    expectIndexed(plan, 'bookings', Q2)
    const { rows } = await q(Q2, [roomId, '2025-02-01T09:30:00Z', '2025-02-01T11:30:00Z'])
    expect(rows.length, `${Q2} for 09:30–11:30: the 09:00, 10:00 and 11:00 slots`).toBe(3)
  })

  it('query 3 (log-in: a member by email, ignoring case) uses an index', async () => {
    const plan = await explain(pgx.pool, Q3, ['USER77@load.example'])
    expectIndexed(plan, 'members', Q3)
    const { rows } = await q(Q3, ['USER77@load.example'])
    expect(rows.map((r) => r.name), `${Q3} with 'USER77@load.example'`).toEqual(['User 77'])
  })

  it('query 4 (reminders: active bookings starting within the next hour) uses an index', async () => {
    const plan = await explain(pgx.pool, Q4, ['2025-03-01T10:00:00Z', '2025-03-01T11:00:00Z'])
    expectIndexed(plan, 'bookings', Q4)
    const { rows } = await q(Q4, ['2025-03-01T10:00:00Z', '2025-03-01T11:00:00Z'])
    expect(rows.length, `${Q4} for 10:00–11:00 on a day of the load: one slot in each of 20 rooms (cancelled ones left out)`).toBeGreaterThanOrEqual(19)
  })
})
