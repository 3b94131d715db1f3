// Loaded on first use: the suites of every service reach this module through support-api,
// and a Redis or RabbitMQ kata's worker should not load the PostgreSQL client on a save.
import type pg from 'pg'

/** Every suite database is cloned from this template (cheap: WAL_LOG strategy, ~23 ms). */
export const TEMPLATE = 'roadmap_template'
const PREFIX = 'rm_'
/** Databases left by a run that was killed are dropped after this long. */
const STALE_SECONDS = 3600

/** A fresh, unique name: the prefix, the creation time (for stale clean-up), a random part. */
export const databaseName = () => `${PREFIX}${Math.floor(Date.now() / 1000)}_${Math.random().toString(36).slice(2, 10)}`

export async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const { default: pgClient } = await import('pg')
  const c = new pgClient.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 })
  c.on('error', () => undefined)
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end().catch(() => undefined)
  }
}

export async function ensureTemplate(c: pg.Client) {
  const { rowCount } = await c.query('select 1 from pg_database where datname = $1', [TEMPLATE])
  if (rowCount) return
  try {
    await c.query(`create database ${TEMPLATE} template template0`)
  } catch (err) {
    // Two suites starting at once may both try: losing that race is fine.
    const code = (err as { code?: string }).code
    if (code !== '42P04' && code !== '23505') throw err
  }
}

/** Clones the template; `owner`: the role the database belongs to (default: the admin). */
export async function createDatabase(c: pg.Client, name = databaseName(), owner?: string): Promise<string> {
  await ensureTemplate(c)
  const sql = `create database ${name} template ${TEMPLATE}${owner ? ` owner ${owner}` : ''}`
  try {
    await c.query(sql)
  } catch (err) {
    // 55006: someone is connected to the template (the grader checking it): try once more.
    if ((err as { code?: string }).code !== '55006') throw err
    await new Promise((r) => setTimeout(r, 200))
    await c.query(sql)
  }
  return name
}

export const dropDatabase = (c: pg.Client, name: string) => c.query(`drop database if exists ${name} with (force)`)

export async function dropStale(c: pg.Client) {
  const { rows } = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${PREFIX}%`])
  const now = Math.floor(Date.now() / 1000)
  for (const { datname } of rows) {
    const born = Number(datname.split('_')[1])
    if (born && now - born > STALE_SECONDS) await dropDatabase(c, datname).catch(() => undefined)
  }
}

/** The URL of a database on the same server as `adminUrl`. */
export function databaseUrl(adminUrl: string, name: string): string {
  const u = new URL(adminUrl)
  u.pathname = `/${name}`
  return u.toString()
}
