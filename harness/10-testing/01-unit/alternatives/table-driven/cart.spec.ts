import type * as Cart from './cart.ts'
import type { TestApi } from './test-api.ts'

type Line = { sku: string; priceCents: number; qty: number }
const l = (priceCents: number, qty = 1): Line => ({ sku: `p${priceCents}x${qty}`, priceCents, qty })

// One table of whole quotes: each row pins every field, so any wrong rule shows up in a diff.
const CASES: [string, Line[], string | undefined, [number, number, number, number]][] = [
  ['empty cart', [], undefined, [0, 0, 0, 0]],
  ['two lines, no discount', [l(250, 3), l(100, 2)], undefined, [950, 0, 499, 1449]],
  ['9 units: no bulk discount', [l(100, 9)], undefined, [900, 0, 499, 1399]],
  ['10 units: bulk 10% of the line', [l(100, 10)], undefined, [1000, 100, 499, 1399]],
  ['bulk rounds down', [l(15, 11)], undefined, [165, 16, 499, 648]],
  ['SAVE10 after bulk', [l(1000, 10)], 'SAVE10', [10000, 1900, 0, 8100]],
  ['SAVE10 rounds down', [l(1999)], 'save10', [1999, 199, 499, 2299]],
  ['coupon with spaces', [l(1000)], '  Save10 ', [1000, 100, 499, 1399]],
  ['FLAT5', [l(2000)], 'FLAT5', [2000, 500, 499, 1999]],
  ['FLAT5 capped at the cart', [l(300)], 'flat5', [300, 300, 499, 499]],
  ['free shipping at exactly 50.00', [l(5000)], undefined, [5000, 0, 0, 5000]],
  ['49.99 pays shipping', [l(4999)], undefined, [4999, 0, 499, 5498]],
  ['shipping decided after discounts', [l(5000)], 'SAVE10', [5000, 500, 499, 4999]],
]

export function defineTests({ describe, it, expect }: TestApi, cart: typeof Cart): void {
  describe('quote', () => {
    it.each(CASES)('%s', (_name, items, coupon, [subtotalCents, discountCents, shippingCents, totalCents]) => {
      expect(cart.quote(items, coupon)).toEqual({ subtotalCents, discountCents, shippingCents, totalCents })
    })
  })

  describe('rejections', () => {
    it.each([
      ['qty 0', [l(100, 0)], undefined],
      ['qty 1.5', [l(100, 1.5)], undefined],
      ['price -1', [l(-1)], undefined],
      ['price 9.99', [l(9.99)], undefined],
      ['unknown coupon', [l(100)], 'FREE100'],
    ] as [string, Line[], string | undefined][])('%s', (_name, items, coupon) => {
      expect(() => cart.quote(items, coupon)).toThrow(cart.CartError)
    })
  })
}
