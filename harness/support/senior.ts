// Helpers for the suites of chapter 14 (senior): calling the learner's factories with a
// readable failure, PostgreSQL errors and EXPLAIN plans as data, a real listening HTTP
// server, and timing that compares two implementations in the same run.
import type pg from 'pg'
import { expect } from 'vitest'

/** "TypeError: boom" for an Error, the value otherwise: for failure messages. */
export function describeThrown(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`
  try {
    return JSON.stringify(err)
  } catch {
    return String(err)
  }
}

/** Runs a call of the learner's code; a throw becomes a failure that names the call. */
export function attempt<T>(what: string, fn: () => T): T {
  try {
    return fn()
  } catch (err) {
    return expect.fail(`${what} threw ${describeThrown(err)}`)
  }
}

/** Awaits a call of the learner's code; a rejection becomes a failure that names the call. */
export async function attemptAsync<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    return expect.fail(`${what} threw ${describeThrown(err)}`)
  }
}

export type PgError = Error & { code?: string; constraint?: string; detail?: string }

/** The error a PostgreSQL call rejected with, or undefined when it succeeded. */
export async function pgError(p: Promise<unknown>): Promise<PgError | undefined> {
  try {
    await p
    return undefined
  } catch (err) {
    return err as PgError
  }
}

/** One node of `EXPLAIN (FORMAT JSON)`. */
export interface PlanNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  Plans?: PlanNode[]
  [key: string]: unknown
}

export interface Plan {
  nodes: PlanNode[]
  /** Indented like psql prints it, for failure messages. */
  text: string
}

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)]
}

function render(node: PlanNode, depth = 0): string {
  const using = node['Index Name'] ? ` using ${node['Index Name']}` : ''
  const on = node['Relation Name'] ? ` on ${node['Relation Name']}` : ''
  return [`${'  '.repeat(depth)}${depth ? '-> ' : ''}${node['Node Type']}${using}${on}`, ...(node.Plans ?? []).map((p) => render(p, depth + 1))].join('\n')
}

/** `EXPLAIN (FORMAT JSON)` of a query with its parameters (the query is planned, not run). */
export async function explain(db: Pick<pg.Pool, 'query'>, text: string, values: unknown[] = []): Promise<Plan> {
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${text}`, values)
  const root = rows[0]!['QUERY PLAN'][0].Plan
  return { nodes: flatten(root), text: render(root) }
}

/** Nodes that read `table` row by row from the heap (Seq Scan). */
export const seqScansOn = (plan: Plan, table: string) => plan.nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === table)

/** Nodes that read through an index: Index Scan, Index Only Scan, Bitmap Index Scan. */
export const indexScans = (plan: Plan) => plan.nodes.filter((n) => /Index( Only)? Scan$|^Bitmap Index Scan$/.test(n['Node Type']))

export interface RecordedQuery {
  text: string
  values: unknown[] | undefined
}

/** A `db` for the kata that forwards to `pool` and remembers every query it was sent. */
export function recordingDb(pool: pg.Pool): { db: Pick<pg.Pool, 'query'>; queries: RecordedQuery[] } {
  const queries: RecordedQuery[] = []
  const query = (textOrConfig: string | pg.QueryConfig, values?: unknown[]) => {
    const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text
    queries.push({ text, values: typeof textOrConfig === 'string' ? values : (textOrConfig.values ?? values) })
    return pool.query(textOrConfig as string, values)
  }
  return { db: { query } as unknown as Pick<pg.Pool, 'query'>, queries }
}

export { listen, type Listening } from './http.ts'

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

/**
 * CPU time (ms, this process: every thread, libuv's pool included) that each of two calls
 * costs, alternated over `rounds`; returns the median of each side. Unlike wall time it does
 * not grow when other processes load the machine, so "b hashes, a does not" shows the same
 * on a busy machine as on an idle one.
 */
export async function compareCpuTime(rounds: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>): Promise<{ a: number; b: number }> {
  const ta: number[] = []
  const tb: number[] = []
  for (let i = 0; i < rounds; i++) {
    const first = i % 2 === 0
    for (const [fn, into] of first ? ([[a, ta], [b, tb]] as const) : ([[b, tb], [a, ta]] as const)) {
      const used = process.cpuUsage()
      await fn(i)
      const spent = process.cpuUsage(used)
      into.push((spent.user + spent.system) / 1000)
    }
  }
  return { a: median(ta), b: median(tb) }
}

/**
 * Wall time of two calls, alternated so a burst of load hits both alike; returns the best
 * (smallest) time of each side. Load from other processes only ever adds time, so best
 * against best holds on a busy machine as on an idle one, where medians drift.
 */
export async function compareBest(rounds: number, a: (i: number) => Promise<unknown>, b: (i: number) => Promise<unknown>): Promise<{ a: number; b: number; all: { a: number[]; b: number[] } }> {
  const ta: number[] = []
  const tb: number[] = []
  for (let i = 0; i < rounds; i++) {
    const first = i % 2 === 0
    for (const [fn, into] of first ? ([[a, ta], [b, tb]] as const) : ([[b, tb], [a, ta]] as const)) {
      const t0 = performance.now()
      await fn(i)
      into.push(performance.now() - t0)
    }
  }
  return { a: Math.min(...ta), b: Math.min(...tb), all: { a: ta, b: tb } }
}

import { sleep } from './async.ts'
export { sleep }
