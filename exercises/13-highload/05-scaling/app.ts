import type { RequestListener } from 'node:http'
import type { Redis } from 'ioredis'

/** How long a session lives without being used. */
export const SESSION_TTL_SECONDS = 30 * 60

/**
 * One instance of the shop API: POST /login, GET /me, POST /logout, GET /cart,
 * POST /cart/items. It must keep nothing in its own memory — sessions and carts live in
 * Redis — so that any instance can serve any request.
 */
export function createApp({ redis }: { redis: Redis }): RequestListener {
  throw new Error('TODO: createApp({ redis }) — an HTTP app whose sessions and carts live in Redis, not in this process\nTODO(ru): createApp({ redis }) — HTTP-приложение, у которого сессии и корзины хранятся в Redis, а не в памяти процесса')
}
