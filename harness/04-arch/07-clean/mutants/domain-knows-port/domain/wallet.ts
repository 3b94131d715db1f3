// The heart of the app: rules about wallets and money. It knows nothing about
// HTTP, SQL or where wallets are stored, so it imports nothing.
import type { WalletRepository } from '../application/ports.ts'

export interface WalletSnapshot {
  id: string
  owner: string
  balanceCents: number
}

export class DomainError extends Error {
  override name = 'DomainError'
}
/** Input that breaks a rule: a bad id, a blank owner, a non-positive amount. */
export class ValidationError extends DomainError {
  override name = 'ValidationError'
}
export class WalletNotFoundError extends DomainError {
  override name = 'WalletNotFoundError'
  constructor(readonly walletId: string) {
    super(`wallet "${walletId}" does not exist`)
  }
}
export class WalletExistsError extends DomainError {
  override name = 'WalletExistsError'
  constructor(readonly walletId: string) {
    super(`wallet "${walletId}" already exists`)
  }
}
export class InsufficientFundsError extends DomainError {
  override name = 'InsufficientFundsError'
}

const ID = /^[a-z0-9][a-z0-9-]{0,39}$/

function assertAmount(cents: number): void {
  if (!Number.isSafeInteger(cents) || cents <= 0) {
    throw new ValidationError(`amount must be a positive whole number of cents, got ${String(cents)}`)
  }
}

export class Wallet {
  private constructor(
    readonly id: string,
    readonly owner: string,
    private balance: number,
  ) {}

  /** A new, empty wallet; the id and the owner are checked here, once. */
  static open(id: string, owner: string): Wallet {
    if (typeof id !== 'string' || !ID.test(id)) {
      throw new ValidationError('id must be 1-40 lower-case letters, digits or "-"')
    }
    const name = typeof owner === 'string' ? owner.trim() : ''
    if (!name || name.length > 100) throw new ValidationError('owner must be 1-100 characters')
    return new Wallet(id, name, 0)
  }

  /** Rebuilds a wallet that was valid when it was saved (for repositories). */
  static restore(s: WalletSnapshot): Wallet {
    return new Wallet(s.id, s.owner, s.balanceCents)
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

  /** Saves this wallet (active record style). */
  async saveTo(repo: WalletRepository): Promise<void> {
    await repo.save(this)
  }

  toSnapshot(): WalletSnapshot {
    return { id: this.id, owner: this.owner, balanceCents: this.balance }
  }
}
