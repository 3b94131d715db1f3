// The schema of a coworking booking service (see README.md): tables, keys, constraints
// and indexes for the stated invariants and queries.
import type pg from 'pg'

/** Creates the schema in an empty database. */
export async function migrate(_db: Pick<pg.Pool, 'query'>): Promise<void> {
  throw new Error('TODO: migrate: create members, rooms and bookings with their constraints and indexes (see README.md)\nTODO(ru): migrate: создать members, rooms и bookings с ограничениями и индексами (см. README.ru.md)')
}
