import { beforeEach, describe, expect, it } from 'vitest'
import { usePostgres } from '#support/postgres'
import { pgError } from '#support/postgres-katas'
import { forceRace, instrument } from '#support/faults/postgres'
import { appliedVersions, migrateDown, migrateUp } from '@kata/postgres/migrations'

const pg = usePostgres()

interface Migration { version: number; name: string; up: string; down: string }

const m1: Migration = { version: 1, name: 'create_users', up: 'CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL)', down: 'DROP TABLE users' }
const m2: Migration = { version: 2, name: 'add_users_name', up: 'ALTER TABLE users ADD COLUMN name text', down: 'ALTER TABLE users DROP COLUMN name' }
const m3: Migration = {
  version: 3,
  name: 'create_posts',
  up: 'CREATE TABLE posts (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES users, title text NOT NULL);\nINSERT INTO users (email, name) VALUES (\'admin@example.com\', \'Admin\');',
  down: "DROP TABLE posts;\nDELETE FROM users WHERE email = 'admin@example.com';",
}
const m4: Migration = { version: 10, name: 'index_posts_user', up: 'CREATE INDEX posts_user_id_idx ON posts (user_id)', down: 'DROP INDEX posts_user_id_idx' }
const all = [m1, m2, m3, m4]

beforeEach(async () => {
  // A clean database for every test: the migrations and their bookkeeping table go away.
  await pg.pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public')
})

const tables = async () =>
  (await pg.pool.query<{ t: string }>(`SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1`)).rows.map((r) => r.t)
