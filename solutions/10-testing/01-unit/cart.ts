// The code under test. Read it, but write your tests against the README's rules: the
// grader runs them on this implementation and on broken copies of it.

export interface Item {
  sku: string
  /** Price of one unit, in cents. */
  priceCents: number
  qty: number
}

export interface Quote {
  subtotalCents: number
  discountCents: number
  shippingCents: number
  totalCents: number
}

export class CartError extends Error {
  override name = 'CartError'
}

export const BULK_QTY = 10
export const SHIPPING_CENTS = 499
export const FREE_SHIPPING_FROM_CENTS = 5000

export function quote(items: readonly Item[], coupon?: string): Quote {
  for (const it of items) {
    if (!Number.isInteger(it.qty) || it.qty < 1) throw new CartError(`${it.sku}: quantity must be a whole number ≥ 1`)
    if (!Number.isInteger(it.priceCents) || it.priceCents < 0) throw new CartError(`${it.sku}: price must be whole cents ≥ 0`)
  }
  const subtotalCents = items.reduce((sum, it) => sum + it.priceCents * it.qty, 0)
  // 10% off a line of 10 or more units, rounded down to the cent.
  const bulk = items.reduce((sum, it) => sum + (it.qty >= BULK_QTY ? Math.floor((it.priceCents * it.qty) / 10) : 0), 0)
  const afterBulk = subtotalCents - bulk

  let couponCents = 0
  const code = coupon?.trim().toUpperCase()
  if (code === 'SAVE10') couponCents = Math.floor(afterBulk / 10)
  else if (code === 'FLAT5') couponCents = Math.min(500, afterBulk)
  else if (code) throw new CartError(`unknown coupon "${coupon}"`)

  const discountCents = bulk + couponCents
  const discounted = subtotalCents - discountCents
  const shippingCents = items.length === 0 || discounted >= FREE_SHIPPING_FROM_CENTS ? 0 : SHIPPING_CENTS
  return { subtotalCents, discountCents, shippingCents, totalCents: discounted + shippingCents }
}
