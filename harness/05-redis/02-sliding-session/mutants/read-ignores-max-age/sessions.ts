import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface Session {
  userId: string
  /** When the session was created, in milliseconds since the epoch. */
  createdAt: number
}

export interface SessionStoreOptions {
  redis: Redis
  /** A session nobody reads for this long expires. */
  idleMs: number
  /** No session lives longer than this after its creation, however often it is read. */
  maxAgeMs: number
}

export interface SessionStore {
  create(userId: string): Promise<string>
  get(token: string): Promise<Session | null>
  destroy(token: string): Promise<boolean>
}

const keyOf = (token: string) => `session:${token}`

export function createSessionStore({ redis, idleMs, maxAgeMs }: SessionStoreOptions): SessionStore {
  return {
    async create(userId) {
      const token = randomBytes(24).toString('base64url')
      const createdAt = Date.now()
      // MULTI: the hash and its expiry are written together, never a session without a TTL.
      await redis
        .multi()
        .hset(keyOf(token), { userId, createdAt: String(createdAt) })
        .pexpire(keyOf(token), Math.min(idleMs, maxAgeMs))
        .exec()
      return token
    },

    async get(token) {
      const data = await redis.hgetall(keyOf(token))
      if (!data.userId || !data.createdAt) return null
      const createdAt = Number(data.createdAt)
      const left = createdAt + maxAgeMs - Date.now()
      if (left <= 0) {
        await redis.del(keyOf(token))
        return null
      }
      // Slide the idle expiry, capped by what is left of the absolute lifetime.
      // PEXPIRE answers 0 when the key expired between HGETALL and now: then it is gone.
      const refreshed = await redis.pexpire(keyOf(token), idleMs)
      if (refreshed === 0) return null
      return { userId: data.userId, createdAt }
    },

    async destroy(token) {
      return (await redis.del(keyOf(token))) === 1
    },
  }
}
