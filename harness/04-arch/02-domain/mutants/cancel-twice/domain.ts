// Value objects (Money, Email), an entity (Order) and DTO mapping. Every way to get
// one of these objects goes through a check, and none of them can be changed from
// outside afterwards, so an invalid one cannot exist.

/** A value that breaks its own rules; `field` says which input was wrong. */
export class InvalidValueError extends Error {
  override name = 'InvalidValueError'
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`)
  }
}

/** A valid value used against the rules of the model (wrong state, mixed currencies). */
export class DomainRuleError extends Error {
  override name = 'DomainRuleError'
}

/** Supported currencies and their number of minor-unit digits (ISO 4217). */
export const CURRENCIES: Readonly<Record<string, number>> = Object.freeze({ EUR: 2, USD: 2, RUB: 2, JPY: 0, KWD: 3 })

function currencyCode(raw: unknown): string {
  const code = typeof raw === 'string' ? raw.trim().toUpperCase() : ''
  if (!Object.hasOwn(CURRENCIES, code)) throw new InvalidValueError('currency', `unsupported currency ${JSON.stringify(raw)}`)
  return code
}

// ---------------------------------------------------------------- Money

export class Money {
  // #private fields: not assignable from outside, not even with a cast.
  readonly #minor: number
  readonly #currency: string

  private constructor(minor: number, currency: string) {
    if (!Number.isSafeInteger(minor) || minor < 0) throw new InvalidValueError('amount', `must be a non-negative whole number of minor units, got ${minor}`)
    this.#minor = minor
    this.#currency = currencyCode(currency)
    Object.freeze(this)
  }

  /** "12.34" in EUR → 1234 cents. Exact: decimal text, never a float. */
  static parse(amount: string, currency: string): Money {
    const code = currencyCode(currency)
    const digits = CURRENCIES[code]!
    const m = typeof amount === 'string' ? /^(\d+)(?:\.(\d+))?$/.exec(amount) : null
    if (!m) throw new InvalidValueError('amount', `must be a decimal like "12.34", got ${JSON.stringify(amount)}`)
    const fraction = m[2] ?? ''
    if (fraction.length > digits) throw new InvalidValueError('amount', `${code} has ${digits} decimal places, got ${JSON.stringify(amount)}`)
    const minor = BigInt(m[1]! + fraction.padEnd(digits, '0'))
    if (minor > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidValueError('amount', `too large: ${amount}`)
    return new Money(Number(minor), code)
  }

  static fromMinor(minor: number, currency: string): Money {
    return new Money(minor, currency)
  }

  static zero(currency: string): Money {
    return new Money(0, currency)
  }

  get minor(): number {
    return this.#minor
  }
  get currency(): string {
    return this.#currency
  }
  /** The amount as decimal text with the currency's digits: "12.30", "500", "1.250". */
  get amount(): string {
    const digits = CURRENCIES[this.#currency]!
    if (digits === 0) return String(this.#minor)
    const s = String(this.#minor).padStart(digits + 1, '0')
    return `${s.slice(0, -digits)}.${s.slice(-digits)}`
  }

  add(other: Money): Money {
    if (other.#currency !== this.#currency) throw new DomainRuleError(`cannot add ${other.#currency} to ${this.#currency}`)
    return new Money(this.#minor + other.#minor, this.#currency)
  }

  multiply(factor: number): Money {
    if (!Number.isSafeInteger(factor) || factor < 0) throw new InvalidValueError('factor', `must be a non-negative integer, got ${factor}`)
    return new Money(this.#minor * factor, this.#currency)
  }

  equals(other: Money): boolean {
    return other instanceof Money && other.#minor === this.#minor && other.#currency === this.#currency
  }

  toString(): string {
    return `${this.amount} ${this.#currency}`
  }
}

// ---------------------------------------------------------------- Email

const LOCAL = /^[a-z0-9_%+-]+(\.[a-z0-9_%+-]+)*$/
const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/

export class Email {
  readonly #value: string

  private constructor(value: string) {
    this.#value = value
    Object.freeze(this)
  }

  static parse(raw: string): Email {
    const value = typeof raw === 'string' ? raw.trim().toLowerCase() : ''
    const fail = (why: string) => new InvalidValueError('email', `${why}: ${JSON.stringify(raw)}`)
    if (!value || value.length > 254) throw fail('must be 1-254 characters')
    const parts = value.split('@')
    if (parts.length !== 2) throw fail('must contain exactly one "@"')
    const [local, domain] = parts as [string, string]
    if (local.length < 1 || local.length > 64 || !LOCAL.test(local)) throw fail('invalid local part')
    const labels = domain.split('.')
    if (labels.length < 2 || labels.some((l) => l.length > 63 || !LABEL.test(l))) throw fail('invalid domain')
    if (!/^[a-z]{2,}$/.test(labels.at(-1)!)) throw fail('invalid top-level domain')
    return new Email(value)
  }

  get value(): string {
    return this.#value
  }
  equals(other: Email): boolean {
    return other instanceof Email && other.#value === this.#value
  }
  toString(): string {
    return this.#value
  }
}

// ---------------------------------------------------------------- Order (entity)

export type OrderStatus = 'draft' | 'placed' | 'cancelled'

export interface OrderLine {
  readonly sku: string
  readonly quantity: number
  readonly unitPrice: Money
}

const SKU = /^[A-Z0-9-]{1,32}$/

export class Order {
  #status: OrderStatus = 'draft'
  readonly #lines: OrderLine[] = []

  private constructor(
    readonly id: string,
    readonly customer: Email,
    readonly currency: string,
  ) {
    Object.freeze(this)
  }

  static create(id: string, customer: Email, currency: string): Order {
    if (typeof id !== 'string' || !id.trim()) throw new InvalidValueError('id', 'must be a non-empty string')
    if (!(customer instanceof Email)) throw new InvalidValueError('customer', 'must be an Email')
    return new Order(id, customer, currencyCode(currency))
  }

  get status(): OrderStatus {
    return this.#status
  }

  /** A frozen copy: changing it cannot change the order. */
  get lines(): readonly OrderLine[] {
    return Object.freeze(this.#lines.map((l) => Object.freeze({ ...l })))
  }

  addLine(sku: string, quantity: number, unitPrice: Money): void {
    this.#mustBeDraft('add a line')
    if (typeof sku !== 'string' || !SKU.test(sku)) throw new InvalidValueError('sku', `must match ${SKU}, got ${JSON.stringify(sku)}`)
    if (!Number.isInteger(quantity) || quantity < 1 || quantity > 1000) throw new InvalidValueError('quantity', `must be an integer 1-1000, got ${quantity}`)
    if (!(unitPrice instanceof Money)) throw new InvalidValueError('unitPrice', 'must be Money')
    if (unitPrice.currency !== this.currency) throw new DomainRuleError(`a ${unitPrice.currency} price in a ${this.currency} order`)
    if (this.#lines.some((l) => l.sku === sku)) throw new DomainRuleError(`${sku} is already in the order`)
    this.#lines.push({ sku, quantity, unitPrice })
  }

  removeLine(sku: string): void {
    this.#mustBeDraft('remove a line')
    const i = this.#lines.findIndex((l) => l.sku === sku)
    if (i < 0) throw new DomainRuleError(`${sku} is not in the order`)
    this.#lines.splice(i, 1)
  }

  total(): Money {
    return this.#lines.reduce((sum, l) => sum.add(l.unitPrice.multiply(l.quantity)), Money.zero(this.currency))
  }

  place(): void {
    this.#mustBeDraft('place it')
    if (this.#lines.length === 0) throw new DomainRuleError('an order needs at least one line')
    this.#status = 'placed'
  }

  cancel(): void {
    this.#status = 'cancelled'
  }

  /** Entities are equal when they are the same thing: same id, whatever their state. */
  equals(other: Order): boolean {
    return other instanceof Order && other.id === this.id
  }

  #mustBeDraft(action: string): void {
    if (this.#status !== 'draft') throw new DomainRuleError(`cannot ${action}: the order is ${this.#status}`)
  }
}

// ---------------------------------------------------------------- DTOs

export interface OrderLineDto {
  sku: string
  quantity: number
  unitPrice: string
  lineTotal: string
}
export interface OrderDto {
  id: string
  customerEmail: string
  status: OrderStatus
  currency: string
  lines: OrderLineDto[]
  total: string
}
export interface CreateOrderDto {
  customerEmail: string
  currency: string
  lines: { sku: string; quantity: number; unitPrice: string }[]
}

/** The order as plain JSON-safe data, for a response body. */
export function toOrderDto(order: Order): OrderDto {
  return {
    id: order.id,
    customerEmail: order.customer.value,
    status: order.status,
    currency: order.currency,
    lines: order.lines.map((l) => ({
      sku: l.sku,
      quantity: l.quantity,
      unitPrice: l.unitPrice.amount,
      lineTotal: l.unitPrice.multiply(l.quantity).amount,
    })),
    total: order.total().amount,
  }
}

/** Runs `build`; an InvalidValueError from it is re-labelled with the input's field path. */
function at<T>(path: (field: string) => string, build: () => T): T {
  try {
    return build()
  } catch (err) {
    if (err instanceof InvalidValueError) throw new InvalidValueError(path(err.field), err.reason)
    throw err
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Untrusted input (a parsed request body) → a draft Order, or InvalidValueError naming the field. */
export function fromCreateOrderDto(input: unknown, id: string): Order {
  if (!isRecord(input)) throw new InvalidValueError('body', 'must be an object')
  const customer = at(() => 'customerEmail', () => Email.parse(input.customerEmail as string))
  const currency = at(() => 'currency', () => currencyCode(input.currency))
  const lines = input.lines
  if (!Array.isArray(lines) || lines.length === 0) throw new InvalidValueError('lines', 'must be a non-empty array')
  const order = Order.create(id, customer, currency)
  lines.forEach((raw: unknown, i) => {
    if (!isRecord(raw)) throw new InvalidValueError(`lines[${i}]`, 'must be an object')
    const price = at(() => `lines[${i}].unitPrice`, () => Money.parse(raw.unitPrice as string, currency))
    if (order.lines.some((l) => l.sku === raw.sku)) throw new InvalidValueError(`lines[${i}].sku`, `duplicate sku ${JSON.stringify(raw.sku)}`)
    at((field) => `lines[${i}].${field}`, () => order.addLine(raw.sku as string, raw.quantity as number, price))
  })
  return order
}
