import { beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { pgError } from '#support/postgres-katas'
import { forceRace } from '#support/faults/postgres'
import { AccountNotFoundError, InsufficientFundsError, transfer } from '@kata/postgres/transactions'

const pg = usePostgres()

beforeAll(async () => {
  // Detect deadlocks after 50 ms instead of 1 s, so a deadlocking solution fails fast
  // (connections opened from now on pick the setting up).
  const { rows } = await pg.pool.query('SELECT current_database() AS db')
  await pg.pool.query(`ALTER DATABASE "${rows[0].db}" SET deadlock_timeout = '50ms'`)
  await pg.pool.query(`
    CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL);
    CREATE TABLE transfers (
      id serial PRIMARY KEY,
      from_id int NOT NULL REFERENCES accounts,
      to_id int NOT NULL REFERENCES accounts,
      amount int NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now());
    -- A ledger that fails on demand: amount 13 stands for "the last statement of the transaction broke".
    CREATE FUNCTION ledger_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.amount = 13 THEN RAISE EXCEPTION 'ledger is down'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER ledger_guard BEFORE INSERT ON transfers FOR EACH ROW EXECUTE FUNCTION ledger_guard();`)
})

const START = 1000
const ACCOUNTS = 10

beforeEach(async () => {
  await pg.pool.query('TRUNCATE transfers, accounts RESTART IDENTITY')
  await pg.pool.query(`INSERT INTO accounts SELECT g, 'owner ' || g, $1 FROM generate_series(1, $2::int) AS g`, [START, ACCOUNTS])
})

const balances = async () => (await pg.pool.query<{ id: number; balance: number }>('SELECT id, balance FROM accounts ORDER BY id')).rows.map((r) => r.balance)
const ledger = async () => (await pg.pool.query('SELECT from_id, to_id, amount FROM transfers ORDER BY id')).rows
const untouched = Array.from({ length: ACCOUNTS }, () => START)

describe('transfer(pool, fromId, toId, amount)', () => {
  it('moves money, records the transfer and returns the new balances', async () => {
    const res = await transfer(pg.pool, 1, 2, 300)
    expect(res, 'transfer(pool, 1, 2, 300) with 1000 on each account').toMatchObject({ fromBalance: 700, toBalance: 1300 })
    expect(typeof res.transferId, 'typeof transferId').toBe('number')
    expect((await balances()).slice(0, 3), 'balances of accounts 1, 2, 3 afterwards').toEqual([700, 1300, 1000])
    expect(await ledger(), 'rows in transfers').toEqual([{ from_id: 1, to_id: 2, amount: 300 }])
    const again = await transfer(pg.pool, 2, 3, 1300)
    expect(again, 'transfer(pool, 2, 3, 1300): the whole balance').toMatchObject({ fromBalance: 0, toBalance: 2300 })
    expect(again.transferId, 'transferId of the second transfer').not.toBe(res.transferId)
  })

  it('throws InsufficientFundsError and changes nothing when the balance is too low', async () => {
    const err = await pgError(transfer(pg.pool, 1, 2, 1001))
    expect(err, 'transfer(pool, 1, 2, 1001) from a balance of 1000').toBeInstanceOf(InsufficientFundsError)
    expect(await balances(), 'balances after the refused transfer').toEqual(untouched)
    expect(await ledger(), 'rows in transfers after the refused transfer').toEqual([])
  })

  it('throws AccountNotFoundError and changes nothing when either account does not exist', async () => {
    for (const [from, to] of [[1, 99], [99, 1]] as const) {
      const err = await pgError(transfer(pg.pool, from, to, 100))
      expect(err, `transfer(pool, ${from}, ${to}, 100) with account 99 missing`).toBeInstanceOf(AccountNotFoundError)
      expect(await balances(), `balances after transfer(pool, ${from}, ${to}, 100)`).toEqual(untouched)
    }
    expect(await ledger(), 'rows in transfers').toEqual([])
  })

  it('rejects an amount that is not a positive integer with RangeError', async () => {
    for (const amount of [0, -50, 12.5]) {
      expect(await pgError(transfer(pg.pool, 1, 2, amount)), `transfer(pool, 1, 2, ${amount})`).toBeInstanceOf(RangeError)
    }
    expect(await pgError(transfer(pg.pool, 3, 3, 10)), 'transfer(pool, 3, 3, 10): to the same account').toBeInstanceOf(RangeError)
    expect(await balances(), 'balances after the rejected calls').toEqual(untouched)
  })
})

describe('transfer: all or nothing', () => {
  it('rolls back the debit and the credit when the last statement fails (the ledger insert)', async () => {
    const err = await pgError(transfer(pg.pool, 1, 2, 13))
    expect(err?.message, 'transfer(pool, 1, 2, 13): the ledger insert raises "ledger is down"; transfer must reject with that error').toMatch(/ledger is down/)
    expect(await balances(), 'balances after the failed transfer: the debit and credit that ran before the failure must be undone').toEqual(untouched)
  })

  it('gives its connection back to the pool after every failure', async () => {
    const small = pg.newPool({ max: 2, connectionTimeoutMillis: 1500 })
    for (let i = 0; i < 3; i++) {
      const errors = [await pgError(transfer(small, 1, 2, 13)), await pgError(transfer(small, 1, 2, 5000)), await pgError(transfer(small, 1, 77, 10))]
      // A leaked connection shows as a pool timeout: stop here instead of waiting out more of them.
      if (errors.some((e) => /timeout/i.test(String(e?.message)))) break
    }
    const err = await pgError(transfer(small, 1, 2, 10))
    expect(err?.message, 'after 9 failed transfers on a pool of 2 connections, a valid transfer must work (release the client in finally, ROLLBACK before releasing)').toBeUndefined()
    expect((await balances()).slice(0, 2), 'balances of accounts 1 and 2 afterwards').toEqual([990, 1010])
  })
})

describe('transfer: under real concurrency', () => {
  it('200 random transfers at once over 10 connections: money is conserved and no balance goes negative', async () => {
    const pool = pg.newPool({ max: 10 })
    const jobs = Array.from({ length: 200 }, () => {
      const from = 1 + Math.floor(Math.random() * ACCOUNTS)
      const to = 1 + ((from + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS)
      return { from, to, amount: 1 + Math.floor(Math.random() * 400) + (Math.random() < 0.1 ? 1000 : 0) }
    }).filter((j) => j.amount !== 13)
    const results = await Promise.allSettled(jobs.map((j) => transfer(pool, j.from, j.to, j.amount)))
    const unexpected = results.flatMap((r) => (r.status === 'rejected' && !(r.reason instanceof InsufficientFundsError) ? [String(r.reason?.message ?? r.reason)] : []))
    expect(unexpected.slice(0, 3), `errors other than InsufficientFundsError among ${jobs.length} concurrent transfers (a deadlock? lock the two rows in a fixed order)`).toEqual([])

    const final = await balances()
    expect(final.reduce((a, b) => a + b, 0), 'sum of all balances after the storm').toBe(START * ACCOUNTS)
    expect(final.filter((b) => b < 0), 'negative balances after the storm').toEqual([])
    const expected = Array.from({ length: ACCOUNTS }, () => START)
    jobs.forEach((j, i) => {
      if (results[i]!.status !== 'fulfilled') return
      expected[j.from - 1]! -= j.amount
      expected[j.to - 1]! += j.amount
    })
    expect(final, 'each balance = start − successful transfers out + successful transfers in').toEqual(expected)
    expect((await ledger()).length, 'rows in transfers = successful transfers').toBe(results.filter((r) => r.status === 'fulfilled').length)
  })

  it('transfers in opposite directions at the same time do not deadlock', async () => {
    const pool = pg.newPool({ max: 10 })
    const pairs = Array.from({ length: 40 }, (_, i) => [1 + (i % 3), 4 + (i % 2)] as const)
    const calls = pairs.flatMap(([a, b]) => [transfer(pool, a, b, 7), transfer(pool, b, a, 5)])
    const results = await Promise.allSettled(calls)
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason?.message ?? r.reason)] : []))
    expect(failed.slice(0, 3), '80 transfers between the same accounts in both directions at once: errors (40P01 is a deadlock)').toEqual([])
    expect((await balances()).reduce((a, b) => a + b, 0), 'sum of all balances').toBe(START * ACCOUNTS)
  })
})

