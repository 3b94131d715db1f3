import type { Pool } from 'pg'

export class InsufficientFundsError extends Error {
  constructor(readonly accountId: number, readonly balance: number, readonly amount: number) {
    super(`account ${accountId} has ${balance}, cannot send ${amount}`)
    this.name = 'InsufficientFundsError'
  }
}

export class AccountNotFoundError extends Error {
  constructor(readonly accountId: number) {
    super(`account ${accountId} does not exist`)
    this.name = 'AccountNotFoundError'
  }
}

export interface TransferResult {
  transferId: number
  fromBalance: number
  toBalance: number
}

/**
 * Moves `amount` from one account to another and records it in `transfers`:
 * all three changes commit together or none does.
 */
export async function transfer(pool: Pool, fromId: number, toId: number, amount: number): Promise<TransferResult> {
  throw new Error('TODO: transfer — BEGIN on one client from pool.connect(), debit, credit, insert into transfers, COMMIT (ROLLBACK on any error)\nTODO(ru): transfer — BEGIN на одном клиенте из pool.connect(), списание, зачисление, вставка в transfers, COMMIT (ROLLBACK при любой ошибке)')
}
