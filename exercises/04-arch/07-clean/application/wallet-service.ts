// Use cases. Written before the WalletRepository port existed: it ignores the
// repository it is given and works on the module-level database.
import { db } from '../infrastructure/sqlite-wallet-repository.ts'
import { ValidationError, Wallet, WalletExistsError, WalletNotFoundError, type WalletSnapshot } from '../domain/wallet.ts'
import type { WalletRepository } from './ports.ts'

export interface WalletService {
  open(cmd: { id: string; owner: string }): Promise<WalletSnapshot>
  get(id: string): Promise<WalletSnapshot>
  deposit(cmd: { id: string; amountCents: number }): Promise<WalletSnapshot>
  transfer(cmd: { from: string; to: string; amountCents: number }): Promise<{ from: WalletSnapshot; to: WalletSnapshot }>
}

export function createWalletService(_wallets: WalletRepository): WalletService {
  function load(id: string): Wallet {
    const wallet = Wallet.load(id)
    if (!wallet) throw new WalletNotFoundError(id)
    return wallet
  }

  return {
    async open({ id, owner }) {
      const wallet = Wallet.open(id, owner)
      if (Wallet.load(wallet.id)) throw new WalletExistsError(wallet.id)
      wallet.save()
      return wallet.toSnapshot()
    },

    async get(id) {
      return load(id).toSnapshot()
    },

    async deposit({ id, amountCents }) {
      const wallet = load(id)
      wallet.deposit(amountCents)
      wallet.save()
      return wallet.toSnapshot()
    },

    async transfer({ from, to, amountCents }) {
      if (from === to) throw new ValidationError('cannot transfer to the same wallet')
      const source = load(from)
      const target = load(to)
      source.withdraw(amountCents)
      target.deposit(amountCents)
      db.exec('BEGIN')
      try {
        source.save()
        target.save()
        db.exec('COMMIT')
      } catch (err) {
        db.exec('ROLLBACK')
        throw err
      }
      return { from: source.toSnapshot(), to: target.toSnapshot() }
    },
  }
}
