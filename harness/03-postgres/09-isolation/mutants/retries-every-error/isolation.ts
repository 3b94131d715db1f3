import type { Pool, PoolClient } from 'pg'

export class AccountNotFoundError extends Error {
  constructor(readonly accountId: number) {
    super(`account ${accountId} does not exist`)
    this.name = 'AccountNotFoundError'
  }
}

// ---- step 1: lost updates ----

/**
 * Read-modify-write of one balance with arbitrary (async) application logic in between.
 * FOR UPDATE locks the row until COMMIT: a concurrent call waits at its SELECT and then
 * reads the balance this one wrote, so no update is lost.
 */
export async function updateBalance(pool: Pool, accountId: number, change: (balance: number) => number | Promise<number>): Promise<number> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<{ balance: number }>('SELECT balance FROM accounts WHERE id = $1 FOR UPDATE', [accountId])
    if (!rows[0]) throw new AccountNotFoundError(accountId)
    const next = await change(rows[0].balance)
    await client.query('UPDATE accounts SET balance = $2 WHERE id = $1', [accountId, next])
    await client.query('COMMIT')
    return next
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}

/** When the new value is plain arithmetic, one UPDATE is atomic: no read, no lock to manage. */
export async function addToBalance(pool: Pool, accountId: number, delta: number): Promise<number> {
  const { rows } = await pool.query<{ balance: number }>('UPDATE accounts SET balance = balance + $2 WHERE id = $1 RETURNING balance', [accountId, delta])
  if (!rows[0]) throw new AccountNotFoundError(accountId)
  return rows[0].balance
}

// ---- step 2: serializable transactions and retries ----

const RETRYABLE = new Set(['40001', '40P01']) // serialization_failure, deadlock_detected

/**
 * Runs fn in a SERIALIZABLE transaction. PostgreSQL aborts one of two transactions whose
 * outcome no serial order could produce (SQLSTATE 40001); the cure is to run it again.
 */
export async function withSerializable<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, opts: { maxAttempts?: number } = {}): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 10
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect()
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE')
      const result = await fn(client)
      await client.query('COMMIT') // may fail with 40001 too
      return result
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined)
      if (attempt >= maxAttempts) throw err
    } finally {
      client.release()
    }
    // A little random backoff so the same transactions do not collide again in lockstep.
    await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt))
  }
}

/**
 * A doctor leaves the shift only if another one stays on call. Two doctors asking at once
 * both see "two on call" — write skew — unless the transactions are serializable.
 */
export async function goOffCall(pool: Pool, shiftId: number, doctor: string): Promise<boolean> {
  return withSerializable(pool, async (client) => {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM on_call WHERE shift_id = $1 AND on_call', [shiftId])
    if (rows[0]!.n < 2) return false
    const res = await client.query('UPDATE on_call SET on_call = false WHERE shift_id = $1 AND doctor = $2 AND on_call', [shiftId, doctor])
    return (res.rowCount ?? 0) > 0
  })
}
