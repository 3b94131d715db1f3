import type pg from 'pg'

/** A user may hold at most this many seats of one show. */
export const MAX_SEATS_PER_USER = 2

export interface BookingRequest {
  showId: number
  seat: string
  userId: string
}

export type BookingResult = { ok: true } | { ok: false; reason: 'taken' | 'limit' | 'no_such_seat' }

/**
 * Books `seat` of `showId` for `userId`, keeping two invariants under any concurrency:
 * a seat is booked at most once, and a user holds at most MAX_SEATS_PER_USER seats of a
 * show. Table: seats(show_id int, seat text, booked_by text null, primary key (show_id, seat)).
 */
export async function bookSeat(db: pg.Pool, { showId, seat, userId }: BookingRequest): Promise<BookingResult> {
  const client = await db.connect()
  try {
    await client.query('begin')
    try {
      // The limit is a check over *other* rows: no row lock covers it. Serialize the
      // bookings of one user of one show on a transaction-scoped advisory lock instead;
      // it is released by commit/rollback, in any process.
      await client.query('select pg_advisory_xact_lock($1, hashtext($2))', [showId, userId])
      const { rows } = await client.query<{ n: number }>(
        'select count(*)::int as n from seats where show_id = $1 and booked_by = $2',
        [showId, userId],
      )
      if (rows[0]!.n >= MAX_SEATS_PER_USER) {
        await client.query('rollback')
        return { ok: false, reason: 'limit' }
      }
      // Is the seat free? Then book it.
      const seatRow = await client.query<{ booked_by: string | null }>('select booked_by from seats where show_id = $1 and seat = $2', [showId, seat])
      if (seatRow.rowCount === 1 && seatRow.rows[0]!.booked_by === null) {
        await client.query('update seats set booked_by = $3 where show_id = $1 and seat = $2', [showId, seat, userId])
        await client.query('commit')
        return { ok: true }
      }
      const exists = await client.query('select 1 from seats where show_id = $1 and seat = $2', [showId, seat])
      await client.query('rollback')
      return { ok: false, reason: exists.rowCount ? 'taken' : 'no_such_seat' }
    } catch (err) {
      await client.query('rollback').catch(() => undefined)
      throw err
    }
  } finally {
    client.release()
  }
}
