import { fileURLToPath } from 'node:url'
import type pg from 'pg'
import { beforeAll, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { deferred, kataFile, useChildren, withBarrier, withLatency } from '#support/highload'
import { bookSeat, MAX_SEATS_PER_USER } from '@kata/highload/races'
import bookingUrl from '@kata/highload/races/booking.ts?url'

interface Req {
  showId: number
  seat: string
  userId: string
}
type Result = { ok: true } | { ok: false; reason: string }
type Outcome = { value?: Result; error?: string }

const pgx = usePostgres()
const children = useChildren()
const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))
/** Every query answer arrives 1 ms late, as from a database across the network. */
const LATENCY_MS = 1

let db: pg.Pool
let nextShow = 1

beforeAll(async () => {
  await pgx.pool.query('create table seats (show_id int not null, seat text not null, booked_by text, primary key (show_id, seat))')
  db = withLatency(pgx.newPool({ max: 8, idleTimeoutMillis: 1000 }), LATENCY_MS)
})

/** A new show with seats S1…Sn, all free; returns its id. */
async function newShow(seats: number): Promise<number> {
  const showId = nextShow++
  await pgx.pool.query(`insert into seats (show_id, seat) select $1, 'S' || g from generate_series(1, $2) g`, [showId, seats])
  return showId
}

const book = (req: Req, pool: pg.Pool = db) => (bookSeat as (db: pg.Pool, req: Req) => Promise<Result>)(pool, req)

/** A write: the statement that books, after whatever check comes before it. */
const WRITE = /^\s*(update|insert)\b/i

/**
 * A pool of 8 open connections whose first `parties` writes wait for one another (up to
 * 400 ms, for designs whose lock keeps the others away): every racing call has done its
 * check before the first one books, on every run, instead of only when the timing happens
 * to line up.
 */
async function racingPool(parties: number) {
  const { pool, met } = withBarrier(withLatency(pgx.newPool({ max: 8, idleTimeoutMillis: 1000 }), LATENCY_MS), WRITE, parties, 400)
  const open = await Promise.all(Array.from({ length: 8 }, () => pool.connect()))
  open.forEach((c) => c.release())
  return { pool, met }
}

/** Runs every request at once; a call that throws is recorded, not fatal. */
const storm = (reqs: Req[], pool: pg.Pool = db): Promise<Outcome[]> =>
  Promise.all(reqs.map((r) => book(r, pool).then((value) => ({ value }), (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }))))

async function seatsOf(showId: number): Promise<Map<string, string | null>> {
  const { rows } = await pgx.pool.query<{ seat: string; booked_by: string | null }>('select seat, booked_by from seats where show_id = $1', [showId])
  return new Map(rows.map((r) => [r.seat, r.booked_by]))
}

/**
 * Checks both invariants against what the calls answered and what the table holds:
 * no call threw, each seat was promised to at most one user (the one it is booked for),
 * nobody holds more than the limit, and every booked seat was promised to someone.
 */
