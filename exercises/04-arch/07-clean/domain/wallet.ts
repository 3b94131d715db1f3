// Wallet: the rules about money. It still loads and saves itself (active record)
// and its errors carry HTTP status codes. Both have to go: see README.md.
import { HttpError } from '../infrastructure/http.ts'
import { db } from '../infrastructure/sqlite-wallet-repository.ts'

export interface WalletSnapshot {
  id: string
  owner: string
  balanceCents: number
}

export class DomainError extends HttpError {
  override name = 'DomainError'
}
/** Input that breaks a rule: a bad id, a blank owner, a non-positive amount. */
export class ValidationError extends DomainError {
  override name = 'ValidationError'
  constructor(message: string) {
    super(400, message)
  }
}
export class WalletNotFoundError extends DomainError {
  override name = 'WalletNotFoundError'
  constructor(readonly walletId: string) {
    super(404, `wallet "${walletId}" does not exist`)
  }
}
export class WalletExistsError extends DomainError {
  override name = 'WalletExistsError'
  constructor(readonly walletId: string) {
    super(409, `wallet "${walletId}" already exists`)
  }
}
export class InsufficientFundsError extends DomainError {
  override name = 'InsufficientFundsError'
  constructor(message: string) {
    super(409, message)
  }
}

const ID = /^[a-z0-9][a-z0-9-]{0,39}$/

function assertAmount(cents: number): void {
  if (!Number.isSafeInteger(cents) || cents <= 0) {
    throw new ValidationError(`amount must be a positive whole number of cents, got ${String(cents)}`)
  }
}

interface WalletRow {
  id: string
  owner: string
  balance_cents: number
}

export class Wallet {
  private constructor(
    readonly id: string,
    readonly owner: string,
    private balance: number,
  ) {}

  static open(id: string, owner: string): Wallet {
    if (typeof id !== 'string' || !ID.test(id)) {
      throw new ValidationError('id must be 1-40 lower-case letters, digits or "-"')
    }
    const name = typeof owner === 'string' ? owner.trim() : ''
    if (!name || name.length > 100) throw new ValidationError('owner must be 1-100 characters')
    return new Wallet(id, name, 0)
  }

  static restore(s: WalletSnapshot): Wallet {
    return new Wallet(s.id, s.owner, s.balanceCents)
  }

  /** Reads a wallet straight from the database. */
  static load(id: string): Wallet | undefined {
    const row = db.prepare('SELECT id, owner, balance_cents FROM wallets WHERE id = ?').get(id) as WalletRow | undefined
    return row && new Wallet(row.id, row.owner, row.balance_cents)
  }

  /** Writes this wallet straight to the database. */
  save(): void {
    db.prepare(
      `INSERT INTO wallets (id, owner, balance_cents) VALUES (?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, balance_cents = excluded.balance_cents`,
    ).run(this.id, this.owner, this.balance)
  }

  get balanceCents(): number {
    return this.balance
  }

  deposit(cents: number): void {
    assertAmount(cents)
    this.balance += cents
  }

  withdraw(cents: number): void {
    assertAmount(cents)
    if (cents > this.balance) {
      throw new InsufficientFundsError(`wallet "${this.id}" has ${this.balance} cents, cannot take ${cents}`)
    }
    this.balance -= cents
  }

  toSnapshot(): WalletSnapshot {
    return { id: this.id, owner: this.owner, balanceCents: this.balance }
  }
}
