// What the application needs from the outside world, said in its own terms.
// Adapters in infrastructure/ implement it; the application never sees them.
import type { Wallet } from '../domain/wallet.ts'

export interface WalletRepository {
  /** The stored wallet, or undefined when there is none with this id. */
  get(id: string): Promise<Wallet | undefined>
  /** Inserts new wallets and updates known ones: all of them, or none. */
  save(...wallets: Wallet[]): Promise<void>
}
