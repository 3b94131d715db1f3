/** One line of a shopping cart. */
export interface Line {
  sku: string
  qty: number
  priceCents: number
}

/** A shopping cart: an id, its lines (one per sku) and the coupon codes applied. */
export interface Cart {
  id: string
  lines: Line[]
  coupons: Set<string>
}

/**
 * A deep copy: no array, line or Set of the copy is shared with the original, so
 * changing one never changes the other.
 */
export function copyCart(cart: Readonly<Cart>): Cart {
  return {
    id: cart.id,
    lines: cart.lines.map((l) => ({ ...l })),
    coupons: new Set(cart.coupons),
  }
}

/**
 * A new cart with `line` added; the input is never changed. A sku already in the
 * cart gets its quantity increased in place (same position, the price stays);
 * a new sku is appended. qty must be a positive integer, else RangeError.
 */
export function addLine(cart: Readonly<Cart>, line: Readonly<Line>): Cart {
  if (!Number.isInteger(line.qty) || line.qty <= 0) throw new RangeError(`qty must be a positive integer, got ${line.qty}`)
  const next = copyCart(cart)
  const existing = next.lines.find((l) => l.sku === line.sku)
  if (existing) Object.assign(existing, { qty: existing.qty + line.qty, priceCents: line.priceCents })
  else next.lines.push({ ...line })
  return next
}

/** [units, cents]: how many units the cart holds and what they cost in total. */
export function totals(cart: Readonly<Cart>): [units: number, cents: number] {
  let units = 0
  let cents = 0
  for (const l of cart.lines) {
    units += l.qty
    cents += l.qty * l.priceCents
  }
  return [units, cents]
}

/** Units per sku over all carts, keys in the order the skus were first seen. */
export function unitsBySku(carts: readonly Readonly<Cart>[]): Map<string, number> {
  const units = new Map<string, number>()
  for (const cart of carts) {
    for (const l of cart.lines) units.set(l.sku, (units.get(l.sku) ?? 0) + l.qty)
  }
  return units
}

/** Every coupon used by any cart, each once, sorted. */
export function allCoupons(carts: readonly Readonly<Cart>[]): string[] {
  const seen = new Set<string>()
  for (const cart of carts) for (const c of cart.coupons) seen.add(c)
  return [...seen].sort()
}
