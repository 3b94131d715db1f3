import { describe, expect, it } from 'vitest'
import { Wallet } from '@kata/core/receivers'

describe('new Wallet(owner, initialCents)', () => {
  it('starts with the initial balance (0 when omitted) and an empty history', () => {
    const w = new Wallet('ada', 500)
    expect(w.owner, 'new Wallet("ada", 500).owner').toBe('ada')
    expect(w.balance, 'new Wallet("ada", 500).balance').toBe(500)
    expect(new Wallet('bob').balance, 'new Wallet("bob").balance').toBe(0)
    expect(w.history(), 'history() of a new wallet').toEqual([])
  })

  it('exposes balance read-only: assigning to it throws', () => {
    const w = new Wallet('ada', 10)
    expect(() => {
      ;(w as { balance: number }).balance = 1_000_000
    }, 'wallet.balance = 1000000').toThrow(TypeError)
    expect(w.balance, 'balance after the attempted assignment').toBe(10)
  })
})

describe('deposit / withdraw', () => {
  it('change the balance, return the new balance and record an entry', () => {
    const w = new Wallet('ada', 100)
    expect(w.deposit(50), 'deposit(50) on 100').toBe(150)
    expect(w.withdraw(30), 'withdraw(30) on 150').toBe(120)
    expect(w.balance, 'balance after +50 -30').toBe(120)
    expect(w.history(), 'history after deposit(50), withdraw(30)').toEqual([
      { kind: 'deposit', cents: 50 },
      { kind: 'withdraw', cents: 30 },
    ])
  })

  it('reject amounts that are not positive integers with RangeError, changing nothing', () => {
    const w = new Wallet('ada', 100)
    for (const bad of [0, -5, 2.5, Number.NaN]) {
      expect(() => w.deposit(bad), `deposit(${bad})`).toThrow(RangeError)
      expect(() => w.withdraw(bad), `withdraw(${bad})`).toThrow(RangeError)
    }
    expect(w.balance, 'balance after only rejected calls').toBe(100)
    expect(w.history(), 'history after only rejected calls').toEqual([])
  })

  it('withdraw refuses to go below zero with RangeError, changing nothing', () => {
    const w = new Wallet('ada', 100)
    expect(() => w.withdraw(101), 'withdraw(101) on a balance of 100').toThrow(RangeError)
    expect(w.balance, 'balance after the refused withdraw(101)').toBe(100)
    expect(w.history(), 'history after the refused withdraw(101): a refused call records nothing').toEqual([])
    expect(w.withdraw(100), 'withdraw(100) on a balance of 100').toBe(0)
  })
})

describe('methods keep their receiver (`this`)', () => {
  it('work when taken off the instance: const { deposit, withdraw } = wallet', () => {
    const w = new Wallet('ada', 10)
    const { deposit, withdraw, history } = w
    expect(deposit(5), 'detached deposit(5) on 10').toBe(15)
    expect(withdraw(3), 'detached withdraw(3) on 15').toBe(12)
    expect(history().length, 'detached history().length').toBe(2)
    expect(w.balance, 'the wallet\'s balance after the detached calls').toBe(12)
  })

  it('work as callbacks: [1, 2, 3].forEach(w.deposit), or called with no `this` at all', () => {
    const w = new Wallet('ada')
    ;[1, 2, 3].forEach(w.deposit)
    expect(w.balance, 'balance after [1, 2, 3].forEach(wallet.deposit)').toBe(6)
    w.withdraw.call(undefined, 4)
    expect(w.balance, 'balance after wallet.withdraw.call(undefined, 4)').toBe(2)
  })

  it('stay bound to their own wallet when handed to another object', () => {
    const a = new Wallet('a', 0)
    const b = new Wallet('b', 0)
    const button = { onClick: a.deposit, label: 'top up' }
    button.onClick(7)
    const stolen = { balanceHolder: b, deposit: a.deposit }
    stolen.deposit(3)
    expect([a.balance, b.balance], '[a.balance, b.balance] after a.deposit was called through other objects').toEqual([10, 0])
  })
})

describe('each wallet has its own state', () => {
  it('two wallets never share a balance or a history', () => {
    const a = new Wallet('a', 0)
    const b = new Wallet('b', 0)
    a.deposit(10)
    b.deposit(1)
    b.deposit(2)
    expect([a.balance, b.balance], '[a.balance, b.balance]').toEqual([10, 3])
    expect(a.history().length, 'a.history().length after one deposit on a and two on b').toBe(1)
    expect(b.history().length, 'b.history().length').toBe(2)
  })

  it('history() returns a copy: changing it does not change the wallet', () => {
    const w = new Wallet('ada', 0)
    w.deposit(5)
    const h = w.history()
    h.push({ kind: 'deposit', cents: 1000 })
    h[0]!.cents = 999
    expect(w.history(), 'history() after the caller changed the returned array and its entry').toEqual([{ kind: 'deposit', cents: 5 }])
  })
})

describe('transferTo(other, cents)', () => {
  it('moves money between wallets', () => {
    const a = new Wallet('a', 100)
    const b = new Wallet('b', 5)
    a.transferTo(b, 40)
    expect([a.balance, b.balance], 'a(100).transferTo(b(5), 40)').toEqual([60, 45])
  })

  it('changes nothing when the payer has too little', () => {
    const a = new Wallet('a', 10)
    const b = new Wallet('b', 5)
    expect(() => a.transferTo(b, 11), 'a(10).transferTo(b, 11)').toThrow(RangeError)
    expect([a.balance, b.balance], 'balances after the refused transfer').toEqual([10, 5])
    expect(b.history(), 'b.history() after the refused transfer').toEqual([])
    expect(a.history(), 'a.history() after the refused transfer').toEqual([])
  })

  it('works detached too', () => {
    const a = new Wallet('a', 10)
    const b = new Wallet('b', 0)
    const { transferTo } = a
    transferTo(b, 4)
    expect([a.balance, b.balance], 'detached a.transferTo(b, 4)').toEqual([6, 4])
  })
})
