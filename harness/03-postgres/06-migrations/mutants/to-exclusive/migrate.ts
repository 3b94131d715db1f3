import type { Pool, PoolClient } from 'pg'

export interface Migration {
  /** Unique, positive; migrations run in ascending version order. */
  version: number
  name: string
  /** SQL that applies the change (may hold several statements). */
  up: string
  /** SQL that undoes exactly what `up` did. */
  down: string
}

const TABLE = 'schema_migrations'
// Any constant works: it only has to be the same for every runner of this database.
const LOCK_KEY = 727_001

/** Versions recorded in schema_migrations, ascending (an empty list before the first run). */
export async function appliedVersions(pool: Pool): Promise<number[]> {
  await ensureTable(pool)
  const { rows } = await pool.query<{ version: string }>(`SELECT version FROM ${TABLE} ORDER BY version`)
  return rows.map((r) => Number(r.version))
}

/** Applies every pending migration (up to `to`), each in its own transaction. */
export async function migrateUp(pool: Pool, migrations: Migration[], opts: { to?: number } = {}): Promise<number[]> {
  const sorted = validate(migrations)
  return withLock(pool, async (client) => {
    const done = new Set(await readVersions(client))
    const applied: number[] = []
    for (const m of sorted) {
      if (done.has(m.version) || (opts.to !== undefined && m.version >= opts.to)) continue
      await inTransaction(client, m, 'up', async () => {
        await client.query(m.up)
        await client.query(`INSERT INTO ${TABLE} (version, name) VALUES ($1, $2)`, [m.version, m.name])
      })
      applied.push(m.version)
    }
    return applied
  })
}

/** Reverts the latest `steps` applied migrations (default 1), newest first. */
export async function migrateDown(pool: Pool, migrations: Migration[], opts: { steps?: number } = {}): Promise<number[]> {
  const byVersion = new Map(validate(migrations).map((m) => [m.version, m]))
  const steps = opts.steps ?? 1
  return withLock(pool, async (client) => {
    const latest = (await readVersions(client)).reverse().slice(0, steps)
    const reverted: number[] = []
    for (const version of latest) {
      const m = byVersion.get(version)
      if (!m) throw new Error(`migration ${version} is applied but not in the list: cannot revert it`)
      await inTransaction(client, m, 'down', async () => {
        await client.query(m.down)
        await client.query(`DELETE FROM ${TABLE} WHERE version = $1`, [version])
      })
      reverted.push(version)
    }
    return reverted
  })
}

function validate(migrations: Migration[]): Migration[] {
  const seen = new Set<number>()
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= 0) throw new Error(`migration "${m.name}": version must be a positive integer, got ${m.version}`)
    if (seen.has(m.version)) throw new Error(`two migrations have version ${m.version}`)
    seen.add(m.version)
  }
  return [...migrations].sort((a, b) => a.version - b.version)
}

const ensureTable = (db: Pool | PoolClient) =>
  db.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (
    version bigint PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now())`)

async function readVersions(client: PoolClient): Promise<number[]> {
  const { rows } = await client.query<{ version: string }>(`SELECT version FROM ${TABLE} ORDER BY version`)
  return rows.map((r) => Number(r.version))
}

/**
 * One runner at a time: a session-level advisory lock held on one connection for the
 * whole run. A second runner waits, then reads the versions the first one recorded.
 */
async function withLock<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY])
    try {
      await ensureTable(client)
      return await fn(client)
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY])
    }
  } finally {
    client.release()
  }
}

/** The change and its bookkeeping commit together, or not at all. */
async function inTransaction(client: PoolClient, m: Migration, direction: 'up' | 'down', fn: () => Promise<void>) {
  await client.query('BEGIN')
  try {
    await fn()
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK')
    throw new Error(`migration ${m.version} (${m.name}) ${direction} failed: ${(err as Error).message}`, { cause: err })
  }
}
