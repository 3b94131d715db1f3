import type { Pool } from 'pg'

export interface Migration {
  /** Unique, positive; migrations run in ascending version order. */
  version: number
  name: string
  /** SQL that applies the change (may hold several statements). */
  up: string
  /** SQL that undoes exactly what `up` did. */
  down: string
}

/** Versions recorded in schema_migrations, ascending (an empty list before the first run). */
export async function appliedVersions(pool: Pool): Promise<number[]> {
  throw new Error('TODO: appliedVersions — create schema_migrations if needed and read its versions\nTODO(ru): appliedVersions — при необходимости создать schema_migrations и прочитать из неё версии')
}

/** Applies every pending migration (up to `to`), each in its own transaction. */
export async function migrateUp(pool: Pool, migrations: Migration[], opts: { to?: number } = {}): Promise<number[]> {
  throw new Error('TODO: migrateUp — apply pending migrations in version order, record each in schema_migrations\nTODO(ru): migrateUp — применить ожидающие миграции по порядку версий, записывая каждую в schema_migrations')
}

/** Reverts the latest `steps` applied migrations (default 1), newest first. */
export async function migrateDown(pool: Pool, migrations: Migration[], opts: { steps?: number } = {}): Promise<number[]> {
  throw new Error('TODO: migrateDown — run `down` of the latest applied migrations and delete their records\nTODO(ru): migrateDown — выполнить `down` последних применённых миграций и удалить их записи')
}
