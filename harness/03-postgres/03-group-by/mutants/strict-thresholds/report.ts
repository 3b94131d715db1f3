import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

export interface CategoryRevenue {
  category: string
  orders: number
  revenueCents: number
  averageCents: number
}
export interface Spender {
  customer: string
  orders: number
  revenueCents: number
}
export interface MonthRevenue {
  month: string
  paidCents: number
  refundedCents: number
}

// count() and sum() of int are bigint, avg() and round() are numeric: pg hands both over
// as strings (they may not fit a JS number), so convert where the values are known to fit.

/** Paid orders per category, the biggest revenue first. */
export async function revenueByCategory(db: Db): Promise<CategoryRevenue[]> {
  const { rows } = await db.query<{ category: string; orders: string; revenue: string; average: string }>(
    `SELECT category, count(*) AS orders, sum(amount_cents) AS revenue, round(avg(amount_cents)) AS average
       FROM orders
      WHERE status = 'paid'
      GROUP BY category
      ORDER BY revenue DESC, category`,
  )
  return rows.map((r) => ({ category: r.category, orders: Number(r.orders), revenueCents: Number(r.revenue), averageCents: Number(r.average) }))
}

/** Customers with at least minOrders paid orders worth at least minRevenueCents. */
export async function bigSpenders(db: Db, opts: { minOrders: number; minRevenueCents: number }): Promise<Spender[]> {
  // WHERE filters rows before grouping; HAVING filters the groups after.
  const { rows } = await db.query<{ customer: string; orders: string; revenue: string }>(
    `SELECT customer, count(*) AS orders, sum(amount_cents) AS revenue
       FROM orders
      WHERE status = 'paid'
      GROUP BY customer
     HAVING count(*) > $1 AND sum(amount_cents) > $2
      ORDER BY revenue DESC, customer`,
    [opts.minOrders, opts.minRevenueCents],
  )
  return rows.map((r) => ({ customer: r.customer, orders: Number(r.orders), revenueCents: Number(r.revenue) }))
}

/** The twelve months of a year, empty ones included, with paid and refunded sums. */
export async function monthlyRevenue(db: Db, year: number): Promise<MonthRevenue[]> {
  const { rows } = await db.query<{ month: string; paid: string; refunded: string }>(
    `SELECT to_char(m.month, 'YYYY-MM') AS month,
            coalesce(sum(o.amount_cents) FILTER (WHERE o.status = 'paid'), 0) AS paid,
            coalesce(sum(o.amount_cents) FILTER (WHERE o.status = 'refunded'), 0) AS refunded
       FROM generate_series(make_date($1, 1, 1)::timestamp, make_date($1, 12, 1)::timestamp, interval '1 month') AS m(month)
       LEFT JOIN orders o ON date_trunc('month', o.created_at) = m.month
      GROUP BY m.month
      ORDER BY m.month`,
    [year],
  )
  return rows.map((r) => ({ month: r.month, paidCents: Number(r.paid), refundedCents: Number(r.refunded) }))
}
