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
 * The nightly sales report, in linear time: every lookup goes through a Map or a Set
 * built once, instead of scanning an array (or copying an object) once per order.
 */
export function buildReport(orders: Order[], customers: Customer[]): Report {
  const customerById = new Map<string, Customer>()
  // find() returned the first match: keep the first customer of a duplicated id.
  for (const c of customers) if (!customerById.has(c.id)) customerById.set(c.id, c)

  const totals = new Map<string, number>()
  const skus = new Set<string>()
  const unknownOrders: string[] = []
  const byCountry: Record<string, number> = {}
  let totalCents = 0

  for (const order of orders) {
    const customer = customerById.get(order.customerId)
    if (!customer) {
      unknownOrders.push(order.id)
      continue
    }
    if (order.items.length === 0) continue // nothing bought, nothing to report
    let orderCents = 0
    for (const item of order.items) {
      orderCents += item.qty * item.priceCents
      skus.add(item.sku)
    }
    totalCents += orderCents
    byCountry[customer.country] = (byCountry[customer.country] ?? 0) + orderCents
    totals.set(customer.id, (totals.get(customer.id) ?? 0) + orderCents)
  }

  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  const topCustomers = [...totals]
    .map(([id, total]) => ({ id, name: customerById.get(id)!.name, totalCents: total }))
    .sort((a, b) => b.totalCents - a.totalCents || byId(a.id, b.id))
    .slice(0, 10)

  // One line per customer: the ids are the keys of a Map, so no line can repeat.
  const lines = ['customer_id,name,total_cents']
  for (const id of [...totals.keys()].sort()) lines.push(`${id},${customerById.get(id)!.name},${totals.get(id)}`)
  const csv = `${lines.join('\n')}\n`

  return { totalCents, byCountry, topCustomers, distinctSkus: skus.size, unknownOrders: unknownOrders.sort(), csv }
}
