import { beforeAll, describe, expect, it } from 'vitest'
import type pgTypes from 'pg'
import { usePostgres } from '#support/postgres'
import { pgError, sleep } from '#support/postgres-katas'
import { forceRace, instrument } from '#support/faults/postgres'
import { AccountNotFoundError, addToBalance, goOffCall, updateBalance, withSerializable } from '@kata/postgres/isolation'

const pg = usePostgres()

beforeAll(async () => {
  await pg.pool.query(`
    CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL);
    CREATE TABLE on_call (shift_id int NOT NULL, doctor text NOT NULL, on_call boolean NOT NULL, PRIMARY KEY (shift_id, doctor));
    CREATE TABLE log (id serial PRIMARY KEY, note text NOT NULL)`)
})

let nextId = 1
/** A fresh account per test, so tests never share a row. */
async function account(balance: number): Promise<number> {
  const id = nextId++
  await pg.pool.query('INSERT INTO accounts (id, balance) VALUES ($1, $2)', [id, balance])
  return id
}
const balanceOf = async (id: number) => (await pg.pool.query('SELECT balance FROM accounts WHERE id = $1', [id])).rows[0].balance as number

/** What the kata replaces: read, think, write — no lock. Shown next to yours to prove the load races. */
async function naiveUpdate(pool: pgTypes.Pool, id: number, change: (b: number) => Promise<number>) {
  const { rows } = await pool.query('SELECT balance FROM accounts WHERE id = $1', [id])
  const next = await change(rows[0].balance)
  await pool.query('UPDATE accounts SET balance = $2 WHERE id = $1', [id, next])
}

const plusOneSlowly = async (b: number) => {
  await sleep(3) // application logic between the read and the write: the race window
  return b + 1
}

describe('step 1: no lost updates', () => {
  it('updateBalance applies change(balance), stores and returns the result; unknown account → AccountNotFoundError', async () => {
    const id = await account(100)
    expect(await updateBalance(pg.pool, id, (b: number) => b * 2), 'updateBalance(pool, id, b => b * 2) on 100').toBe(200)
    expect(await balanceOf(id), 'balance afterwards').toBe(200)
    expect(await updateBalance(pg.pool, id, async (b: number) => b - 50), 'updateBalance with an async change b => b - 50').toBe(150)
    expect(await pgError(updateBalance(pg.pool, 999_999, (b: number) => b)), 'updateBalance(pool, 999999, …)').toBeInstanceOf(AccountNotFoundError)
  })

  it('40 concurrent updateBalance(+1 after an async pause) lose no update', async () => {
    const pool = pg.newPool({ max: 10 })
    const naiveId = await account(0)
    await Promise.all(Array.from({ length: 40 }, () => naiveUpdate(pool, naiveId, plusOneSlowly)))
    const naiveLost = 40 - (await balanceOf(naiveId))

    const id = await account(0)
    await Promise.all(Array.from({ length: 40 }, () => updateBalance(pool, id, plusOneSlowly)))
    expect(await balanceOf(id), `balance after 40 concurrent +1 from 0 (the naive read-then-write lost ${naiveLost} of 40 under the same load)`).toBe(40)
  })

  it('change may refuse by throwing: 30 concurrent withdrawals of 10 from 100 → exactly 10 succeed, never negative', async () => {
    const pool = pg.newPool({ max: 10 })
    const id = await account(100)
    const withdraw10 = async (b: number) => {
      await sleep(2)
      if (b < 10) throw new Error('insufficient funds')
      return b - 10
    }
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => updateBalance(pool, id, withdraw10)))
    const ok = results.filter((r) => r.status === 'fulfilled').length
    expect(ok, 'successful withdrawals of 10 from 100 among 30 concurrent ones').toBe(10)
    expect(await balanceOf(id), 'balance afterwards').toBe(0)
    const reasons = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason?.message)] : []))
    expect(new Set(reasons), 'errors of the refused withdrawals: the error thrown by change() reaches the caller').toEqual(new Set(['insufficient funds']))
  })

  it('a change that throws leaves the balance as it was and the row unlocked', async () => {
    const pool = pg.newPool({ max: 3, options: '-c lock_timeout=1500' })
    const id = await account(70)
    const err = await pgError(updateBalance(pool, id, () => { throw new Error('nope') }))
    expect(err?.message, 'updateBalance with a change that throws "nope"').toBe('nope')
    expect(await balanceOf(id), 'balance after the failed change').toBe(70)
    const next = await pgError(updateBalance(pool, id, (b: number) => b + 1))
    expect(next?.message, 'the next updateBalance on that row (fails with a lock timeout if the failed one kept its transaction open)').toBeUndefined()
    expect(await balanceOf(id), 'balance after the next update').toBe(71)
  })

  it('addToBalance: 100 concurrent +1 give 100, and each call returns a different balance', async () => {
    const pool = pg.newPool({ max: 10 })
    const id = await account(0)
    const seen = await Promise.all(Array.from({ length: 100 }, () => addToBalance(pool, id, 1)))
    expect(await balanceOf(id), 'balance after 100 concurrent addToBalance(+1) from 0').toBe(100)
    expect([...seen].sort((a, b) => a - b), 'balances returned by the 100 calls: 1, 2, …, 100 in some order').toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    expect(await addToBalance(pool, id, -30), 'addToBalance(pool, id, -30)').toBe(70)
    expect(await pgError(addToBalance(pool, 999_999, 1)), 'addToBalance(pool, 999999, 1)').toBeInstanceOf(AccountNotFoundError)
  })
})

