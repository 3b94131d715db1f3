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
    // Lock the payer's row, then the payee's.
    const lock = async (id: number) =>
      (await client.query<{ id: number; balance: number }>('SELECT id, balance FROM accounts WHERE id = $1 FOR UPDATE', [id])).rows[0]
    const from = await lock(fromId)
    const to = await lock(toId)
    if (!from) throw new AccountNotFoundError(fromId)
    if (!to) throw new AccountNotFoundError(toId)
    if (from.balance < amount) throw new InsufficientFundsError(fromId, from.balance, amount)

    await client.query('UPDATE accounts SET balance = balance - $2 WHERE id = $1', [fromId, amount])
    await client.query('UPDATE accounts SET balance = balance + $2 WHERE id = $1', [toId, amount])
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
