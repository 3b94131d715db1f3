// Value objects (Money, Email), an entity (Order) and DTO mapping. Every way to get
// one of these objects must go through a check, and none of them may be changed from
// outside afterwards, so an invalid one cannot exist. See README.md.

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

const todo = (what: string, ru = what): never => {
  throw new Error(`TODO: ${what} (see README.md)\nTODO(ru): ${ru} (см. README.ru.md)`)
}

// ---------------------------------------------------------------- Money

export class Money {
  private constructor() {}

  /** "12.34" in EUR → 1234 cents. Exact: decimal text, never a float. */
  static parse(_amount: string, _currency: string): Money {
    return todo('Money.parse: decimal text → whole minor units, checked', 'Money.parse: десятичная строка → целое число минимальных единиц, с проверкой')
  }
  static fromMinor(_minor: number, _currency: string): Money {
    return todo('Money.fromMinor')
  }
  static zero(_currency: string): Money {
    return todo('Money.zero')
  }

  get minor(): number {
    return todo('Money#minor')
  }
  get currency(): string {
    return todo('Money#currency')
  }
  /** The amount as decimal text with the currency's digits: "12.30", "500", "1.250". */
  get amount(): string {
    return todo('Money#amount')
  }
  add(_other: Money): Money {
    return todo('Money#add')
  }
  multiply(_factor: number): Money {
    return todo('Money#multiply')
  }
  equals(_other: Money): boolean {
    return todo('Money#equals')
  }
  toString(): string {
    return todo('Money#toString')
  }
}

// ---------------------------------------------------------------- Email

export class Email {
  private constructor() {}

  static parse(_raw: string): Email {
    return todo('Email.parse: trim, lower-case, validate', 'Email.parse: обрезать пробелы, привести к нижнему регистру, проверить')
  }
  get value(): string {
    return todo('Email#value')
  }
  equals(_other: Email): boolean {
    return todo('Email#equals')
  }
  toString(): string {
    return todo('Email#toString')
  }
}

// ---------------------------------------------------------------- Order (entity)

export type OrderStatus = 'draft' | 'placed' | 'cancelled'

export interface OrderLine {
  readonly sku: string
  readonly quantity: number
  readonly unitPrice: Money
}

export class Order {
  private constructor(
    readonly id: string,
    readonly customer: Email,
    readonly currency: string,
  ) {}

  static create(_id: string, _customer: Email, _currency: string): Order {
    return todo('Order.create')
  }
  get status(): OrderStatus {
    return todo('Order#status')
  }
  get lines(): readonly OrderLine[] {
    return todo('Order#lines')
  }
  addLine(_sku: string, _quantity: number, _unitPrice: Money): void {
    todo('Order#addLine')
  }
  removeLine(_sku: string): void {
    todo('Order#removeLine')
  }
  total(): Money {
    return todo('Order#total')
  }
  place(): void {
    todo('Order#place')
  }
  cancel(): void {
    todo('Order#cancel')
  }
  equals(_other: Order): boolean {
    return todo('Order#equals')
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
export function toOrderDto(_order: Order): OrderDto {
  return todo('toOrderDto')
}

/** Untrusted input (a parsed request body) → a draft Order, or InvalidValueError naming the field. */
export function fromCreateOrderDto(_input: unknown, _id: string): Order {
  return todo('fromCreateOrderDto')
}
