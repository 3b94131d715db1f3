// Composition root: the one place that knows every concrete class and wires them.
import type { DatabaseSync } from 'node:sqlite'
import type { Express } from 'express'
import { createWalletService } from './application/wallet-service.ts'
import { createHttpApp } from './infrastructure/http.ts'
import { createSqliteWalletRepository } from './infrastructure/sqlite-wallet-repository.ts'

export interface AppDeps {
  db: DatabaseSync
}

export function createApp({ db }: AppDeps): Express {
  const wallets = createSqliteWalletRepository(db)
  const service = createWalletService(wallets)
  return createHttpApp(service)
}
