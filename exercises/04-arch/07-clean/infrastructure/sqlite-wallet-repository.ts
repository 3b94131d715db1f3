// SQLite storage. Today: one database for the whole process, opened on import and
// used directly by domain/ and application/. Tomorrow: an adapter of the port.
import { DatabaseSync } from 'node:sqlite'
import type { WalletRepository } from '../application/ports.ts'

export const db = new DatabaseSync(':memory:')
db.exec(`CREATE TABLE IF NOT EXISTS wallets (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  balance_cents INTEGER NOT NULL
)`)

export function createSqliteWalletRepository(_db: DatabaseSync): WalletRepository {
  throw new Error('TODO: implement the WalletRepository port on the database passed in (see README.md)\nTODO(ru): реализовать порт WalletRepository на переданной базе данных (см. README.ru.md)')
}
