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
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`slots must be a positive integer, got ${slots}`)
  return {
    async stock(productId, qty) {
      const client = await db.connect()
      try {
        await client.query('begin')
        await client.query('delete from stock_buckets where product_id = $1', [productId])
        // Even split: the first (qty % slots) buckets get one unit more.
        await client.query(
          `insert into stock_buckets (product_id, slot, qty)
           select $1, s, $2::int / $3::int + case when s < $2::int % $3::int then 1 else 0 end
           from generate_series(0, $3::int - 1) s`,
          [productId, qty, slots],
        )
        await client.query('commit')
      } catch (err) {
        await client.query('rollback').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },

    async buy(productId, userId) {
      const client = await db.connect()
      try {
        await client.query('begin')
        // Start at a random bucket so buyers spread out; when it is empty, walk on to the
        // next ones. Stock only goes down, so "every bucket was empty" means sold out.
        const start = 0 // walk the buckets in order
        for (let i = 0; i < slots; i++) {
          const took = await client.query(
            'update stock_buckets set qty = qty - 1 where product_id = $1 and slot = $2 and qty > 0',
            [productId, (start + i) % slots],
          )
          if (took.rowCount === 1) {
            await client.query('insert into orders (product_id, user_id) values ($1, $2)', [productId, userId])
            await client.query('commit')
            return { ok: true }
          }
        }
        await client.query('rollback')
        return { ok: false, reason: 'sold_out' }
      } catch (err) {
        await client.query('rollback').catch(() => undefined)
        throw err
      } finally {
        client.release()
      }
    },

    async remaining(productId) {
      const { rows } = await db.query<{ n: number }>('select coalesce(sum(qty), 0)::int as n from stock_buckets where product_id = $1', [productId])
      return rows[0]!.n
    },
  }
}
