// A fresh PostgreSQL database per suite, cloned from a template and dropped after.
import pg from 'pg'
import { afterAll, beforeAll } from 'vitest'
import { serviceUrl, unavailable } from './services.ts'

const TEMPLATE = 'roadmap_template'
const PREFIX = 'rm_'
/** Databases left by a run that was killed are dropped after this long. */
const STALE_SECONDS = 3600

export interface PostgresFixture {
  /** Connection URL of this suite's own database. */
  readonly url: string
  /** A pool on this suite's database (closed after the suite). */
  readonly pool: pg.Pool
  /** A fresh pool, for tests that need several independent connections. */
  newPool(config?: pg.PoolConfig): pg.Pool
  /** A single client, connected; closed after the suite. */
  client(): Promise<pg.Client>
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 })
  try {
    await c.connect()
  } catch (err) {
    throw unavailable('postgres', err)
  }
  try {
    return await fn(c)
  } finally {
    await c.end().catch(() => undefined)
  }
}

async function ensureTemplate(c: pg.Client) {
  const { rowCount } = await c.query('select 1 from pg_database where datname = $1', [TEMPLATE])
  if (rowCount) return
  try {
    await c.query(`create database ${TEMPLATE} template template0`)
  } catch (err) {
    // Two suites starting at once may both try: losing that race is fine.
    if ((err as { code?: string }).code !== '42P04' && (err as { code?: string }).code !== '23505') throw err
  }
}

async function dropStale(c: pg.Client) {
  const { rows } = await c.query<{ datname: string }>('select datname from pg_database where datname like $1', [`${PREFIX}%`])
  const now = Math.floor(Date.now() / 1000)
  for (const { datname } of rows) {
    const born = Number(datname.split('_')[1])
    if (born && now - born > STALE_SECONDS) await c.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined)
  }
}

/**
 * Call at the top of a suite. Before the tests, creates a database of its own; after
 * them, closes every connection the fixture handed out and drops the database.
 */
export function usePostgres(): PostgresFixture {
  let url = ''
  let mainPool: pg.Pool | undefined
  let dbName = ''
  let adminUrl = ''
  const pools: pg.Pool[] = []
  const clients: pg.Client[] = []

  beforeAll(async () => {
    adminUrl = serviceUrl('postgres')
    dbName = `${PREFIX}${Math.floor(Date.now() / 1000)}_${Math.random().toString(36).slice(2, 10)}`
    await admin(adminUrl, async (c) => {
      await ensureTemplate(c)
      await c.query(`create database ${dbName} template ${TEMPLATE}`)
      void dropStale(c).catch(() => undefined)
    })
    const u = new URL(adminUrl)
    u.pathname = `/${dbName}`
    url = u.toString()
  })

  afterAll(async () => {
    await Promise.allSettled([...pools.map((p) => p.end()), ...clients.map((c) => c.end())])
    if (dbName) await admin(adminUrl, (c) => c.query(`drop database if exists ${dbName} with (force)`)).catch(() => undefined)
  })

  const newPool = (config: pg.PoolConfig = {}) => {
    if (!url) throw new Error('usePostgres(): the database exists only inside tests and hooks')
    const p = new pg.Pool({ connectionString: url, max: 10, ...config })
    p.on('error', () => undefined)
    pools.push(p)
    return p
  }

  return {
    get url() {
      return url
    },
    get pool() {
      mainPool ??= newPool()
      return mainPool
    },
    newPool,
    async client() {
      const c = new pg.Client({ connectionString: url })
      c.on('error', () => undefined)
      try {
        await c.connect()
      } catch (err) {
        throw unavailable('postgres', err)
      }
      clients.push(c)
      return c
    },
  }
}
