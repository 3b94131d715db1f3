import type pg from 'pg'

export type BuyResult = { ok: true } | { ok: false; reason: 'sold_out' }

export interface FlashSale {
  /** Puts `qty` units of a product on sale, spread over the buckets (replaces any previous stock). */
  stock(productId: number, qty: number): Promise<void>
  /** Sells one unit to `userId`: decrements one bucket and records the order, atomically. */
  buy(productId: number, userId: string): Promise<BuyResult>
  /** Units left, over all buckets. */
  remaining(productId: number): Promise<number>
}

/**
 * A flash sale whose stock is striped over `slots` rows of
 * stock_buckets(product_id, slot, qty): concurrent buyers lock different rows instead of
 * queueing on one. Orders go to orders(id, product_id, user_id).
 */
export function createFlashSale(db: pg.Pool, { slots }: { slots: number }): FlashSale {
  return {
    async stock(productId, qty) {
      throw new Error('TODO: stock(productId, qty) — write `slots` rows to stock_buckets, qty split evenly (they differ by at most 1)\nTODO(ru): stock(productId, qty) — записать `slots` строк в stock_buckets, разделив qty поровну (различие не больше 1)')
    },
    async buy(productId, userId) {
      throw new Error('TODO: buy(productId, userId) — in one transaction take a unit from a random non-empty bucket and insert the order\nTODO(ru): buy(productId, userId) — в одной транзакции взять единицу товара из случайной непустой ячейки и вставить заказ')
    },
    async remaining(productId) {
      throw new Error('TODO: remaining(productId) — the sum of the product\'s buckets\nTODO(ru): remaining(productId) — сумма по всем ячейкам товара')
    },
  }
}
