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
  if (!Number.isInteger(amount) || amount <= 0) throw new RangeError(`amount must be a positive integer, got ${amount}`)
  if (fromId === toId) throw new RangeError('cannot transfer to the same account')

  // A transaction lives on one connection: take a client, never pool.query, for BEGIN…COMMIT.
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    // Lock both rows, always in id order: two opposite transfers then queue up instead of
    // each holding one row and waiting for the other (a deadlock).
    // Lock both rows in id order first (no deadlock with an opposite transfer), then let
    // the UPDATE's own WHERE decide: a concurrent debit waits for the row and re-checks it.
    const found = await client.query<{ id: number }>('SELECT id FROM accounts WHERE id = ANY($1::int[]) ORDER BY id FOR NO KEY UPDATE', [[fromId, toId]])
    if (!found.rows.some((r) => r.id === fromId)) throw new AccountNotFoundError(fromId)
    if (!found.rows.some((r) => r.id === toId)) throw new AccountNotFoundError(toId)
    const debit = await client.query<{ balance: number }>(
      'UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2 RETURNING balance',
      [fromId, amount],
    )
    if (debit.rowCount === 0) {
      const { rows } = await client.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1', [fromId])
      throw new InsufficientFundsError(fromId, rows[0]!.balance, amount)
    }
    const credit = await client.query<{ balance: number }>('UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance', [toId, amount])
    const from = { balance: debit.rows[0]!.balance + amount }
    const to = { balance: credit.rows[0]!.balance - amount }
    const { rows: ledger } = await client.query<{ id: number }>(
      'INSERT INTO transfers (from_id, to_id, amount) VALUES ($1, $2, $3) RETURNING id',
      [fromId, toId, amount],
    )
    await client.query('COMMIT')
    return { transferId: ledger[0]!.id, fromBalance: from.balance - amount, toBalance: to.balance + amount }
  } catch (err) {
    // Undo whatever ran; a failed ROLLBACK must not hide the original error.
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    // Back to the pool in every case, or the pool runs dry after a few errors.
    client.release()
  }
}
