import { describe, expect, it } from 'vitest'
import { describeThrown } from '#support/arch'
import { DomainRuleError, Email, InvalidValueError, Money, Order, fromCreateOrderDto, toOrderDto } from '@kata/arch/domain'

interface MoneyLike {
  readonly minor: number
  readonly currency: string
  readonly amount: string
  add(o: MoneyLike): MoneyLike
  multiply(f: number): MoneyLike
  equals(o: MoneyLike): boolean
  toString(): string
}
interface EmailLike {
  readonly value: string
  equals(o: EmailLike): boolean
}
interface LineLike {
  sku: string
  quantity: number
  unitPrice: MoneyLike
}
interface OrderLike {
  readonly id: string
  readonly status: string
  readonly lines: readonly LineLike[]
  addLine(sku: string, q: number, p: MoneyLike): void
  removeLine(sku: string): void
  total(): MoneyLike
  place(): void
  cancel(): void
  equals(o: OrderLike): boolean
}
const M = Money as { parse(a: unknown, c: unknown): MoneyLike; fromMinor(m: unknown, c: unknown): MoneyLike; zero(c: string): MoneyLike }
const E = Email as { parse(raw: unknown): EmailLike }
const O = Order as { create(id: string, customer: EmailLike, currency: string): OrderLike }
type ErrorClass = new (...args: never[]) => Error

function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (err) {
    return err
  }
  return undefined
}
function expectThrow(fn: () => unknown, cls: ErrorClass, what: string): void {
  const err = thrown(fn)
  expect(err, `${what}: should throw ${cls.name}, ${err === undefined ? 'but nothing was thrown' : `but threw ${describeThrown(err)}`}`).toBeInstanceOf(cls)
}
function ok<T>(fn: () => T, what: string): T {
  try {
    return fn()
  } catch (err) {
    return expect.fail(`${what}: should work, but threw ${describeThrown(err)}`)
  }
}

/** Tries every way outside code could change an object; errors (frozen, getter-only) are fine. */
function tamper(obj: object, keys: string[]): void {
  for (const key of new Set([...Object.keys(obj), ...keys])) {
    try {
      ;(obj as Record<string, unknown>)[key] = 999
    } catch {
      /* refusing the write is the point */
    }
  }
}

