import { randomBytes } from 'node:crypto'
import type pg from 'pg'
import { createDatabase, databaseName, databaseUrl, dropDatabase } from './postgres-databases.ts'

/**
 * Every run role is a member of this group: what the katas legitimately need beyond
 * owning their database is granted to it once (a kata sets deadlock_timeout, which only a
 * superuser may set unless granted).
 */
export const RUN_GROUP = 'roadmap_run'
/** Run roles share the database's name (rm_<unix time>_<random>): the sweep ages both the same way. */
const ROLE_PATTERN = 'rm\\_%'
const STALE_SECONDS = 3600

/** A database of one run, owned by a role of its own that can do nothing else. */
export interface RunDatabase {
  name: string
  /** The run role's URL: the only PostgreSQL URL graded code gets. */
  url: string
  /** Further databases of the same role (`<name>_2`, …). */
  extra: string[]
}

async function ensureRunGroup(c: pg.Client) {
  const { rowCount } = await c.query('select 1 from pg_roles where rolname = $1', [RUN_GROUP])
  if (rowCount) return
  try {
    await c.query(`create role ${RUN_GROUP} nologin nosuperuser nocreatedb nocreaterole noreplication`)
  } catch (err) {
    // Another grader made it at the same moment.
    if ((err as { code?: string }).code !== '42710') throw err
  }
  // PostgreSQL 15 and later grant parameters one by one; before that the kata cannot set it.
  await c.query(`grant set on parameter deadlock_timeout to ${RUN_GROUP}`).catch(() => undefined)
}

/**
 * A role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS with a random
 * password, owning a fresh clone of the template that no one else may connect to.
 */
export async function createRunDatabase(c: pg.Client, adminUrl: string): Promise<RunDatabase> {
  await ensureRunGroup(c)
  const name = databaseName()
  const password = randomBytes(18).toString('base64url')
  await c.query(`create role ${name} login nosuperuser nocreatedb nocreaterole noreplication nobypassrls in role ${RUN_GROUP} password '${password}'`)
  try {
    await createOwned(c, name, name)
  } catch (err) {
    await dropRunDatabase(c, name)
    throw err
  }
  const u = new URL(databaseUrl(adminUrl, name))
  u.username = name
  u.password = password
  return { name, url: u.toString(), extra: [] }
}

async function createOwned(c: pg.Client, name: string, role: string) {
  await createDatabase(c, name, role)
  await c.query(`revoke all on database ${name} from public`)
}

/** One more database of the run's role, for a suite that uses two (a primary and a replica). */
export async function addRunDatabase(c: pg.Client, run: RunDatabase): Promise<string> {
  const name = `${run.name}_${run.extra.length + 2}`
  await createOwned(c, name, run.name)
  run.extra.push(name)
  return name
}

/** Drops the run's databases (their connections ended) and its role. */
export async function dropRunDatabase(c: pg.Client, name: string) {
  const { rows } = await c.query<{ datname: string }>('select datname from pg_database where datname = $1 or datname like $2', [name, `${name}\\_%`])
  for (const { datname } of rows) await dropDatabase(c, datname)
  // Anything the role still owns elsewhere (PostgreSQL < 15 lets it create in public) goes too.
  await c.query(`drop owned by ${name}`).catch(() => undefined)
  await c.query(`drop role if exists ${name}`)
}

/** Roles of runs whose grader died (older than an hour), with their databases. */
export async function dropStaleRunRoles(c: pg.Client) {
  const { rows } = await c.query<{ rolname: string }>('select rolname from pg_roles where rolname like $1', [ROLE_PATTERN])
  const now = Math.floor(Date.now() / 1000)
  for (const { rolname } of rows) {
    const born = Number(rolname.split('_')[1])
    if (born && now - born > STALE_SECONDS) await dropRunDatabase(c, rolname).catch(() => undefined)
  }
}
