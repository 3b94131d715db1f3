import { randomBytes } from 'node:crypto'
import type { RequestListener } from 'node:http'
import express, { type ErrorRequestHandler, type RequestHandler } from 'express'
import type { Redis } from 'ioredis'

/** How long a session lives without being used. */
export const SESSION_TTL_SECONDS = 30 * 60

/**
 * One instance of the shop API. It keeps nothing in its own memory: sessions and carts
 * live in Redis, so any number of instances can serve any request, and an instance can be
 * restarted (or killed) without logging anybody out.
 */
export function createApp({ redis }: { redis: Redis }): RequestListener {
  const app = express()
  app.use(express.json())

  const sessionKey = (token: string) => `session:${token}`
  const cartKey = (user: string) => `cart:${user}`

  /** Resolves the bearer token to a user, or answers 401. */
  const auth: RequestHandler = async (req, res, next) => {
    const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1]
    const user = token ? await redis.get(sessionKey(token)) : null
    if (!token || !user) {
      res.status(401).json({ error: 'not logged in' })
      return
    }
    // Sliding expiry: a session in use stays alive.
    await redis.expire(sessionKey(token), SESSION_TTL_SECONDS)
    res.locals.user = user
    res.locals.token = token
    next()
  }

  app.post('/login', async (req, res) => {
    const user: unknown = req.body?.user
    if (typeof user !== 'string' || user.trim() === '') {
      res.status(400).json({ error: 'user must be a non-empty string' })
      return
    }
    const token = randomBytes(24).toString('base64url')
    await redis.set(sessionKey(token), user, 'EX', SESSION_TTL_SECONDS)
    res.status(201).json({ token })
  })

  app.get('/me', auth, (_req, res) => {
    res.json({ user: res.locals.user })
  })

  app.post('/logout', auth, async (_req, res) => {
    await redis.del(sessionKey(res.locals.token as string))
    res.status(204).end()
  })

  const readCart = async (user: string) => {
    const raw = await redis.hgetall(cartKey(user))
    return Object.fromEntries(Object.entries(raw).map(([sku, qty]) => [sku, Number(qty)]))
  }

  app.get('/cart', auth, async (_req, res) => {
    res.json({ items: await readCart(res.locals.user as string) })
  })

  app.post('/cart/items', auth, async (req, res) => {
    const { sku, qty } = (req.body ?? {}) as { sku?: unknown; qty?: unknown }
    if (typeof sku !== 'string' || sku === '' || !Number.isInteger(qty) || (qty as number) < 1) {
      res.status(400).json({ error: 'expected { sku: non-empty string, qty: positive integer }' })
      return
    }
    // HINCRBY is atomic in Redis: parallel adds on different instances never lose one.
    const cart = await readCart(res.locals.user as string)
    cart[sku] = (cart[sku] ?? 0) + (qty as number)
    await redis.hset(cartKey(res.locals.user as string), cart)
    res.json({ items: await readCart(res.locals.user as string) })
  })

  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const status = (err as { status?: number }).status
    res.status(status && status >= 400 && status < 500 ? status : 500).json({ error: status && status < 500 ? 'bad request' : 'internal error' })
  }
  app.use(onError)
  return app
}