describe('step 1: forced interleavings (the suite pauses the first call between its read and its write)', () => {
  const touchesAccounts = (sql: string) => /\baccounts\b/i.test(sql)

  it('updateBalance: a second call that starts while the first is paused after its read ends with both changes applied', async () => {
    const id = await account(0)
    const { first, second, report } = await forceRace(pg.newPool({ max: 4 }), (p) => updateBalance(p, id, plusOneSlowly), (p) => updateBalance(p, id, plusOneSlowly), { touches: touchesAccounts, observer: pg.pool })
    expect([first.status, second.status], 'both updateBalance(+1) calls').toEqual(['fulfilled', 'fulfilled'])
    expect(
      await balanceOf(id),
      report.secondReadWhilePaused
        ? 'balance after two +1 from 0: the second call read the balance while the first was between its SELECT and its UPDATE, so both computed 0 + 1 and one update was lost. Lock the row when you read it (SELECT … FOR UPDATE)'
        : 'balance after two +1 from 0',
    ).toBe(2)
  })

  it('addToBalance: a second call that starts while the first is paused after its first statement still adds up', async () => {
    const id = await account(0)
    const { first, second, report } = await forceRace(pg.newPool({ max: 4 }), (p) => addToBalance(p, id, 1), (p) => addToBalance(p, id, 1), { touches: touchesAccounts, observer: pg.pool })
    const returned = [first, second].map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))
    expect(
      { balance: await balanceOf(id), returned: returned.sort() },
      report.secondReadWhilePaused
        ? 'two addToBalance(+1) from 0: the second read the balance between the first one\'s read and write, so one +1 was lost. Do it in one statement: UPDATE … SET balance = balance + $2 … RETURNING balance'
        : 'two addToBalance(+1) from 0: the balance and the values returned',
    ).toEqual({ balance: 2, returned: [1, 2] })
  })
})

const fake = (code: string, message: string) => Object.assign(new Error(message), { code })

const shifts = async (first: number, n: number) => {
  await pg.pool.query(`INSERT INTO on_call SELECT s, d, true FROM generate_series($1::int, $1::int + $2::int - 1) s, unnest(ARRAY['alice', 'bob']) d`, [first, n])
  return Array.from({ length: n }, (_, i) => first + i)
}
const onCallCounts = async (ids: number[]) =>
  (await pg.pool.query('SELECT shift_id, count(*) FILTER (WHERE on_call)::int AS n FROM on_call WHERE shift_id = ANY($1) GROUP BY shift_id ORDER BY shift_id', [ids])).rows.map((r) => r.n as number)