describe('Money: a value object that cannot be invalid', () => {
  it('parse(amount, currency) reads decimal text exactly, with the currency\'s number of digits', () => {
    const cases: [string, string, number, string, string][] = [
      ['12.34', 'EUR', 1234, '12.34', '12.34 EUR'],
      ['12.3', 'EUR', 1230, '12.30', '12.30 EUR'],
      ['0.07', 'usd', 7, '0.07', '0.07 USD'],
      ['500', 'JPY', 500, '500', '500 JPY'],
      ['1.5', 'KWD', 1500, '1.500', '1.500 KWD'],
      ['0', 'RUB', 0, '0.00', '0.00 RUB'],
      ['90071992547409.91', 'USD', Number.MAX_SAFE_INTEGER, '90071992547409.91', '90071992547409.91 USD'],
      // A float cannot hold these exactly: Number("45035996273704.95") × 100 rounds to …496
      ['45035996273704.95', 'USD', 4503599627370495, '45035996273704.95', '45035996273704.95 USD'],
      ['90071992547409.87', 'EUR', 9007199254740987, '90071992547409.87', '90071992547409.87 EUR'],
    ]
    for (const [amount, currency, minor, text, str] of cases) {
      const m = ok(() => M.parse(amount, currency), `Money.parse("${amount}", "${currency}")`)
      expect([m.minor, m.currency, m.amount, m.toString()], `Money.parse("${amount}", "${currency}"): [minor, currency, amount, toString()]`).toEqual([
        minor,
        currency.toUpperCase(),
        text,
        str,
      ])
    }
    const f = ok(() => M.fromMinor(1999, 'EUR'), 'Money.fromMinor(1999, "EUR")')
    expect(f.toString(), 'Money.fromMinor(1999, "EUR").toString()').toBe('19.99 EUR')
    expect(ok(() => M.zero('JPY'), 'Money.zero("JPY")').toString(), 'Money.zero("JPY").toString()').toBe('0 JPY')
  })

  it('rejects every invalid amount or currency with InvalidValueError', () => {
    const bad: [unknown, unknown][] = [
      ['12.345', 'EUR'], ['1.5', 'JPY'], ['-1.00', 'EUR'], ['1e3', 'EUR'], ['abc', 'EUR'], ['', 'EUR'], ['12.', 'EUR'],
      ['.5', 'EUR'], ['1,50', 'EUR'], ['12.3.4', 'EUR'], ['0x10', 'EUR'], [12.34, 'EUR'],
      ['90071992547409.92', 'USD'], ['1.00', 'XXX'], ['1.00', ''], ['1.00', 'EURO'],
    ]
    for (const [amount, currency] of bad) {
      expectThrow(() => M.parse(amount, currency), InvalidValueError, `Money.parse(${JSON.stringify(amount)}, ${JSON.stringify(currency)})`)
    }
    for (const minor of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1, '100']) {
      expectThrow(() => M.fromMinor(minor, 'EUR'), InvalidValueError, `Money.fromMinor(${String(minor)}, "EUR")`)
    }
    expectThrow(() => M.fromMinor(100, 'ABC'), InvalidValueError, 'Money.fromMinor(100, "ABC")')
  })

  it('adds and multiplies exactly and returns new values: 0.10 + 0.20 is 0.30', () => {
    const a = ok(() => M.parse('0.10', 'EUR'), 'Money.parse("0.10", "EUR")')
    const b = ok(() => M.parse('0.20', 'EUR'), 'Money.parse("0.20", "EUR")')
    const sum = ok(() => a.add(b), '0.10 EUR .add(0.20 EUR)')
    expect(sum.toString(), '0.10 EUR + 0.20 EUR').toBe('0.30 EUR')
    expect(ok(() => a.multiply(3), '0.10 EUR .multiply(3)').toString(), '0.10 EUR × 3').toBe('0.30 EUR')
    expect(ok(() => M.parse('19.99', 'USD').multiply(0), '19.99 USD × 0').toString(), '19.99 USD × 0').toBe('0.00 USD')
    expect([a.toString(), b.toString()], 'the operands after add/multiply (must be unchanged)').toEqual(['0.10 EUR', '0.20 EUR'])
    expect(sum === a || sum === b, 'add() returns a new Money, not one of its operands').toBe(false)
    expectThrow(() => a.add(M.parse('0.10', 'USD')), DomainRuleError, '0.10 EUR .add(0.10 USD)')
    for (const f of [-1, 1.5, Number.NaN]) expectThrow(() => a.multiply(f), InvalidValueError, `0.10 EUR .multiply(${f})`)
    expectThrow(() => M.fromMinor(Number.MAX_SAFE_INTEGER, 'EUR').add(M.fromMinor(1, 'EUR')), InvalidValueError, 'adding past Number.MAX_SAFE_INTEGER minor units')
  })

  it('compares by value: equal amount and currency means equal', () => {
    const m = (a: string, c: string) => ok(() => M.parse(a, c), `Money.parse("${a}", "${c}")`)
    expect(m('1.0', 'EUR').equals(m('1.00', 'EUR')), '1.0 EUR equals 1.00 EUR').toBe(true)
    expect(m('1.00', 'EUR').equals(m('1.00', 'USD')), '1.00 EUR equals 1.00 USD').toBe(false)
    expect(m('1.00', 'EUR').equals(m('1.01', 'EUR')), '1.00 EUR equals 1.01 EUR').toBe(false)
  })

  it('cannot be changed after it is made: writing to its properties changes nothing', () => {
    const m = ok(() => M.parse('5.00', 'EUR'), 'Money.parse("5.00", "EUR")')
    tamper(m, ['minor', 'currency', 'amount', 'cents', 'value'])
    expect([m.minor, m.currency, m.toString()], 'Money 5.00 EUR after outside code wrote 999 to its properties').toEqual([500, 'EUR', '5.00 EUR'])
  })
})

