import { describe, it } from 'vitest'
import { mutationGrader, type Mutant } from '#support/testing'
import * as spec from '@kata/testing/unit'

// The suite's own copy of exercises/…/cart.ts (the learner could edit theirs), with
// switches that break one rule each.
interface Item {
  sku: string
  priceCents: number
  qty: number
}
class CartError extends Error {
  override name = 'CartError'
}
type Bug =
  | 'bulk-at-11'
  | 'bulk-on-unit-price'
  | 'coupon-before-bulk'
  | 'coupon-twice'
  | 'round-half-up'
  | 'free-shipping-strictly-above'
  | 'free-shipping-on-subtotal'
  | 'flat5-negative'
  | 'coupon-case-sensitive'
  | 'coupon-not-trimmed'
  | 'unknown-coupon-ignored'
  | 'qty-zero-accepted'
  | 'fractional-qty-accepted'
  | 'negative-price-accepted'
  | 'empty-cart-shipping'
  | 'price-not-times-qty'

function cartModule(bug?: Bug) {
  const BULK_QTY = 10
  const SHIPPING_CENTS = 499
  const FREE_SHIPPING_FROM_CENTS = 5000
  const floor = (x: number) => (bug === 'round-half-up' ? Math.round(x) : Math.floor(x))
  function quote(items: readonly Item[], coupon?: string) {
    for (const it of items) {
      const qtyOk = bug === 'fractional-qty-accepted' ? it.qty >= 1 : bug === 'qty-zero-accepted' ? Number.isInteger(it.qty) && it.qty >= 0 : Number.isInteger(it.qty) && it.qty >= 1
      if (!qtyOk) throw new CartError(`${it.sku}: quantity must be a whole number ≥ 1`)
      if (bug !== 'negative-price-accepted' && (!Number.isInteger(it.priceCents) || it.priceCents < 0)) throw new CartError(`${it.sku}: price must be whole cents ≥ 0`)
    }
    const line = (it: Item) => (bug === 'price-not-times-qty' ? it.priceCents : it.priceCents * it.qty)
    const subtotalCents = items.reduce((sum, it) => sum + line(it), 0)
    const isBulk = (it: Item) => (bug === 'bulk-at-11' ? it.qty > BULK_QTY : it.qty >= BULK_QTY)
    const bulk = items.reduce((sum, it) => sum + (isBulk(it) ? floor((bug === 'bulk-on-unit-price' ? it.priceCents : line(it)) / 10) : 0), 0)
    const afterBulk = subtotalCents - bulk
    const couponBase = bug === 'coupon-before-bulk' ? subtotalCents : afterBulk
    let couponCents = 0
    const code = bug === 'coupon-case-sensitive' ? coupon?.trim() : bug === 'coupon-not-trimmed' ? coupon?.toUpperCase() : coupon?.trim().toUpperCase()
    if (code === 'SAVE10') couponCents = floor(couponBase / 10)
    else if (code === 'FLAT5') couponCents = bug === 'flat5-negative' ? 500 : Math.min(500, afterBulk)
    else if (code && bug !== 'unknown-coupon-ignored') throw new CartError(`unknown coupon "${coupon}"`)
    if (bug === 'coupon-twice') couponCents *= 2
    const discountCents = bulk + couponCents
    const discounted = subtotalCents - discountCents
    const base = bug === 'free-shipping-on-subtotal' ? subtotalCents : discounted
    const free = bug === 'free-shipping-strictly-above' ? base > FREE_SHIPPING_FROM_CENTS : base >= FREE_SHIPPING_FROM_CENTS
    const shippingCents = (items.length === 0 && bug !== 'empty-cart-shipping') || free ? 0 : SHIPPING_CENTS
    return { subtotalCents, discountCents, shippingCents, totalCents: discounted + shippingCents }
  }
  return { quote, CartError, BULK_QTY, SHIPPING_CENTS, FREE_SHIPPING_FROM_CENTS }
}

const mutants: Mutant<ReturnType<typeof cartModule>>[] = [
  { when: 'the bulk discount starts at 11 units instead of 10', impl: cartModule('bulk-at-11') },
  { when: 'the bulk discount takes 10% of one unit\'s price instead of 10% of the whole line', impl: cartModule('bulk-on-unit-price') },
  { when: 'SAVE10 is computed on the subtotal before the bulk discount', impl: cartModule('coupon-before-bulk') },
  { when: 'the coupon discount is applied twice', impl: cartModule('coupon-twice') },
  { when: 'discounts are rounded to the nearest cent instead of down', impl: cartModule('round-half-up') },
  { when: 'shipping is free only above 50.00, not at exactly 50.00', impl: cartModule('free-shipping-strictly-above') },
  { when: 'free shipping is decided on the subtotal before discounts', impl: cartModule('free-shipping-on-subtotal') },
  { when: 'FLAT5 on a cart under 5.00 makes the total negative', impl: cartModule('flat5-negative') },
  { when: 'coupon codes only work in upper case ("save10" is rejected)', impl: cartModule('coupon-case-sensitive') },
  { when: 'a coupon code with spaces around (" SAVE10 ") is rejected', impl: cartModule('coupon-not-trimmed') },
  { when: 'an unknown coupon is silently ignored instead of rejected', impl: cartModule('unknown-coupon-ignored') },
  { when: 'a quantity of 0 is accepted', impl: cartModule('qty-zero-accepted') },
  { when: 'a fractional quantity like 1.5 is accepted', impl: cartModule('fractional-qty-accepted') },
  { when: 'a negative price is accepted', impl: cartModule('negative-price-accepted') },
  { when: 'an empty cart is charged shipping', impl: cartModule('empty-cart-shipping') },
  { when: 'a line costs the unit price, whatever the quantity', impl: cartModule('price-not-times-qty') },
]

const grader = mutationGrader(spec.defineTests, () => cartModule())

describe('your tests of quote(items, coupon)', () => {
  it('pass on the correct implementation', async () => {
    const problem = await grader.referenceProblem()
    if (problem) throw new Error(problem)
  })

  for (const m of mutants) {
    it(`catch the bug: ${m.when}`, async () => {
      if (await grader.referenceProblem()) throw new Error('first make your tests pass on the correct implementation (see the first failing test)')
      const { killed } = await grader.killed(m)
      if (!killed) throw new Error(`your tests still pass when ${m.when}`)
    })
  }
})
