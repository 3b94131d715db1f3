import type { Pool } from 'pg'

/**
 * Creates the service's tables (users, products, orders and their items, whatever the
 * consumer needs). Must be safe to run again on a database that already has them.
 */
export async function migrate(db: Pool): Promise<void> {
  void db
  throw new Error('TODO: migrate(db) — create the tables with "create table if not exists …" (see README.md)\nTODO(ru): migrate(db) — создать таблицы через «create table if not exists …» (см. README.ru.md)')
}