describe('step 2: serializable transactions, retried', () => {
  it('withSerializable runs fn in a SERIALIZABLE transaction, commits, and returns its result', async () => {
    const result = await withSerializable(pg.pool, async (client: pgTypes.PoolClient) => {
      const { rows } = await client.query('SHOW transaction_isolation')
      await client.query("INSERT INTO log (note) VALUES ('committed')")
      return rows[0].transaction_isolation
    })
    expect(result, 'SHOW transaction_isolation inside fn (fn returned it)').toBe('serializable')
    expect((await pg.pool.query("SELECT count(*)::int AS n FROM log WHERE note = 'committed'")).rows[0].n, 'rows fn inserted, after withSerializable resolved').toBe(1)
  })

  it('retries fn after a serialization failure (SQLSTATE 40001), rolling back each failed attempt', async () => {
    let calls = 0
    let result: unknown
    const err = await pgError((async () => {
      result = await withSerializable(pg.pool, async (client: pgTypes.PoolClient) => {
        calls++
        await client.query("INSERT INTO log (note) VALUES ('retried')")
        if (calls < 3) throw fake('40001', 'could not serialize access due to read/write dependencies among transactions')
        return 'done'
      })
    })())
    expect(err?.message, `withSerializable with a fn that fails twice with 40001 must retry it and resolve, but after ${calls} call(s) it rejected with`).toBeUndefined()
    expect(result, 'result of fn that fails twice with 40001, then returns "done"').toBe('done')
    expect(calls, 'how many times fn was called').toBe(3)
    expect((await pg.pool.query("SELECT count(*)::int AS n FROM log WHERE note = 'retried'")).rows[0].n, 'rows left by the three attempts (the two failed ones must be rolled back)').toBe(1)
  })

  it('does not retry other errors: the caller gets the same error, the attempt is rolled back', async () => {
    let calls = 0
    const boom = fake('23505', 'duplicate key value violates unique constraint')
    const err = await pgError(withSerializable(pg.pool, async (client: pgTypes.PoolClient) => {
      calls++
      await client.query("INSERT INTO log (note) VALUES ('not retried')")
      throw boom
    }))
    expect(err, 'the error withSerializable rejects with, when fn throws a 23505').toBe(boom)
    expect(calls, 'calls of fn for a non-retryable error').toBe(1)
    expect((await pg.pool.query("SELECT count(*)::int AS n FROM log WHERE note = 'not retried'")).rows[0].n, 'rows left by the failed attempt').toBe(0)
  })

  it('gives up after maxAttempts and rejects with the serialization failure', async () => {
    let calls = 0
    const err = await pgError(withSerializable(pg.pool, async () => {
      calls++
      throw fake('40001', 'could not serialize access')
    }, { maxAttempts: 3 }))
    expect(calls, 'calls of fn that always fails with 40001, maxAttempts 3').toBe(3)
    expect(err?.code, 'code of the error withSerializable finally rejects with').toBe('40001')
  })

  /** Doctor leaves if someone else is on call, with a pause that makes two requests overlap. */
  const leaveSlowly = (shift: number, doctor: string) => async (client: pgTypes.PoolClient) => {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM on_call WHERE shift_id = $1 AND on_call', [shift])
    await sleep(5)
    if (rows[0].n < 2) return false
    await client.query('UPDATE on_call SET on_call = false WHERE shift_id = $1 AND doctor = $2', [shift, doctor])
    return true
  }

  it('keeps "at least one doctor on call" when both doctors leave at once (write skew), retrying real 40001s', async () => {
    const pool = pg.newPool({ max: 10 })
    // The same requests at READ COMMITTED, to show the anomaly this load produces.
    const naiveShifts = await shifts(1000, 6)
    await Promise.all(naiveShifts.flatMap((s) => ['alice', 'bob'].map(async (d) => {
      const c = await pool.connect()
      try {
        await c.query('BEGIN')
        await leaveSlowly(s, d)(c)
        await c.query('COMMIT')
      } finally {
        c.release()
      }
    })))
    const naiveEmpty = (await onCallCounts(naiveShifts)).filter((n) => n === 0).length

    const ids = await shifts(2000, 6)
    const results = await Promise.allSettled(ids.flatMap((s) => ['alice', 'bob'].map((d) => withSerializable(pool, leaveSlowly(s, d)))))
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [`${r.reason?.code}: ${r.reason?.message}`] : []))
    expect(errors.slice(0, 3), 'errors of 12 concurrent withSerializable calls (40001 must be retried, not thrown)').toEqual([])
    expect(await onCallCounts(ids), `doctors on call per shift after both doctors of 6 shifts tried to leave at once (at READ COMMITTED, ${naiveEmpty} of 6 shifts ended with nobody)`).toEqual([1, 1, 1, 1, 1, 1])
  })

  it('goOffCall: of two doctors leaving at once, exactly one leaves; the last one on call cannot', async () => {
    const pool = pg.newPool({ max: 10 })
    const ids = await shifts(3000, 8)
    const results = await Promise.all(ids.flatMap((s) => [goOffCall(pool, s, 'alice'), goOffCall(pool, s, 'bob')]))
    for (let i = 0; i < ids.length; i++) {
      expect([results[2 * i], results[2 * i + 1]].sort(), `goOffCall results of alice and bob on shift ${ids[i]}, called at the same time`).toEqual([false, true])
    }
    expect(await onCallCounts(ids), 'doctors on call per shift afterwards').toEqual(ids.map(() => 1))
    const [left] = (await pg.pool.query("SELECT doctor FROM on_call WHERE shift_id = $1 AND on_call", [ids[0]])).rows
    expect(await goOffCall(pool, ids[0]!, left.doctor), `goOffCall(pool, ${ids[0]}, "${left.doctor}"), the last doctor on call`).toBe(false)
  })
})