describe('Email: a value object that cannot be invalid', () => {
  it('accepts valid addresses, trimmed and lower-cased', () => {
    const cases: [string, string][] = [
      ['ada@example.com', 'ada@example.com'],
      ['  Ada.Lovelace+news@Mail.Example.CO.uk ', 'ada.lovelace+news@mail.example.co.uk'],
      ['a_b%c-d@x-y.io', 'a_b%c-d@x-y.io'],
      ['x@sub.domain.example', 'x@sub.domain.example'],
      [`${'l'.repeat(64)}@a.io`, `${'l'.repeat(64)}@a.io`],
      [`a@${'d'.repeat(63)}.io`, `a@${'d'.repeat(63)}.io`],
    ]
    for (const [raw, value] of cases) {
      expect(ok(() => E.parse(raw), `Email.parse(${JSON.stringify(raw)})`).value, `Email.parse(${JSON.stringify(raw)}).value`).toBe(value)
    }
  })

  it('rejects invalid addresses with InvalidValueError', () => {
    const bad: unknown[] = [
      '', '   ', 'plainaddress', '@no-local.io', 'a@b', 'a@@b.io', 'a@b@c.io', 'a b@c.io', '.a@b.io', 'a.@b.io', 'a..b@c.io',
      'a@-b.io', 'a@b-.io', 'a@b..io', 'a@.b.io', 'a@b.c0', 'a@b.c', `${'x'.repeat(65)}@a.io`, `a@${'b'.repeat(64)}.io`, 42, null,
      // 255 characters, every part within its own limit: only the 1-254 rule refuses it
      `${'x'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(59)}.io`,
    ]
    for (const raw of bad) expectThrow(() => E.parse(raw), InvalidValueError, `Email.parse(${JSON.stringify(raw)})`)
  })

  it('compares by value and cannot be changed', () => {
    const a = ok(() => E.parse('Ann@X.io'), 'Email.parse("Ann@X.io")')
    expect(a.equals(ok(() => E.parse('ann@x.io'), 'Email.parse("ann@x.io")')), 'Ann@X.io equals ann@x.io').toBe(true)
    expect(a.equals(ok(() => E.parse('bob@x.io'), 'Email.parse("bob@x.io")')), 'ann@x.io equals bob@x.io').toBe(false)
    tamper(a, ['value', 'address', 'email'])
    expect(a.value, 'the Email after outside code wrote 999 to its properties').toBe('ann@x.io')
  })
})