async function checkInvariants(what: string, reqs: Req[], outcomes: Outcome[]) {
  const errors = outcomes.map((o, i) => (o.error !== undefined ? `bookSeat(${JSON.stringify(reqs[i])}) threw ${o.error}` : '')).filter(Boolean)
  expect(errors.slice(0, 3), `${what}: calls that threw instead of answering { ok } (a conflict is an answer, not an error)`).toEqual([])
  const promised = new Map<string, string[]>()
  outcomes.forEach((o, i) => {
    if (o.value?.ok !== true) return
    const r = reqs[i]!
    const key = `show ${r.showId} seat ${r.seat}`
    promised.set(key, [...(promised.get(key) ?? []), r.userId])
  })
  const doubles = [...promised].filter(([, users]) => users.length > 1).map(([k, users]) => `${k} → ok for ${users.join(', ')}`)
  expect(doubles.slice(0, 3), `${what}: seats for which more than one call answered { ok: true } (double booking)`).toEqual([])

  const shows = [...new Set(reqs.map((r) => r.showId))]
  const perUser = new Map<string, number>()
  const wrongHolder: string[] = []
  for (const showId of shows) {
    const table = await seatsOf(showId)
    for (const [seat, holder] of table) {
      const key = `show ${showId} seat ${seat}`
      const p = promised.get(key)
      if (holder === null) {
        if (p) wrongHolder.push(`${key} was promised to ${p[0]} but is free in the table`)
        continue
      }
      if (!p || p[0] !== holder) wrongHolder.push(`${key} is booked by ${holder}, but the call that got { ok: true } was ${p ? `${p[0]}'s` : 'nobody\'s'}`)
      const u = `${holder} in show ${showId}`
      perUser.set(u, (perUser.get(u) ?? 0) + 1)
    }
  }
  expect(wrongHolder.slice(0, 3), `${what}: the seats table disagrees with the answers`).toEqual([])
  const over = [...perUser].filter(([, n]) => n > 2).map(([u, n]) => `${u}: ${n} seats`)
  expect(over.slice(0, 3), `${what}: users holding more than ${MAX_SEATS_PER_USER} seats of a show`).toEqual([])
}

describe('bookSeat(db, { showId, seat, userId }): the rules, one call at a time', () => {
  it('books a free seat; refuses a taken seat, an unknown seat and a third seat of the same user', async () => {
    expect(MAX_SEATS_PER_USER, 'the exported MAX_SEATS_PER_USER').toBe(2)
    const showId = await newShow(5)
    expect(await book({ showId, seat: 'S1', userId: 'ann' }), 'ann books S1 (free)').toEqual({ ok: true })
    expect(await book({ showId, seat: 'S1', userId: 'bob' }), 'bob books S1 (booked by ann)').toEqual({ ok: false, reason: 'taken' })
    expect(await book({ showId, seat: 'S1', userId: 'ann' }), 'ann books S1 again (her own seat)').toEqual({ ok: false, reason: 'taken' })
    expect(await book({ showId, seat: 'S99', userId: 'bob' }), 'bob books S99 (no such seat)').toEqual({ ok: false, reason: 'no_such_seat' })
    expect(await book({ showId, seat: 'S2', userId: 'ann' }), 'ann books S2, her second seat').toEqual({ ok: true })
    expect(await book({ showId, seat: 'S3', userId: 'ann' }), 'ann books S3, a third seat').toEqual({ ok: false, reason: 'limit' })
    expect(await book({ showId, seat: 'S3', userId: 'bob' }), 'bob books S3 (ann was refused it)').toEqual({ ok: true })
    expect(Object.fromEntries(await seatsOf(showId)), 'the seats table after these calls').toEqual({ S1: 'ann', S2: 'ann', S3: 'bob', S4: null, S5: null })
  })

  it('counts the limit per show', async () => {
    const first = await newShow(3)
    const second = await newShow(3)
    await book({ showId: first, seat: 'S1', userId: 'cid' })
    await book({ showId: first, seat: 'S2', userId: 'cid' })
    expect(await book({ showId: second, seat: 'S1', userId: 'cid' }), 'cid, who holds 2 seats of another show, books one of this show').toEqual({ ok: true })
  })
})

describe('bookSeat under concurrency: many async calls through a pool of 8 connections', () => {
  it('40 users racing for the same seat: exactly one gets it', async () => {
    const showId = await newShow(3)
    const reqs = Array.from({ length: 40 }, (_, i) => ({ showId, seat: 'S2', userId: `user${i}` }))
    const { pool, met } = await racingPool(2)
    const outcomes = await storm(reqs, pool)
    await pool.end()
    const why = met()
      ? ' (two calls both checked that S2 was free before either booked it, and both booked: check and book in one statement, `… where booked_by is null`, or lock the row)'
      : ''
    await checkInvariants(`40 parallel bookings of S2${why}`, reqs, outcomes)
    const oks = outcomes.filter((o) => o.value?.ok === true).length
    expect(oks, `40 parallel bookings of S2 by 40 users: how many answered { ok: true }${why}`).toBe(1)
    const refusals = outcomes.filter((o) => o.value?.ok === false && o.value.reason === 'taken').length
    expect(refusals, "40 parallel bookings of S2: how many answered { ok: false, reason: 'taken' }").toBe(39)
  })

  it('one user sending 8 bookings of different seats at once gets exactly 2 of them', async () => {
    const showId = await newShow(10)
    const reqs = Array.from({ length: 8 }, (_, i) => ({ showId, seat: `S${i + 1}`, userId: 'greedy' }))
    const { pool, met } = await racingPool(3)
    const outcomes = await storm(reqs, pool)
    await pool.end()
    const why = met()
      ? ' (three bookings of the same user all counted fewer than 2 seats before any of them booked: the count is a check over other rows, no row lock covers it; serialize the bookings of one user, e.g. an advisory lock)'
      : ''
    await checkInvariants(`8 parallel bookings by one user${why}`, reqs, outcomes)
    const oks = outcomes.filter((o) => o.value?.ok === true).length
    expect(oks, `user "greedy" books S1…S8 in parallel: how many answered { ok: true }${why}`).toBe(2)
    const limits = outcomes.filter((o) => o.value?.ok === false && o.value.reason === 'limit').length
    expect(limits, "user \"greedy\" books S1…S8 in parallel: how many answered { ok: false, reason: 'limit' }").toBe(6)
  })

  it('a storm of 120 bookings (30 users, 20 seats) keeps both invariants and fills the hall', async () => {
    const showId = await newShow(20)
    const reqs: Req[] = []
    for (let u = 0; u < 30; u++) for (let k = 0; k < 4; k++) reqs.push({ showId, seat: `S${((u * 7 + k * 5) % 20) + 1}`, userId: `fan${u}` })
    const outcomes = await storm(reqs)
    await checkInvariants('120 parallel bookings', reqs, outcomes)
    const booked = [...(await seatsOf(showId)).values()].filter((v) => v !== null).length
    const oks = outcomes.filter((o) => o.value?.ok === true).length
    expect(oks, '120 parallel bookings: { ok: true } answers compared with booked seats').toBe(booked)
    expect(booked, '120 parallel bookings over 20 seats by 30 users (each wanting 4): seats booked in the end').toBeGreaterThanOrEqual(15)
  })
})

describe('bookSeat in two processes at once (two instances of the service, one database)', () => {
  it('two node processes booking the same seats for the same users keep both invariants', async () => {
    const module = kataFile(bookingUrl as string)
    const shows = [await newShow(8), await newShow(8), await newShow(8)]
    // The same requests go to both processes, so every booking races its twin; each user
    // asks for 4 seats of a show and may get 2.
    const reqs: Req[] = []
    for (const showId of shows) for (let u = 0; u < 6; u++) for (let k = 0; k < 4; k++) reqs.push({ showId, seat: `S${((u * 3 + k) % 8) + 1}`, userId: `p${u}` })
    const procs = [children.spawn(WORKER), children.spawn(WORKER)]
    for (const p of procs) p.send({ module, url: pgx.url, latencyMs: LATENCY_MS, calls: reqs })
    for (const p of procs) await p.next(20_000)
    for (const p of procs) p.send({ go: true })
    const answers = await Promise.all(procs.map((p) => p.next<{ results: Outcome[] }>(20_000)))
    await checkInvariants(
      'two processes, each sending the same 72 bookings',
      [...reqs, ...reqs],
      answers.flatMap((a) => a.results),
    )
    const oks = answers.flatMap((a) => a.results).filter((o) => o.value?.ok === true).length
    let booked = 0
    for (const s of shows) booked += [...(await seatsOf(s)).values()].filter((v) => v !== null).length
    expect(oks, 'two processes: { ok: true } answers from both compared with booked seats').toBe(booked)
  })

  it('a booking in this process while the other process is between its check and its booking does not break the limit', async () => {
    const module = kataFile(bookingUrl as string)
    const showId = await newShow(4)
    expect(await book({ showId, seat: 'S1', userId: 'x' }), 'x books S1').toEqual({ ok: true })
    // The other process books S2 for x and is held just before its write, its check done.
    const child = children.spawn(WORKER)
    child.send({ module, url: pgx.url, latencyMs: LATENCY_MS, calls: [{ showId, seat: 'S2', userId: 'x' }], holdWrite: true })
    await child.next(20_000)
    child.send({ go: true })
    const first = await child.next<{ held?: boolean; results?: Outcome[] }>(20_000)
    // Meanwhile this process (its own copy of your module) books S3 for x. A correct design
    // waits for the other process here; give it 500 ms, then let the other process go on.
    const mine = book({ showId, seat: 'S3', userId: 'x' }).then((value) => ({ value }), (err: unknown) => ({ error: String(err) }) as Outcome)
    const settled = deferred<void>()
    void mine.then(() => settled.resolve())
    await Promise.race([settled.promise, new Promise((r) => setTimeout(r, 500))])
    child.send({ release: true })
    const theirs = first.results ? first : await child.next<{ results: Outcome[] }>(20_000)
    const outcomes = [(await mine) as Outcome, ...(theirs.results ?? [])]
    const held = [...(await seatsOf(showId))].filter(([, u]) => u === 'x').map(([seat]) => seat).sort()
    expect(
      held.length,
      `x held S1; the other process checked x's seats for S2 and, before it booked, this process booked S3 for x: x now holds ${held.join(', ')} (answers ${JSON.stringify(outcomes)}). A lock or a queue in one process's memory does not stop the other process: serialize in the database (an advisory lock, a row lock)`,
    ).toBeLessThanOrEqual(MAX_SEATS_PER_USER)
    expect(outcomes.filter((o) => o.error !== undefined), 'calls that threw (a conflict is an answer, not an error)').toEqual([])
  })
})
