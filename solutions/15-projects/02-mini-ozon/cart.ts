// Cart service: a Redis hash per user (productId → quantity). Carts are short-lived
// state that every instance must see, so they live in Redis, not in the process.
import { Router, type Request, type Response } from 'express'
import type { Redis } from 'ioredis'
import type { Catalog } from './catalog.ts'
import { HttpError, idParam, isInt } from './platform.ts'

export interface CartItem {
  productId: number
  name: string
  priceCents: number
  quantity: number
}

export interface CartView {
  userId: string
  items: CartItem[]
  totalCents: number
}

export interface Cart {
  /** productId → quantity, as stored. */
  lines(userId: string): Promise<{ productId: number; quantity: number }[]>
  view(userId: string): Promise<CartView>
  clear(userId: string): Promise<void>
  router: Router
}

/** An abandoned cart disappears after a week. */
const CART_TTL_S = 7 * 24 * 3600
const key = (userId: string) => `cart:${userId}`
const USER = /^[\w.-]{1,64}$/

export function createCart({ redis, catalog }: { redis: Redis; catalog: Catalog }): Cart {
  async function lines(userId: string) {
    const raw = await redis.hgetall(key(userId))
    return Object.entries(raw)
      .map(([productId, quantity]) => ({ productId: Number(productId), quantity: Number(quantity) }))
      .sort((a, b) => a.productId - b.productId)
  }

  async function view(userId: string): Promise<CartView> {
    const items: CartItem[] = []
    for (const line of await lines(userId)) {
      const p = await catalog.get(line.productId)
      if (p) items.push({ productId: p.id, name: p.name, priceCents: p.priceCents, quantity: line.quantity })
    }
    return { userId, items, totalCents: items.reduce((s, i) => s + i.priceCents * i.quantity, 0) }
  }

  const user = (req: Request) => {
    const id = String(req.params.userId)
    if (!USER.test(id)) throw new HttpError(400, 'userId: 1-64 letters, digits, "-", "_" or "."')
    return id
  }

  const router = Router()

  router.get('/carts/:userId', async (req: Request, res: Response) => {
    res.json(await view(user(req)))
  })

  router.put('/carts/:userId/items/:productId', async (req: Request, res: Response) => {
    const userId = user(req)
    const { quantity } = req.body ?? {}
    if (!isInt(quantity, 1)) throw new HttpError(400, 'quantity must be a positive integer')
    const id = idParam(req.params.productId)
    if (id === undefined || !(await catalog.get(id))) throw new HttpError(404, `product ${req.params.productId} not found`)
    await redis.multi().hset(key(userId), String(id), quantity).expire(key(userId), CART_TTL_S).exec()
    res.json(await view(userId))
  })

  router.delete('/carts/:userId/items/:productId', async (req: Request, res: Response) => {
    const userId = user(req)
    await redis.hdel(key(userId), String(req.params.productId))
    res.json(await view(userId))
  })

  return { lines, view, clear: async (userId) => void (await redis.del(key(userId))), router }
}