describe('Order: an entity that guards its invariants', () => {
  const customer = () => ok(() => E.parse('buyer@shop.io'), 'Email.parse("buyer@shop.io")')
  const eur = (a: string) => ok(() => M.parse(a, 'EUR'), `Money.parse("${a}", "EUR")`)
  const draft = (id = 'o-1') => ok(() => O.create(id, customer(), 'EUR'), `Order.create("${id}", buyer@shop.io, "EUR")`)

  it('starts as a draft, takes lines and totals them exactly', () => {
    const o = draft()
    expect([o.id, o.status, o.lines.length], 'a new order: [id, status, lines.length]').toEqual(['o-1', 'draft', 0])
    expect(o.total().toString(), 'total of an empty order').toBe('0.00 EUR')
    ok(() => o.addLine('BOOK-1', 3, eur('0.10')), 'addLine("BOOK-1", 3, 0.10 EUR)')
    ok(() => o.addLine('PEN', 2, eur('1.25')), 'addLine("PEN", 2, 1.25 EUR)')
    expect(o.lines.map((l) => [l.sku, l.quantity, l.unitPrice.toString()]), 'lines').toEqual([
      ['BOOK-1', 3, '0.10 EUR'],
      ['PEN', 2, '1.25 EUR'],
    ])
    expect(o.total().toString(), 'total of 3 × 0.10 + 2 × 1.25').toBe('2.80 EUR')
    ok(() => o.removeLine('BOOK-1'), 'removeLine("BOOK-1")')
    expect(o.total().toString(), 'total after removing BOOK-1').toBe('2.50 EUR')
  })

  it('refuses lines that would break it', () => {
    const o = draft()
    ok(() => o.addLine('A-1', 1, eur('1.00')), 'addLine("A-1", 1, 1.00 EUR)')
    expectThrow(() => o.addLine('bad sku', 1, eur('1.00')), InvalidValueError, 'addLine("bad sku", …) (lower case and a space)')
    expectThrow(() => o.addLine('', 1, eur('1.00')), InvalidValueError, 'addLine("", …)')
    for (const q of [0, -1, 1.5, 1001]) expectThrow(() => o.addLine('B-1', q, eur('1.00')), InvalidValueError, `addLine("B-1", ${q}, …)`)
    expectThrow(() => o.addLine('B-1', 1, ok(() => M.parse('1.00', 'USD'), 'Money.parse("1.00", "USD")')), DomainRuleError, 'addLine with a USD price in a EUR order')
    expectThrow(() => o.addLine('A-1', 2, eur('1.00')), DomainRuleError, 'addLine("A-1") when A-1 is already in the order')
    expectThrow(() => o.removeLine('NOPE'), DomainRuleError, 'removeLine("NOPE") (not in the order)')
    expect(o.lines.map((l) => l.sku), 'lines after the refused calls').toEqual(['A-1'])
    expectThrow(() => o.addLine('S'.repeat(33), 1, eur('1.00')), InvalidValueError, 'addLine(a 33-character sku, …)')
    ok(() => o.addLine('S'.repeat(32), 1000, eur('0.01')), 'addLine(a 32-character sku, quantity 1000, …): both at their limit, allowed')
    expect(o.total().toString(), 'total after adding 1000 × 0.01 to 1 × 1.00').toBe('11.00 EUR')
  })

  it('moves draft → placed → cancelled, and only along the allowed steps', () => {
    const o = draft()
    expectThrow(() => o.place(), DomainRuleError, 'place() on an order with no lines')
    o.addLine('A-1', 1, eur('1.00'))
    ok(() => o.place(), 'place() on a draft with one line')
    expect(o.status, 'status after place()').toBe('placed')
    expectThrow(() => o.addLine('B-1', 1, eur('1.00')), DomainRuleError, 'addLine() on a placed order')
    expectThrow(() => o.removeLine('A-1'), DomainRuleError, 'removeLine() on a placed order')
    expectThrow(() => o.place(), DomainRuleError, 'place() on a placed order')
    ok(() => o.cancel(), 'cancel() on a placed order')
    expect(o.status, 'status after cancel()').toBe('cancelled')
    expectThrow(() => o.cancel(), DomainRuleError, 'cancel() on a cancelled order')
    expectThrow(() => o.place(), DomainRuleError, 'place() on a cancelled order')
    const d = draft('o-2')
    ok(() => d.cancel(), 'cancel() on a draft')
    expect(d.status, 'status of a cancelled draft').toBe('cancelled')
  })

  it('cannot be changed from outside: editing .lines or writing .status does nothing', () => {
    const o = draft()
    o.addLine('A-1', 2, eur('1.00'))
    const lines = o.lines as LineLike[]
    try {
      lines.push({ sku: 'HACK', quantity: 1000, unitPrice: eur('999.00') })
    } catch {
      /* a frozen array is fine */
    }
    try {
      lines[0]!.quantity = 1000
    } catch {
      /* a frozen line is fine */
    }
    tamper(o, ['status', 'id', 'lines'])
    expect(o.total().toString(), 'total after outside code edited the lines array it got').toBe('2.00 EUR')
    expect([o.status, o.id, o.lines.length], '[status, id, lines.length] after outside writes').toEqual(['draft', 'o-1', 1])
  })

  it('is equal to another order with the same id, whatever their contents (identity, not value)', () => {
    const a = draft('same')
    const b = draft('same')
    b.addLine('A-1', 1, eur('1.00'))
    expect(a.equals(b), 'two orders with id "same" and different lines').toBe(true)
    expect(a.equals(draft('other')), 'orders "same" and "other"').toBe(false)
  })
})

