import type pg from 'pg'

/** A user may hold at most this many seats of one show. */
export const MAX_SEATS_PER_USER = 2

export interface BookingRequest {
  showId: number
  seat: string
  userId: string
}

export type BookingResult = { ok: true } | { ok: false; reason: 'taken' | 'limit' | 'no_such_seat' }

/** SQLSTATEs of a transaction PostgreSQL aborted to keep SERIALIZABLE's promise: retry it. */
const RETRYABLE = new Set(['40001', '40P01'])

/**
 * Books in a SERIALIZABLE transaction: PostgreSQL aborts one of two transactions whose
 * reads and writes overlap (the same seat, or the count of the same user's seats), and
 * the aborted one is simply run again.
 */
export async function bookSeat(db: pg.Pool, req: BookingRequest): Promise<BookingResult> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(db, req)
    } catch (err) {
      const code = (err as { code?: string }).code
      if (!code || !RETRYABLE.has(code) || attempt >= 50) throw err
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)))
    }
  }
}

async function once(db: pg.Pool, { showId, seat, userId }: BookingRequest): Promise<BookingResult> {
  const client = await db.connect()
  try {
    await client.query('begin isolation level serializable')
    try {
      const seatRow = await client.query<{ booked_by: string | null }>('select booked_by from seats where show_id = $1 and seat = $2', [showId, seat])
      let result: BookingResult
      if (seatRow.rowCount === 0) result = { ok: false, reason: 'no_such_seat' }
      else if (seatRow.rows[0]!.booked_by !== null) result = { ok: false, reason: 'taken' }
      else {
        const { rows } = await client.query<{ n: number }>('select count(*)::int as n from seats where show_id = $1 and booked_by = $2', [showId, userId])
        if (rows[0]!.n >= MAX_SEATS_PER_USER) result = { ok: false, reason: 'limit' }
        else {
          await client.query('update seats set booked_by = $3 where show_id = $1 and seat = $2', [showId, seat, userId])
          result = { ok: true }
        }
      }
      await client.query('commit')
      return result
    } catch (err) {
      await client.query('rollback').catch(() => undefined)
      throw err
    }
  } finally {
    client.release()
  }
}
