export interface Customer {
  id: string
  name: string
  country: string
}

export interface OrderItem {
  sku: string
  qty: number
  priceCents: number
}

export interface Order {
  id: string
  customerId: string
  items: OrderItem[]
}

export interface Report {
  /** Revenue of all orders of known customers, in cents. */
  totalCents: number
  /** Revenue per customer country. */
  byCountry: Record<string, number>
  /** The 10 best customers by revenue (ties: smaller id first). */
  topCustomers: { id: string; name: string; totalCents: number }[]
  /** How many different SKUs the orders of known customers contain. */
  distinctSkus: number
  /** Ids of orders whose customer is unknown, sorted. */
  unknownOrders: string[]
  /** "customer_id,name,total_cents" and one line per customer with orders, sorted by id. */
  csv: string
}

/**
 * The nightly sales report. It is correct, and it is slow: a day of 10 000 orders takes
 * about a second of CPU. Profile it (see bench.ts), find the hotspots and make it fast —
 * the output must stay exactly the same.
 */
export function buildReport(orders: Order[], customers: Customer[]): Report {
  let totals: Record<string, number> = {}
  const skus: string[] = []
  const unknownOrders: string[] = []
  const byCountry: Record<string, number> = {}
  let totalCents = 0

  for (const order of orders) {
    const customer = customers.find((c) => c.id === order.customerId)
    if (!customer) {
      unknownOrders.push(order.id)
      continue
    }
    let orderCents = 0
    for (const item of order.items) {
      orderCents += item.qty * item.priceCents
      if (!skus.includes(item.sku)) skus.push(item.sku)
    }
    totalCents += orderCents
    byCountry[customer.country] = (byCountry[customer.country] ?? 0) + orderCents
    totals = { ...totals, [customer.id]: (totals[customer.id] ?? 0) + orderCents }
  }

  const topCustomers = Object.entries(totals)
    .map(([id, total]) => ({ id, name: customers.find((c) => c.id === id)!.name, totalCents: total }))
    .sort((a, b) => b.totalCents - a.totalCents || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, 10)

  let csv = 'customer_id,name,total_cents\n'
  for (const id of Object.keys(totals).sort()) {
    const name = customers.find((c) => c.id === id)!.name
    const line = `${id},${name},${totals[id]}\n`
    // Never print a customer twice.
    if (!csv.includes(line)) csv += line
  }

  return { totalCents, byCountry, topCustomers, distinctSkus: skus.length, unknownOrders: unknownOrders.sort(), csv }
}