describe('step 2: forced interleavings and injected failures', () => {
  it('retries when COMMIT itself fails with 40001', async () => {
    let commits = 0
    const { pool } = instrument(pg.pool, {
      before(s) {
        // The first COMMIT is answered with a serialization failure instead of being sent;
        // the transaction stays open on the real connection until the kata rolls it back.
        if (/^\s*commit\b/i.test(s.text) && commits++ === 0) throw fake('40001', 'could not serialize access due to read/write dependencies among transactions')
      },
    })
    let calls = 0
    let result: unknown
    const err = await pgError((async () => {
      result = await withSerializable(pool, async (client: pgTypes.PoolClient) => {
        calls++
        await client.query("INSERT INTO log (note) VALUES ('commit retried')")
        return calls
      })
    })())
    expect(err?.message, 'withSerializable when the first COMMIT fails with 40001: it must roll back and run fn again, but it rejected with').toBeUndefined()
    expect({ result, calls }, 'result and calls of fn when the first COMMIT failed with 40001').toEqual({ result: 2, calls: 2 })
    expect((await pg.pool.query("SELECT count(*)::int AS n FROM log WHERE note = 'commit retried'")).rows[0].n, 'rows left (the attempt whose COMMIT failed must be rolled back)').toBe(1)
  })

  it('goOffCall: bob asks while alice is paused between her count and her update; exactly one leaves', async () => {
    const ids = await shifts(4000, 1)
    const { first, second, report } = await forceRace(pg.newPool({ max: 4 }), (p) => goOffCall(p, ids[0]!, 'alice'), (p) => goOffCall(p, ids[0]!, 'bob'), { touches: (sql) => /\bon_call\b/i.test(sql), observer: pg.pool })
    const got = [first, second].map((r) => (r.status === 'fulfilled' ? r.value : `${r.reason?.code ?? ''} ${r.reason?.message}`))
    expect(
      got,
      report.secondReadWhilePaused
        ? 'goOffCall(alice) counted 2 on call and was paused; goOffCall(bob) counted 2 too: both must not leave. Run it SERIALIZABLE (withSerializable) so PostgreSQL aborts one with 40001 and the retry sees 1 on call'
        : 'goOffCall results of alice and bob',
    ).toEqual(first.status === 'fulfilled' && first.value === true ? [true, false] : [false, true])
    expect(await onCallCounts(ids), 'doctors on call afterwards').toEqual([1])
  })
})
