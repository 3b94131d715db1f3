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

interface RawNode {
  'Node Type': string
  'Relation Name'?: string
  'Index Name'?: string
  'Actual Rows': number
  'Actual Loops': number
  Plans?: RawNode[]
}

/** Runs EXPLAIN (ANALYZE, FORMAT JSON) on the query and flattens its plan. */
export async function planSummary(db: Db, sql: string, params: unknown[] = []): Promise<PlanSummary> {
  // EXPLAIN takes the same parameters as the query itself.
  const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: RawNode; 'Execution Time': number; 'Planning Time': number }] }>(
    `EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`,
    params,
  )
  const top = rows[0]!['QUERY PLAN'][0]
  const nodes: PlanNodeSummary[] = []
  const walk = (n: RawNode) => {
    nodes.push({
      type: n['Node Type'],
      ...(n['Relation Name'] !== undefined && { relation: n['Relation Name'] }),
      ...(n['Index Name'] !== undefined && { index: n['Index Name'] }),
      actualRows: n['Actual Rows'],
      loops: n['Actual Loops'],
    })
    n.Plans?.forEach(walk)
  }
  walk(top.Plan)
  return { executionMs: top['Execution Time'], planningMs: top['Planning Time'], nodes }
}

/** Runs once after the data is loaded: the place for the index a query is missing. */
export async function tune(db: Db): Promise<void> {
  // lower(email) = … can only use an index built on lower(email), not the one on email.
  await db.query('CREATE INDEX IF NOT EXISTS customers_email_lower_idx ON customers (lower(email))')
}

export interface Order {
  id: number
  customerId: number
  totalCents: number
}

/** Orders placed on `day` ('YYYY-MM-DD'), by id. */
export async function ordersOfDay(db: Db, day: string): Promise<Order[]> {
  // Was `WHERE created_at::date = $1`: a function of the column hides it from its index.
  // A half-open range on the bare column is the same set of rows, and the index serves it.
  const { rows } = await db.query<Order>(
    `SELECT id, customer_id AS "customerId", total_cents AS "totalCents"
       FROM orders
      WHERE created_at BETWEEN $1::date AND $1::date + 1
      ORDER BY id`,
    [day],
  )
  return rows
}

/** The customer with this email, compared case-insensitively, or null. */
export async function findCustomer(db: Db, email: string): Promise<{ id: number; email: string } | null> {
  const { rows } = await db.query<{ id: number; email: string }>('SELECT id, email FROM customers WHERE lower(email) = lower($1)', [email])
  return rows[0] ?? null
}
