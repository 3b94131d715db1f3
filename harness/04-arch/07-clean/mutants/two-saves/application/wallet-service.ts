// Use cases: load wallets through the port, let the domain apply the rules, save.
import { ValidationError, Wallet, WalletExistsError, WalletNotFoundError, type WalletSnapshot } from '../domain/wallet.ts'
import type { WalletRepository } from './ports.ts'

export interface WalletService {
  open(cmd: { id: string; owner: string }): Promise<WalletSnapshot>
  get(id: string): Promise<WalletSnapshot>
  deposit(cmd: { id: string; amountCents: number }): Promise<WalletSnapshot>
  transfer(cmd: { from: string; to: string; amountCents: number }): Promise<{ from: WalletSnapshot; to: WalletSnapshot }>
}

export function createWalletService(wallets: WalletRepository): WalletService {
  async function load(id: string): Promise<Wallet> {
    const wallet = await wallets.get(id)
    if (!wallet) throw new WalletNotFoundError(id)
    return wallet
  }

  return {
    async open({ id, owner }) {
      const wallet = Wallet.open(id, owner)
      if (await wallets.get(wallet.id)) throw new WalletExistsError(wallet.id)
      await wallets.save(wallet)
      return wallet.toSnapshot()
    },

    async get(id) {
      return (await load(id)).toSnapshot()
    },

    async deposit({ id, amountCents }) {
      const wallet = await load(id)
      wallet.deposit(amountCents)
      await wallets.save(wallet)
      return wallet.toSnapshot()
    },

    async transfer({ from, to, amountCents }) {
      if (from === to) throw new ValidationError('cannot transfer to the same wallet')
      const source = await load(from)
      const target = await load(to)
      source.withdraw(amountCents)
      target.deposit(amountCents)
      // One call, so the adapter can write both rows in one transaction.
      await wallets.save(source)
      await wallets.save(target)
      return { from: source.toSnapshot(), to: target.toSnapshot() }
    },
  }
}
