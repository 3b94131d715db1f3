export interface Entry {
  kind: 'deposit' | 'withdraw'
  cents: number
}

/** Prototype methods bound once per instance in the constructor, instead of arrow fields. */
export class Wallet {
  readonly owner: string
  private cents: number
  private readonly entries: Entry[] = []

  constructor(owner: string, initialCents = 0) {
    this.owner = owner
    this.cents = initialCents
    this.deposit = this.deposit.bind(this)
    this.withdraw = this.withdraw.bind(this)
    this.transferTo = this.transferTo.bind(this)
    this.history = this.history.bind(this)
  }

  get balance(): number {
    return this.cents
  }

  private static check(cents: number): void {
    if (!Number.isSafeInteger(cents) || cents < 1) throw new RangeError(`not a positive integer amount: ${cents}`)
  }

  deposit(cents: number): number {
    Wallet.check(cents)
    this.cents += cents
    this.entries.push({ kind: 'deposit', cents })
    return this.cents
  }

  withdraw(cents: number): number {
    Wallet.check(cents)
    if (this.cents - cents < 0) throw new RangeError('insufficient funds')
    this.cents -= cents
    this.entries.push({ kind: 'withdraw', cents })
    return this.cents
  }

  transferTo(other: Wallet, cents: number): void {
    this.withdraw(cents)
    other.deposit(cents)
  }

  history(): Entry[] {
    return structuredClone(this.entries)
  }
}
