import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'

export interface CacheOptions {
  redis: Redis
  /** How long a loaded value stays cached. */
  ttlMs: number
  /** How long the loading lock lives if the loading instance dies. */
  lockTtlMs: number
}

export interface Cache {
  getOrLoad<T>(key: string, loader: () => Promise<T>): Promise<T>
}

const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`
const POLL_MS = 20
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createCache({ redis, ttlMs, lockTtlMs }: CacheOptions): Cache {
  // In-process single flight: concurrent calls for one key in this instance share a promise.
  const inFlight = new Map<string, Promise<unknown>>()

  async function load<T>(key: string, loader: () => Promise<T>): Promise<T> {
    const valueKey = `cache:${key}`
    const lockKey = `lock:${key}`
    // The cached value, or null on a miss.
    const read = async (): Promise<T | null> => {
      const raw = await redis.get(valueKey)
      return raw === null ? null : (JSON.parse(raw) as T)
    }
    for (;;) {
      const cached = await read()
      if (cached !== null) return cached

      // Across instances: only the holder of the lock calls the loader; the others wait.
      const token = randomBytes(16).toString('hex')
      if ((await redis.set(lockKey, token, 'PX', lockTtlMs, 'NX')) === 'OK') {
        try {
          // The previous holder may have filled the cache between our GET and our SET NX.
          const filled = await read()
          if (filled !== null) return filled
          const value = await loader()
          await redis.set(valueKey, JSON.stringify(value), 'PX', ttlMs)
          return value
        } finally {
          await redis.eval(RELEASE, 1, lockKey, token)
        }
      }
      // Someone else is loading: poll until the value appears, or their lock is gone
      // (they failed or died) and we may try ourselves.
      await sleep(POLL_MS)
    }
  }

  return {
    getOrLoad<T>(key: string, loader: () => Promise<T>): Promise<T> {
      const pending = inFlight.get(key)
      if (pending) return pending as Promise<T>
      const p = load(key, loader).finally(() => inFlight.delete(key))
      inFlight.set(key, p)
      return p
    },
  }
}
