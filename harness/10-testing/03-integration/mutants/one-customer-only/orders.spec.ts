import type pg from 'pg'
import type * as Orders from './orders.ts'
import type { TestApi } from './test-api.ts'

const line = (sku: string, qty: number, priceCents: number) => ({ sku, qty, priceCents })

export function defineTests({ describe, it, expect, beforeAll, beforeEach }: TestApi, { migrate, createOrderRepo }: typeof Orders, pool: pg.Pool): void {
  const repo = createOrderRepo(pool)
  let key = 0
  const order = (customerId: string, lines = [line('A', 1, 100)]) => ({ customerId, idempotencyKey: `k-${++key}`, lines })
  const count = async (table: string) => Number((await pool.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0]!.n)

  beforeAll(() => migrate(pool))
  beforeEach(async () => {
    await pool.query('delete from order_lines; delete from orders')
  })

  describe('create + get', () => {
    it('stores the order with its lines in order, and computes the total', async () => {
      const created = await repo.create(order('c1', [line('A', 2, 150), line('B', 1, 1000), line('C', 3, 5)]))
      expect(created.totalCents).toBe(2 * 150 + 1000 + 3 * 5)
      const loaded = await repo.get(created.id)
      expect(loaded).toEqual(created)
      expect(loaded!.lines).toEqual([line('A', 2, 150), line('B', 1, 1000), line('C', 3, 5)])
      expect(loaded!.createdAt).toBeInstanceOf(Date)
    })

    it('resolves undefined for an unknown id', async () => {
      expect(await repo.get(424242)).toBeUndefined()
    })

    it('is atomic: a line that breaks a constraint leaves nothing behind, and the pool still works', async () => {
      await expect(repo.create(order('c1', [line('A', 1, 100), line('B', 0, 100)]))).rejects.toThrow()
      expect(await count('orders')).toBe(0)
      expect(await count('order_lines')).toBe(0)
      const ok = await repo.create(order('c1'))
      expect(await repo.get(ok.id)).toBeDefined()
    })

    it('returns the first order when the same idempotency key comes again', async () => {
      const first = await repo.create({ customerId: 'c1', idempotencyKey: 'same', lines: [line('A', 1, 100)] })
      const again = await repo.create({ customerId: 'c1', idempotencyKey: 'same', lines: [line('A', 1, 100)] })
      expect(again.id).toBe(first.id)
      expect(await count('orders')).toBe(1)
      expect(await count('order_lines')).toBe(1)
    })
  })

  describe('listByCustomer', () => {
    it('lists only that customer\'s orders, newest first', async () => {
      const a1 = await repo.create(order('alice'))
      const a2 = await repo.create(order('alice'))
      expect((await repo.listByCustomer('alice')).map((o) => o.id)).toEqual([a2.id, a1.id])
    })

    it('pages with limit and an exclusive before cursor', async () => {
      const ids: number[] = []
      for (let i = 0; i < 5; i++) ids.push((await repo.create(order('alice'))).id)
      const page1 = await repo.listByCustomer('alice', { limit: 2 })
      expect(page1.map((o) => o.id)).toEqual([ids[4], ids[3]])
      const page2 = await repo.listByCustomer('alice', { limit: 2, before: page1.at(-1)!.id })
      expect(page2.map((o) => o.id)).toEqual([ids[2], ids[1]])
    })
  })
}
