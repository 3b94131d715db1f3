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
  throw new Error('TODO: bookSeat — book the seat only if it is free and the user holds fewer than 2 seats of the show, race-free across connections and processes\nTODO(ru): bookSeat — бронировать место, только если оно свободно и у пользователя меньше 2 мест на этот сеанс, без гонок между соединениями и процессами')
}
