import { randomBytes } from 'node:crypto'
import type { Redis } from 'ioredis'

/** Thrown by withLock when the lock could not be taken within `waitMs`. */
export class LockTimeoutError extends Error {
  override name = 'LockTimeoutError'
  constructor(readonly resource: string, readonly waitMs: number) {
    super(`could not lock "${resource}" within ${waitMs} ms`)
  }
}

export interface WithLockOptions {
  /** How long the lock lives if its holder dies before releasing it. */
  ttlMs: number
  /** How long to keep trying before giving up with LockTimeoutError. */
  waitMs: number
}

export interface Locker {
  acquire(resource: string, ttlMs: number): Promise<string | null>
  release(resource: string, token: string): Promise<boolean>
  extend(resource: string, token: string, ttlMs: number): Promise<boolean>
  withLock<T>(resource: string, fn: () => Promise<T>, options: WithLockOptions): Promise<T>
}


const keyOf = (resource: string) => `lock:${resource}`
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createLocker(redis: Redis): Locker {
  // Optimistic check-and-act: WATCH the key, check the token, then MULTI/EXEC. If anyone
  // changed the key in between (it expired and was taken over), EXEC does nothing.
  // WATCH belongs to a connection, so each check runs on a duplicate of its own.
  const ifHeld = async (resource: string, token: string, act: (tx: ReturnType<Redis['multi']>) => unknown): Promise<boolean> => {
    const conn = redis.duplicate()
    try {
      await conn.watch(keyOf(resource))
      if ((await conn.get(keyOf(resource))) !== token) {
        await conn.unwatch()
        return false
      }
      const tx = conn.multi()
      act(tx)
      const result = await tx.exec()
      return result !== null && result[0]?.[1] === 1
    } finally {
      conn.disconnect()
    }
  }

  const locker: Locker = {
    async acquire(resource, ttlMs) {
      const token = randomBytes(16).toString('hex')
      // NX: only if nobody holds it; PX: the lock frees itself if we die holding it.
      const ok = await redis.set(keyOf(resource), token, 'PX', ttlMs, 'NX')
      return ok === 'OK' ? token : null
    },

    async release(resource, token) {
      return ifHeld(resource, token, (tx) => tx.del(keyOf(resource)))
    },

    async extend(resource, token, ttlMs) {
      return ifHeld(resource, token, (tx) => tx.pexpire(keyOf(resource), ttlMs))
    },

    async withLock(resource, fn, { ttlMs, waitMs }) {
      const deadline = Date.now() + waitMs
      let token = await locker.acquire(resource, ttlMs)
      while (!token) {
        if (Date.now() >= deadline) throw new LockTimeoutError(resource, waitMs)
        // Retry with jitter, so waiting contenders do not all knock at the same moment.
        await sleep(Math.min(10 + Math.random() * 20, Math.max(1, deadline - Date.now())))
        token = await locker.acquire(resource, ttlMs)
      }
      try {
        return await fn()
      } finally {
        await locker.release(resource, token)
      }
    },
  }
  return locker
}