describe('transfer: forced interleavings (the suite pauses one transfer at its worst moment)', () => {
  // The first transfer is paused right after its first statement on `accounts` (its read or its
  // lock); the second runs until it has read the same row or waits on a lock; then the first goes on.
  const touches = (sql: string) => /\baccounts\b/i.test(sql)
  const why = (settled: PromiseSettledResult<unknown>) => (settled.status === 'fulfilled' ? 'succeeded' : `threw ${(settled.reason as Error)?.name}: ${(settled.reason as Error)?.message}`)

  it('two transfers of 60 from a balance of 100: exactly one succeeds, the other throws InsufficientFundsError', async () => {
    await pg.pool.query('UPDATE accounts SET balance = 100 WHERE id = 1')
    const pool = pg.newPool({ max: 4 })
    const { first, second, report } = await forceRace(pool, (p) => transfer(p, 1, 2, 60), (p) => transfer(p, 1, 3, 60), { touches, observer: pg.pool })
    const [b1 = 0, b2 = 0, b3 = 0] = await balances()
    const outcome = `first ${why(first)}, second ${why(second)}; balances of accounts 1, 2, 3: ${b1}, ${b2}, ${b3}`
    expect(
      [first.status, second.status].filter((s) => s === 'fulfilled').length,
      report.secondReadWhilePaused
        ? `the second transfer read account 1 while the first was between its read and its write, and both went through (${outcome}): both saw balance 100. Lock the row (SELECT … FOR UPDATE) so the second waits for the first to commit, or let the UPDATE itself check the balance`
        : `two transfers of 60 from a balance of 100 (${outcome}): exactly one must succeed`,
    ).toBe(1)
    const loser = first.status === 'rejected' ? first.reason : second.status === 'rejected' ? second.reason : undefined
    expect(loser, `the refused transfer (${outcome})`).toBeInstanceOf(InsufficientFundsError)
    expect([b1, b2 + b3], `balance of account 1, and what accounts 2 and 3 received together (${outcome})`).toEqual([40, 2 * START + 60])
  })

  it('transfers 1→2 and 2→1 paused between the two rows: both succeed, no deadlock', async () => {
    const pool = pg.newPool({ max: 4 })
    const { first, second } = await forceRace(pool, (p) => transfer(p, 1, 2, 7), (p) => transfer(p, 2, 1, 5), { touches, observer: pg.pool })
    const errors = [first, second].flatMap((r) => (r.status === 'rejected' ? [`${(r.reason as { code?: string })?.code ?? ''} ${(r.reason as Error)?.message}`] : []))
    expect(
      errors,
      'transfer(1→2) locked account 1 and was paused; transfer(2→1) then locked account 2: if each now waits for the row the other holds, PostgreSQL kills one (40P01 deadlock). Lock both rows in one statement in id order',
    ).toEqual([])
    expect((await balances()).slice(0, 2), 'balances of accounts 1 and 2').toEqual([START - 2, START + 2])
  })
})
