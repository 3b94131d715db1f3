export interface Entry {
  kind: 'deposit' | 'withdraw'
  cents: number
}

/**
 * A wallet holding a balance in cents. Every method keeps working when it is taken
 * off the instance (`const { deposit } = wallet`) or passed as a callback.
 */
export class Wallet {
  readonly owner: string

  constructor(owner: string, initialCents = 0) {
    this.owner = owner
    throw new Error('TODO: Wallet — keep a balance and a history for each wallet (see README.md)\nTODO(ru): Wallet — хранить баланс и историю операций каждого кошелька (см. README.ru.md)')
  }

  get balance(): number {
    throw new Error('TODO: balance\nTODO(ru): balance — текущий баланс')
  }

  deposit(cents: number): number {
    throw new Error('TODO: deposit — add cents, record it, return the new balance\nTODO(ru): deposit — зачислить cents, записать операцию в историю, вернуть новый баланс')
  }

  withdraw(cents: number): number {
    throw new Error('TODO: withdraw — take cents out (RangeError when there is not enough), return the new balance\nTODO(ru): withdraw — списать cents (RangeError, если средств не хватает), вернуть новый баланс')
  }

  transferTo(other: Wallet, cents: number): void {
    throw new Error('TODO: transferTo — withdraw here, deposit there\nTODO(ru): transferTo — списать с этого кошелька и зачислить на другой')
  }

  history(): Entry[] {
    throw new Error('TODO: history — return a copy of the entries\nTODO(ru): history — вернуть копию записей')
  }
}
