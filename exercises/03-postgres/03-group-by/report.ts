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

/** Paid orders per category, the biggest revenue first. One GROUP BY query. */
export async function revenueByCategory(db: Db): Promise<CategoryRevenue[]> {
  throw new Error('TODO: revenueByCategory — SELECT category, count(*), sum(…), round(avg(…)) … GROUP BY category\nTODO(ru): revenueByCategory — запрос SELECT category, count(*), sum(…), round(avg(…)) … GROUP BY category')
}

/** Customers with at least minOrders paid orders worth at least minRevenueCents. */
export async function bigSpenders(db: Db, opts: { minOrders: number; minRevenueCents: number }): Promise<Spender[]> {
  throw new Error('TODO: bigSpenders — GROUP BY customer with a HAVING clause on count(*) and sum(…)\nTODO(ru): bigSpenders — GROUP BY по покупателю с условием HAVING на count(*) и sum(…)')
}

/** The twelve months of a year, empty ones included, with paid and refunded sums. */
export async function monthlyRevenue(db: Db, year: number): Promise<MonthRevenue[]> {
  throw new Error('TODO: monthlyRevenue — twelve rows "YYYY-MM" with paid and refunded sums, zeros for empty months\nTODO(ru): monthlyRevenue — двенадцать строк «YYYY-MM» с суммами оплат и возвратов, нули для месяцев без данных')
}
