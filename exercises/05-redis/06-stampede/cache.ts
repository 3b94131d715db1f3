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

/**
 * A read-through cache that survives a stampede: when many callers miss the same key at
 * once, in this instance or in others, the loader runs once and everyone gets its value.
 */
export function createCache({ redis, ttlMs, lockTtlMs }: CacheOptions): Cache {
  return {
    async getOrLoad<T>(key: string, loader: () => Promise<T>): Promise<T> {
      throw new Error('TODO: getOrLoad(key, loader) — return the cached value, or load it once (single flight + a Redis lock)\nTODO(ru): getOrLoad(key, loader) — вернуть значение из кеша или загрузить его один раз (single flight и блокировка в Redis)')
    },
  }
}
