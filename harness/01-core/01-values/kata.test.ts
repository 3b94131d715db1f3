import { describe, expect, it } from 'vitest'
import { addLine, allCoupons, copyCart, totals, unitsBySku } from '@kata/core/values'

interface Line { sku: string; qty: number; priceCents: number }
interface Cart { id: string; lines: Line[]; coupons: Set<string> }

const cart = (id: string, lines: Array<[string, number, number]>, coupons: string[] = []): Cart => ({
  id,
  lines: lines.map(([sku, qty, priceCents]) => ({ sku, qty, priceCents })),
  coupons: new Set(coupons),
})

/** Freezes the cart's object, its lines array and every line: any write throws. */
function freeze(c: Cart): Cart {
  for (const l of c.lines) Object.freeze(l)
  Object.freeze(c.lines)
  return Object.freeze(c)
}

const plain = (c: Cart) => ({ id: c.id, lines: c.lines.map((l) => ({ ...l })), coupons: [...c.coupons] })

describe('copyCart(cart)', () => {
  it('returns an equal cart', () => {
    const original = cart('c1', [['apple', 2, 50], ['pear', 1, 80]], ['SPRING'])
    const copy = copyCart(original)
    expect(plain(copy), 'copyCart(c1): same id, lines and coupons').toEqual(plain(original))
    expect(copy.coupons, 'copyCart(c1).coupons is a Set').toBeInstanceOf(Set)
  })

  it('shares nothing: changing the copy never changes the original', () => {
    const original = cart('c1', [['apple', 2, 50]], ['SPRING'])
    const before = plain(original)
    const copy = copyCart(original)
    expect(copy.lines, 'copy.lines must be a new array, not the original one').not.toBe(original.lines)
    expect(copy.lines[0], 'copy.lines[0] must be a new object, not the original line').not.toBe(original.lines[0])
    expect(copy.coupons, 'copy.coupons must be a new Set').not.toBe(original.coupons)
    copy.lines[0]!.qty = 99
    copy.lines.push({ sku: 'kiwi', qty: 1, priceCents: 10 })
    copy.coupons.add('HACK')
    copy.id = 'changed'
    expect(plain(original), 'the original after changing the copy\'s id, a line, its lines and its coupons').toEqual(before)
  })
})

describe('addLine(cart, line)', () => {
  it('appends a new sku and leaves the input cart untouched (the input is frozen)', () => {
    const input = freeze(cart('c1', [['apple', 2, 50]], ['SPRING']))
    const before = plain(input)
    const out = addLine(input, { sku: 'pear', qty: 3, priceCents: 80 })
    expect(plain(out), 'addLine(c1 with 2 apples, 3 pears)').toEqual({
      id: 'c1',
      lines: [{ sku: 'apple', qty: 2, priceCents: 50 }, { sku: 'pear', qty: 3, priceCents: 80 }],
      coupons: ['SPRING'],
    })
    expect(plain(input), 'the input cart after addLine').toEqual(before)
    expect(out, 'addLine returns a new cart object').not.toBe(input)
  })

  it('adds to the quantity of a sku already in the cart, keeping its position and price', () => {
    const input = freeze(cart('c1', [['apple', 2, 50], ['pear', 1, 80]]))
    const out = addLine(input, { sku: 'apple', qty: 5, priceCents: 999 })
    expect(out.lines, 'addLine(c1 with 2 apples and 1 pear, 5 apples)').toEqual([
      { sku: 'apple', qty: 7, priceCents: 50 },
      { sku: 'pear', qty: 1, priceCents: 80 },
    ])
    expect(input.lines[0]!.qty, 'the input\'s apple line after addLine').toBe(2)
  })

  it('returns a cart that shares nothing with the input', () => {
    const input = cart('c1', [['apple', 2, 50]], ['SPRING'])
    const out = addLine(input, { sku: 'pear', qty: 1, priceCents: 80 })
    out.lines[0]!.qty = 40
    out.coupons.add('HACK')
    expect(input.lines[0]!.qty, 'input apple qty after changing the result\'s apple line').toBe(2)
    expect([...input.coupons], 'input coupons after adding one to the result').toEqual(['SPRING'])
  })

  it('does not keep a reference to the line it was given', () => {
    const line = { sku: 'pear', qty: 1, priceCents: 80 }
    const out = addLine(cart('c1', []), line)
    line.qty = 1000
    expect(out.lines[0]!.qty, 'the result\'s pear qty after the caller changed its own line object').toBe(1)
  })

  it('rejects a quantity that is not a positive integer with RangeError', () => {
    const input = cart('c1', [])
    for (const qty of [0, -1, 1.5, Number.NaN]) {
      expect(() => addLine(input, { sku: 'x', qty, priceCents: 1 }), `addLine(c1, qty ${qty})`).toThrow(RangeError)
    }
  })
})

describe('totals(cart)', () => {
  it('returns the tuple [units, cents]', () => {
    expect(totals(cart('c1', [['apple', 2, 50], ['pear', 3, 80]])), 'totals(2 × 50 + 3 × 80)').toEqual([5, 340])
  })
  it('returns [0, 0] for an empty cart', () => {
    expect(totals(cart('c0', [])), 'totals(empty cart)').toEqual([0, 0])
  })
})

describe('unitsBySku(carts)', () => {
  it('sums units per sku over every cart, in the order skus first appear', () => {
    const m = unitsBySku([cart('a', [['pear', 1, 1], ['apple', 2, 1]]), cart('b', [['kiwi', 4, 1], ['pear', 5, 1]])])
    expect(m, 'unitsBySku returns a Map').toBeInstanceOf(Map)
    expect([...m.entries()], 'unitsBySku([pear 1, apple 2], [kiwi 4, pear 5])').toEqual([
      ['pear', 6],
      ['apple', 2],
      ['kiwi', 4],
    ])
  })
  it('returns an empty Map for no carts', () => {
    expect(unitsBySku([]).size, 'unitsBySku([]).size').toBe(0)
  })
})

describe('allCoupons(carts)', () => {
  it('lists every coupon once, sorted', () => {
    const carts = [cart('a', [], ['SPRING', 'VIP']), cart('b', [], ['FREESHIP', 'SPRING']), cart('c', [])]
    expect(allCoupons(carts), 'allCoupons([SPRING, VIP], [FREESHIP, SPRING], [])').toEqual(['FREESHIP', 'SPRING', 'VIP'])
  })
  it('leaves the carts\' coupon sets unchanged', () => {
    const a = cart('a', [], ['VIP', 'SPRING'])
    allCoupons([a, cart('b', [], ['ALPHA'])])
    expect([...a.coupons], 'cart a coupons after allCoupons').toEqual(['VIP', 'SPRING'])
  })
})
