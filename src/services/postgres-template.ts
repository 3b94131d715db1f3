import pg from 'pg'
import { databaseUrl, ensureTemplate, TEMPLATE } from './postgres-databases.ts'

/**
 * What a clean template holds beyond the system catalogs: nothing. Each query lists what
 * would be copied into every clone: an event trigger there runs in the next student's
 * database, a function or table there changes what their queries see.
 */
const CHECKS: [what: string, sql: string][] = [
  ['event trigger', 'select evtname as name from pg_event_trigger'],
  ['extension', "select extname as name from pg_extension where extname <> 'plpgsql'"],
  ['schema', "select nspname as name from pg_namespace where nspname <> 'public' and nspname <> 'information_schema' and nspname !~ '^pg_'"],
  ['relation', "select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')"],
  ['function', "select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname not in ('pg_catalog', 'information_schema')"],
  ['type', "select t.typname as name from pg_type t join pg_namespace n on n.oid = t.typnamespace where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')"],
  ['operator', "select o.oprname as name from pg_operator o join pg_namespace n on n.oid = o.oprnamespace where n.nspname <> 'pg_catalog'"],
  ['default privilege', 'select defaclrole::regrole::text as name from pg_default_acl'],
  ['publication', 'select pubname as name from pg_publication'],
  ['public schema grant', "select 'public: ' || coalesce(array_to_string(nspacl, ','), '') as name from pg_namespace where nspname = 'public' and (nspowner <> 'pg_database_owner'::regrole or coalesce(array_to_string(nspacl, ','), '') !~ '^pg_database_owner=UC/pg_database_owner,=U/pg_database_owner$')"],
]

/** Everything in the template that a fresh one would not hold, as "<kind> <name>". */
export async function templateProblems(adminUrl: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: databaseUrl(adminUrl, TEMPLATE), connectionTimeoutMillis: 3000 })
  c.on('error', () => undefined)
  await c.connect()
  try {
    const found: string[] = []
    for (const [what, sql] of CHECKS) {
      const { rows } = await c.query<{ name: string }>(sql)
      found.push(...rows.map((r) => `${what} ${r.name}`))
    }
    return found
  } finally {
    await c.end().catch(() => undefined)
  }
}

/**
 * Before a grade: the template is checked, and rebuilt from template0 (which no one can
 * connect to) when it holds anything; then only the admin may connect to it.
 * Returns what was found (empty: it was clean).
 */
export async function guardTemplate(c: pg.Client, adminUrl: string): Promise<string[]> {
  await ensureTemplate(c)
  const problems = await templateProblems(adminUrl)
  if (problems.length) {
    await c.query(`drop database if exists ${TEMPLATE} with (force)`)
    await ensureTemplate(c)
  }
  await c.query(`revoke all on database ${TEMPLATE} from public`)
  return problems
}
