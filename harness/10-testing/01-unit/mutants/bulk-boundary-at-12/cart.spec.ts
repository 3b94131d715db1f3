import type * as Cart from './cart.ts'
import type { TestApi } from './test-api.ts'

const item = (priceCents: number, qty = 1, sku = 'sku') => ({ sku, priceCents, qty })

export function defineTests({ describe, it, expect }: TestApi, { quote, CartError }: typeof Cart): void {
  describe('subtotal', () => {
    it('sums price × quantity over the lines', () => {
      expect(quote([item(250, 3), item(100, 2)]).subtotalCents).toBe(950)
    })
    it('quotes an empty cart as all zeros, shipping included', () => {
      expect(quote([])).toEqual({ subtotalCents: 0, discountCents: 0, shippingCents: 0, totalCents: 0 })
    })
  })

  describe('validation', () => {
    it.each([0, -1, 1.5])('rejects quantity %s', (qty) => {
      expect(() => quote([item(100, qty)])).toThrow(CartError)
    })
    it.each([-1, 9.99])('rejects price %s', (priceCents) => {
      expect(() => quote([item(priceCents)])).toThrow(CartError)
    })
  })

  describe('bulk discount', () => {
    it('takes nothing off a line of 9 units', () => {
      expect(quote([item(1000, 9)]).discountCents).toBe(0)
    })
    it('takes 10% off a line of 12 units', () => {
      expect(quote([item(1000, 12)]).discountCents).toBe(1200)
    })
    it('rounds down to the cent', () => {
      // 10 × 199 = 1990 → 199.0; 10 × 1999 = 19990 → 1999; 11 × 15 = 165 → 16.5 → 16
      expect(quote([item(15, 11)]).discountCents).toBe(16)
    })
    it('applies to that line only', () => {
      expect(quote([item(100, 12), item(1000, 1)]).discountCents).toBe(120)
    })
  })

  describe('coupons', () => {
    it('SAVE10 takes 10% of what is left after the bulk discount', () => {
      // 12 × 1000 = 12000, bulk 1200 → 10800, SAVE10 1080
      expect(quote([item(1000, 12)], 'SAVE10').discountCents).toBe(2280)
    })
    it('SAVE10 rounds down', () => {
      expect(quote([item(1999)], 'SAVE10').discountCents).toBe(199)
    })
    it('accepts codes in any case, with spaces around', () => {
      expect(quote([item(1000)], ' save10 ').discountCents).toBe(100)
    })
    it('FLAT5 takes 5.00 off, but never below zero', () => {
      expect(quote([item(2000)], 'FLAT5').discountCents).toBe(500)
      const q = quote([item(300)], 'FLAT5')
      expect(q.discountCents).toBe(300)
      expect(q.totalCents).toBe(SHIPPING)
    })
    it('rejects an unknown coupon', () => {
      expect(() => quote([item(100)], 'FREE100')).toThrow(CartError)
    })
  })

  describe('shipping and total', () => {
    it('charges 4.99 under 50.00', () => {
      expect(quote([item(4999)])).toEqual({ subtotalCents: 4999, discountCents: 0, shippingCents: 499, totalCents: 5498 })
    })
    it('ships for free at exactly 50.00', () => {
      expect(quote([item(5000)]).shippingCents).toBe(0)
    })
    it('decides free shipping after discounts', () => {
      expect(quote([item(5000)], 'SAVE10')).toEqual({ subtotalCents: 5000, discountCents: 500, shippingCents: 499, totalCents: 4999 })
    })
  })
}

const SHIPPING = 499