describe('DTO mapping: toOrderDto and fromCreateOrderDto', () => {
  const dto = {
    customerEmail: '  Buyer@Shop.IO ',
    currency: 'eur',
    lines: [
      { sku: 'BOOK-1', quantity: 3, unitPrice: '0.10' },
      { sku: 'PEN', quantity: 2, unitPrice: '1.25' },
    ],
  }
  const expected = {
    id: 'o-9',
    customerEmail: 'buyer@shop.io',
    status: 'draft',
    currency: 'EUR',
    lines: [
      { sku: 'BOOK-1', quantity: 3, unitPrice: '0.10', lineTotal: '0.30' },
      { sku: 'PEN', quantity: 2, unitPrice: '1.25', lineTotal: '2.50' },
    ],
    total: '2.80',
  }

  it('fromCreateOrderDto(body, id) builds a real Order from untrusted input', () => {
    const order = ok(() => fromCreateOrderDto(structuredClone(dto), 'o-9') as OrderLike, 'fromCreateOrderDto(valid body, "o-9")')
    expect(order, 'fromCreateOrderDto(valid body) returns an Order instance').toBeInstanceOf(Order)
    expect(order.total().toString(), 'total of the mapped order').toBe('2.80 EUR')
  })

  it('toOrderDto(order) gives plain JSON data: strings for money, no class instances', () => {
    const order = ok(() => fromCreateOrderDto(structuredClone(dto), 'o-9'), 'fromCreateOrderDto(valid body, "o-9")')
    const out = ok(() => toOrderDto(order), 'toOrderDto(order)')
    expect(out, 'toOrderDto(order)').toEqual(expected)
    expect(JSON.parse(JSON.stringify(out)), 'toOrderDto(order) after a JSON round trip').toEqual(out)
    const classes: string[] = []
    const walk = (v: unknown, path: string) => {
      if (v && typeof v === 'object') {
        const proto = Object.getPrototypeOf(v)
        if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) classes.push(`${path} is a ${proto?.constructor?.name}`)
        for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`)
      }
    }
    walk(out, 'dto')
    expect(classes, 'class instances inside the DTO (it must be plain data)').toEqual([])
    const jpy = O.create('o-j', E.parse('j@p.jp'), 'JPY')
    jpy.addLine('TEA', 2, M.parse('350', 'JPY'))
    expect(ok(() => toOrderDto(jpy), 'toOrderDto(a JPY order)'), 'toOrderDto of a JPY order with 2 × 350').toMatchObject({ currency: 'JPY', total: '700', lines: [{ unitPrice: '350', lineTotal: '700' }] })
  })

  it('fromCreateOrderDto rejects bad input with InvalidValueError whose `field` names the input path', () => {
    const line = (over: Record<string, unknown>) => ({ sku: 'A-1', quantity: 1, unitPrice: '1.00', ...over })
    const base = { customerEmail: 'b@shop.io', currency: 'EUR', lines: [line({})] }
    const cases: [string, unknown, string][] = [
      ['null', null, 'body'],
      ['an array', [], 'body'],
      ['customerEmail "nope"', { ...base, customerEmail: 'nope' }, 'customerEmail'],
      ['no customerEmail', { currency: 'EUR', lines: base.lines }, 'customerEmail'],
      ['currency "XYZ"', { ...base, currency: 'XYZ' }, 'currency'],
      ['lines: []', { ...base, lines: [] }, 'lines'],
      ['lines: "A-1"', { ...base, lines: 'A-1' }, 'lines'],
      ['lines[0].sku "a 1"', { ...base, lines: [line({ sku: 'a 1' })] }, 'lines[0].sku'],
      ['lines[1].quantity 0', { ...base, lines: [line({}), line({ sku: 'B-2', quantity: 0 })] }, 'lines[1].quantity'],
      ['lines[0].quantity "2"', { ...base, lines: [line({ quantity: '2' })] }, 'lines[0].quantity'],
      ['lines[0].unitPrice "1.234"', { ...base, lines: [line({ unitPrice: '1.234' })] }, 'lines[0].unitPrice'],
      ['lines[0].unitPrice 1 (a number)', { ...base, lines: [line({ unitPrice: 1 })] }, 'lines[0].unitPrice'],
      ['a duplicate sku in lines[1]', { ...base, lines: [line({}), line({})] }, 'lines[1].sku'],
    ]
    for (const [what, input, field] of cases) {
      const err = thrown(() => fromCreateOrderDto(input, 'o-x'))
      expect(err, `fromCreateOrderDto with ${what}: should throw InvalidValueError, got ${err === undefined ? 'no error' : describeThrown(err)}`).toBeInstanceOf(InvalidValueError)
      expect((err as { field?: unknown }).field, `fromCreateOrderDto with ${what}: error.field`).toBe(field)
    }
  })
})
