// Adapter: the WalletRepository port on top of SQLite (node:sqlite).
import type { DatabaseSync } from 'node:sqlite'
import type { WalletRepository } from '../application/ports.ts'
import { Wallet } from '../domain/wallet.ts'

interface WalletRow {
  id: string
  owner: string
  balance_cents: number
}

export function createSqliteWalletRepository(db: DatabaseSync): WalletRepository {
  db.exec(`CREATE TABLE IF NOT EXISTS wallets (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    balance_cents INTEGER NOT NULL
  )`)
  const select = db.prepare('SELECT id, owner, balance_cents FROM wallets WHERE id = ?')
  const upsert = db.prepare(`INSERT INTO wallets (id, owner, balance_cents) VALUES (?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, balance_cents = excluded.balance_cents`)

  return {
    async get(id) {
      const row = select.get(id) as WalletRow | undefined
      return row && Wallet.restore({ id: row.id, owner: row.owner, balanceCents: row.balance_cents })
    },

    async save(...wallets) {
      for (const w of wallets) {
        const s = w.toSnapshot()
        upsert.run(s.id, s.owner, s.balanceCents)
      }
    },
  }
}