const columns = async (table: string) =>
  (await pg.pool.query<{ c: string }>(`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, [table])).rows.map((r) => r.c)
const records = async () =>
  (await pg.pool.query<{ version: string; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows.map((r) => ({ version: Number(r.version), name: r.name }))
const indexExists = async (name: string) => (await pg.pool.query(`SELECT to_regclass($1) AS i`, [`public.${name}`])).rows[0].i !== null

describe('step 1: migrateUp applies each migration once and records it', () => {
  it('applies pending migrations in version order (whatever the array order) and returns their versions', async () => {
    const done = await migrateUp(pg.pool, [m3, m1, m4, m2])
    expect(done, 'migrateUp(pool, [v3, v1, v10, v2]) on an empty database').toEqual([1, 2, 3, 10])
    expect(await tables(), 'tables after migrateUp').toEqual(['posts', 'users'])
    expect(await columns('users'), 'columns of users after migrateUp').toEqual(['id', 'email', 'name'])
    expect(await indexExists('posts_user_id_idx'), 'index posts_user_id_idx (migration 10) exists').toBe(true)
  })

  it('records every applied migration in schema_migrations (version, name)', async () => {
    await migrateUp(pg.pool, all)
    expect(await records(), 'SELECT version, name FROM schema_migrations').toEqual(all.map(({ version, name }) => ({ version, name })))
    expect(await appliedVersions(pg.pool), 'appliedVersions(pool)').toEqual([1, 2, 3, 10])
  })

  it('is safe to run twice: the second run applies nothing and returns []', async () => {
    await migrateUp(pg.pool, all)
    expect(await migrateUp(pg.pool, all), 'second migrateUp(pool, all)').toEqual([])
    const { rows } = await pg.pool.query('SELECT count(*)::int AS n FROM users')
    expect(rows[0].n, 'users rows: migration 3 inserts one admin, and must not have run twice').toBe(1)
  })

  it('applies only the migrations added since the last run', async () => {
    expect(await migrateUp(pg.pool, [m1, m2]), 'migrateUp(pool, [v1, v2])').toEqual([1, 2])
    expect(await migrateUp(pg.pool, all), 'then migrateUp(pool, [v1, v2, v3, v10])').toEqual([3, 10])
  })

  it('stops at opts.to', async () => {
    expect(await migrateUp(pg.pool, all, { to: 2 }), 'migrateUp(pool, all, { to: 2 })').toEqual([1, 2])
    expect(await tables(), 'tables after migrating to version 2').toEqual(['users'])
    expect(await migrateUp(pg.pool, all), 'then migrateUp(pool, all)').toEqual([3, 10])
  })

  it('appliedVersions(pool) is [] on a database that was never migrated', async () => {
    expect(await appliedVersions(pg.pool), 'appliedVersions(pool) on an empty database').toEqual([])
  })

  it('refuses a list with two migrations of the same version, before changing anything', async () => {
    const twin = { ...m2, name: 'twin' }
    const err = await pgError(migrateUp(pg.pool, [m1, m2, twin]))
    expect(err, 'migrateUp(pool, [v1, v2, v2 again]) must throw').toBeInstanceOf(Error)
    expect(await tables(), 'tables after the refused run').toEqual([])
    expect(await migrateUp(pg.pool, [m1, m2]), 'then migrateUp(pool, [v1, v2]) with the twin removed').toEqual([1, 2])
  })
})

describe('step 2: a failing migration changes nothing', () => {
  const broken: Migration = {
    version: 3,
    name: 'create_posts_broken',
    up: 'CREATE TABLE posts (id serial PRIMARY KEY, title text);\nINSERT INTO no_such_table VALUES (1);',
    down: 'DROP TABLE posts',
  }

  it('rolls back the failing migration entirely, keeps the ones before it, stops there and throws', async () => {
    const err = await pgError(migrateUp(pg.pool, [m1, m2, broken, m4]))
    expect(err, 'migrateUp with a broken migration 3 must reject').toBeInstanceOf(Error)
    expect(err?.message, 'the error message should name the failing version so an operator can find it').toMatch(/\b3\b/)
    expect(await tables(), 'tables after the failed run: migration 3 created "posts" and must be rolled back').toEqual(['users'])
    expect((await records()).map((r) => r.version), 'versions recorded after the failed run').toEqual([1, 2])
  })

  it('a migration whose bookkeeping fails leaves nothing behind either (one transaction for both)', async () => {
    // The suite makes the INSERT of version 2's record fail; the ALTER TABLE before it must go too.
    const { pool } = instrument(pg.pool, {
      before(s) {
        if (/insert\s+into\s+"?schema_migrations/i.test(s.text) && JSON.stringify(s.values ?? []).includes('add_users_name')) throw new Error('injected: the disk is full')
      },
    })
    const err = await pgError(migrateUp(pool, [m1, m2, m3]))
    expect(err, 'migrateUp when recording migration 2 fails must reject').toBeInstanceOf(Error)
    expect(await columns('users'), 'columns of users: migration 2 added "name", and its record could not be written, so the column must be rolled back with it').toEqual(['id', 'email'])
    expect((await records()).map((r) => r.version), 'versions recorded').toEqual([1])
  })

  it('after the fix, the next run applies the rest', async () => {
    await pgError(migrateUp(pg.pool, [m1, m2, broken, m4]))
    expect(await migrateUp(pg.pool, all), 'migrateUp(pool, all) after fixing migration 3').toEqual([3, 10])
  })
})

describe('step 3: migrateDown reverts, newest first', () => {
  it('reverts the latest migration by default and deletes its record', async () => {
    await migrateUp(pg.pool, all)
    expect(await migrateDown(pg.pool, all), 'migrateDown(pool, all)').toEqual([10])
    expect(await indexExists('posts_user_id_idx'), 'index of migration 10 after reverting it').toBe(false)
    expect(await appliedVersions(pg.pool), 'appliedVersions after one step down').toEqual([1, 2, 3])
  })

  it('reverts `steps` migrations in reverse order', async () => {
    await migrateUp(pg.pool, all)
    // 2 must be undone before 1: its down alters the table that 1's down drops.
    expect(await migrateDown(pg.pool, all, { steps: 3 }), 'migrateDown(pool, all, { steps: 3 })').toEqual([10, 3, 2])
    expect(await tables(), 'tables after three steps down').toEqual(['users'])
    expect(await columns('users'), 'columns of users after three steps down').toEqual(['id', 'email'])
    expect(await migrateDown(pg.pool, all, { steps: 5 }), 'migrateDown(pool, all, { steps: 5 }) with one left').toEqual([1])
    expect(await migrateDown(pg.pool, all), 'migrateDown(pool, all) with nothing applied').toEqual([])
  })

  it('is reversible: up, all the way down, up again gives the same schema', async () => {
    await migrateUp(pg.pool, all)
    const before = { tables: await tables(), users: await columns('users'), posts: await columns('posts') }
    await migrateDown(pg.pool, all, { steps: 4 })
    expect(await tables(), 'tables after reverting everything').toEqual([])
    expect(await migrateUp(pg.pool, all), 'migrateUp(pool, all) after reverting everything').toEqual([1, 2, 3, 10])
    expect({ tables: await tables(), users: await columns('users'), posts: await columns('posts') }, 'schema after up, down, up').toEqual(before)
  })

  it('a failing down is rolled back and its migration stays recorded', async () => {
    await migrateUp(pg.pool, all)
    const badDown = all.map((m) => (m.version === 10 ? { ...m, down: 'DROP INDEX posts_user_id_idx; DROP TABLE no_such_table;' } : m))
    const err = await pgError(migrateDown(pg.pool, badDown))
    expect(err, 'migrateDown with a broken down of migration 10 must reject').toBeInstanceOf(Error)
    expect(await indexExists('posts_user_id_idx'), 'the index dropped by the failed down must be back (rolled back)').toBe(true)
    expect(await appliedVersions(pg.pool), 'appliedVersions after the failed down').toEqual([1, 2, 3, 10])
  })
})

describe('step 4: two runners at once', () => {
  it('two migrateUp calls at the same time (two pools) apply each migration exactly once, and neither fails', async () => {
    const slow: Migration[] = all.map((m) => ({ ...m, up: `SELECT pg_sleep(0.05);\n${m.up}` }))
    const [a, b] = [pg.newPool({ max: 2 }), pg.newPool({ max: 2 })]
    const results = await Promise.allSettled([migrateUp(a, slow), migrateUp(b, slow)])
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason?.message ?? r))
    expect(failed, 'errors of two concurrent migrateUp calls (both read "nothing applied" and raced?)').toEqual([])
    const applied = results.flatMap((r) => (r.status === 'fulfilled' ? (r.value as number[]) : []))
    expect(applied.sort((x, y) => x - y), 'versions applied by the two runners together').toEqual([1, 2, 3, 10])
    expect(await records(), 'schema_migrations after two concurrent runs').toEqual(all.map(({ version, name }) => ({ version, name })))
  })
})

describe('step 4: forced interleaving', () => {
  it('a second runner that starts while the first has read the applied versions waits for it', async () => {
    // The first runner is paused right after it read schema_migrations; the second runs until it
    // has read them too, or waits on a lock the first one holds.
    const { first, second, report } = await forceRace(pg.newPool({ max: 4 }), (p) => migrateUp(p, all), (p) => migrateUp(p, all), {
      touches: (sql) => /\bselect\b[\s\S]*\bschema_migrations\b/i.test(sql),
      observer: pg.pool,
      timeoutMs: 3000,
    })
    const failed = [first, second].flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error)?.message)] : []))
    expect(
      failed,
      report.secondReadWhilePaused
        ? 'the second runner read "what is applied" while the first was about to apply: both saw nothing applied and both ran migration 1. Hold pg_advisory_lock for the whole run, before reading the versions'
        : 'errors of two overlapping migrateUp calls',
    ).toEqual([])
    const applied = [first, second].flatMap((r) => (r.status === 'fulfilled' ? (r.value as number[]) : []))
    expect(applied.sort((x, y) => x - y), 'versions applied by the two runners together').toEqual([1, 2, 3, 10])
  })
})
