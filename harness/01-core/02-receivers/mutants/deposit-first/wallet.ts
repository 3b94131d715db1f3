export interface Entry {
  kind: 'deposit' | 'withdraw'
  cents: number
}

function checkAmount(cents: number): void {
  if (!Number.isInteger(cents) || cents <= 0) throw new RangeError(`amount must be a positive integer of cents, got ${cents}`)
}

/**
 * A wallet holding a balance in cents. Every method keeps working when it is taken
 * off the instance (`const { deposit } = wallet`) or passed as a callback.
 */
export class Wallet {
  readonly owner: string
  // Instance fields, not shared through the prototype: every wallet has its own.
  #cents = 0
  #history: Entry[] = []

  constructor(owner: string, initialCents = 0) {
    if (!Number.isInteger(initialCents) || initialCents < 0) throw new RangeError(`initial balance must be a non-negative integer, got ${initialCents}`)
    this.owner = owner
    this.#cents = initialCents
  }

  get balance(): number {
    return this.#cents
  }

  // Arrow-function fields capture `this` when the wallet is built, like a Go method
  // value (`f := w.Deposit`) captures its receiver.
  deposit = (cents: number): number => {
    checkAmount(cents)
    this.#cents += cents
    this.#history.push({ kind: 'deposit', cents })
    return this.#cents
  }

  withdraw = (cents: number): number => {
    checkAmount(cents)
    if (cents > this.#cents) throw new RangeError(`insufficient funds: balance ${this.#cents}, asked ${cents}`)
    this.#cents -= cents
    this.#history.push({ kind: 'withdraw', cents })
    return this.#cents
  }

  /** Moves money to another wallet; when the withdrawal fails, nothing changes anywhere. */
  transferTo = (other: Wallet, cents: number): void => {
    other.deposit(cents)
    this.withdraw(cents)
  }

  /** A copy of the entries, oldest first: changing it does not change the wallet. */
  history = (): Entry[] => this.#history.map((e) => ({ ...e }))
}
