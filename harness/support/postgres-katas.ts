// Helpers shared by the suites of chapter 03 (postgres): a pool stand-in that records
// the learner's queries, EXPLAIN plans as data, and PostgreSQL errors as values.
import type pg from 'pg'

export interface RecordedQuery {
  text: string
  values: unknown[] | undefined
  /** Rows the query returned to the kata (set once it has answered). */
  rows?: number
}

export interface RecordingDb {
  /** Hand this to the kata: it has only `query`, like `Pick<pg.Pool, 'query'>`. */
  db: Pick<pg.Pool, 'query'>
  /** Every query the kata sent through `db`, in order. */
  queries: RecordedQuery[]
  /** Forgets the recorded queries. */
  reset(): void
}

/** Wraps a pool's `query` so the suite can count and replay what the kata sends. */
export function recordingDb(pool: pg.Pool): RecordingDb {
  const queries: RecordedQuery[] = []
  const query = (textOrConfig: string | pg.QueryConfig, values?: unknown[]) => {
    const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text
    const vals = typeof textOrConfig === 'string' ? values : (textOrConfig.values ?? values)
    const rec: RecordedQuery = { text, values: vals }
    queries.push(rec)
    return pool.query(textOrConfig as string, values).then((res) => {
      rec.rows = Array.isArray(res) ? undefined : res.rows.length
      return res
    })
  }
  return {
    db: { query } as unknown as Pick<pg.Pool, 'query'>,
    queries,
    reset() {
      queries.length = 0
    },
  }
}

/** One node of `EXPLAIN (FORMAT JSON)`. */
export interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Actual Rows'?: number
  'Actual Loops'?: number
  'Rows Removed by Filter'?: number
  'Shared Hit Blocks'?: number
  'Shared Read Blocks'?: number
  Plans?: PlanNode[]
  [key: string]: unknown
}

export interface Plan {
  root: PlanNode
  /** Every node, depth first. */
  nodes: PlanNode[]
  /** A readable rendering, like `EXPLAIN` prints it, for failure messages. */
  text: string
  executionMs?: number
}

/** All nodes of a plan, depth first. */
export function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)]
}

/** The plan as indented lines: "Index Scan using orders_pkey on orders (rows=1)". */
export function renderPlan(node: PlanNode, depth = 0): string {
  const on = node['Relation Name'] ? ` on ${node['Relation Name']}` : ''
  const using = node['Index Name'] ? ` using ${node['Index Name']}` : ''
  const rows = node['Actual Rows'] !== undefined ? ` (actual rows=${node['Actual Rows']} loops=${node['Actual Loops']})` : ''
  const line = `${'  '.repeat(depth)}${depth ? '-> ' : ''}${node['Node Type']}${using}${on}${rows}`
  return [line, ...(node.Plans ?? []).map((p) => renderPlan(p, depth + 1))].join('\n')
}

/** `EXPLAIN (FORMAT JSON [, ANALYZE, BUFFERS])` of a query with its parameters. */
export async function explain(db: Pick<pg.Pool, 'query'>, text: string, values: unknown[] = [], opts: { analyze?: boolean } = {}): Promise<Plan> {
  const options = opts.analyze ? 'ANALYZE, BUFFERS, FORMAT JSON' : 'FORMAT JSON'
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time'?: number }] }>(`EXPLAIN (${options}) ${text}`, values)
  const top = rows[0]!['QUERY PLAN'][0]
  return { root: top.Plan, nodes: flatten(top.Plan), text: renderPlan(top.Plan), executionMs: top['Execution Time'] }
}

/** Index scans of a plan: Index Scan, Index Only Scan, Bitmap Index Scan. */
export function indexScans(plan: Plan): PlanNode[] {
  return plan.nodes.filter((n) => /Index( Only)? Scan$|^Bitmap Index Scan$/.test(n['Node Type']))
}

/** The error a PostgreSQL call rejected with, or undefined when it succeeded. */
export async function pgError(p: Promise<unknown>): Promise<(Error & { code?: string; constraint?: string; table?: string; column?: string; detail?: string }) | undefined> {
  try {
    await p
    return undefined
  } catch (err) {
    return err as Error & { code?: string }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
