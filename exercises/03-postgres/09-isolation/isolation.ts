import type { Pool, PoolClient } from 'pg'

export class AccountNotFoundError extends Error {
  constructor(readonly accountId: number) {
    super(`account ${accountId} does not exist`)
    this.name = 'AccountNotFoundError'
  }
}

// ---- step 1: lost updates ----

/** Reads the balance, computes the new one with `change`, writes it; no update may be lost. */
export async function updateBalance(pool: Pool, accountId: number, change: (balance: number) => number | Promise<number>): Promise<number> {
  throw new Error('TODO: updateBalance — in a transaction, SELECT … FOR UPDATE, await change(balance), UPDATE, COMMIT\nTODO(ru): updateBalance — в транзакции: SELECT … FOR UPDATE, await change(balance), UPDATE, COMMIT')
}

/** Adds delta to the balance in one atomic statement and returns the new balance. */
export async function addToBalance(pool: Pool, accountId: number, delta: number): Promise<number> {
  throw new Error('TODO: addToBalance — one UPDATE … SET balance = balance + $2 … RETURNING balance\nTODO(ru): addToBalance — один UPDATE … SET balance = balance + $2 … RETURNING balance')
}

// ---- step 2: serializable transactions and retries ----

/** Runs fn in a SERIALIZABLE transaction, retrying it on serialization failures (40001). */
export async function withSerializable<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, opts: { maxAttempts?: number } = {}): Promise<T> {
  throw new Error('TODO: withSerializable — BEGIN ISOLATION LEVEL SERIALIZABLE, fn(client), COMMIT; retry on SQLSTATE 40001\nTODO(ru): withSerializable — BEGIN ISOLATION LEVEL SERIALIZABLE, fn(client), COMMIT; повтор при SQLSTATE 40001')
}

/** A doctor leaves the shift only if another one stays on call. */
export async function goOffCall(pool: Pool, shiftId: number, doctor: string): Promise<boolean> {
  throw new Error('TODO: goOffCall — count the doctors on call and go off only if at least two are, inside withSerializable\nTODO(ru): goOffCall — внутри withSerializable посчитать дежурных врачей и снять дежурство, только если их не меньше двух')
}
