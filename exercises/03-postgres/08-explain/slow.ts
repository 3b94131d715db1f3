import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

export interface PlanNodeSummary {
  type: string
  relation?: string
  index?: string
  actualRows: number
  loops: number
}
export interface PlanSummary {
  executionMs: number
  planningMs: number
  /** Every node of the plan, depth first, the root first. */
  nodes: PlanNodeSummary[]
}

/** Runs EXPLAIN (ANALYZE, FORMAT JSON) on the query and flattens its plan. */
export async function planSummary(db: Db, sql: string, params: unknown[] = []): Promise<PlanSummary> {
  throw new Error('TODO: planSummary — run `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}` with params and flatten the plan tree\nTODO(ru): planSummary — выполнить `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}` с params и развернуть дерево плана в плоский список')
}

/** Runs once after the data is loaded: the place for the index a query is missing. */
export async function tune(db: Db): Promise<void> {
  // Nothing yet. Use planSummary on the queries below to see what they need.
}

export interface Order {
  id: number
  customerId: number
  totalCents: number
}

/** Orders placed on `day` ('YYYY-MM-DD'), by id. Correct, but slow: find out why and fix it. */
export async function ordersOfDay(db: Db, day: string): Promise<Order[]> {
  const { rows } = await db.query<Order>(
    `SELECT id, customer_id AS "customerId", total_cents AS "totalCents"
       FROM orders
      WHERE created_at::date = $1
      ORDER BY id`,
    [day],
  )
  return rows
}

/** The customer with this email, compared case-insensitively, or null. Correct, but slow too. */
export async function findCustomer(db: Db, email: string): Promise<{ id: number; email: string } | null> {
  const { rows } = await db.query<{ id: number; email: string }>('SELECT id, email FROM customers WHERE lower(email) = lower($1)', [email])
  return rows[0] ?? null
}
