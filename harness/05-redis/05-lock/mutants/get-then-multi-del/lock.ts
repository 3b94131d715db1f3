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

// Compare-and-delete / compare-and-expire in one step: between a GET and a DEL the lock
// could expire and be taken by someone else, whose lock the DEL would then remove.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`

const keyOf = (resource: string) => `lock:${resource}`
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function createLocker(redis: Redis): Locker {
  const locker: Locker = {
    async acquire(resource, ttlMs) {
      const token = randomBytes(16).toString('hex')
      // NX: only if nobody holds it; PX: the lock frees itself if we die holding it.
      const ok = await redis.set(keyOf(resource), token, 'PX', ttlMs, 'NX')
      return ok === 'OK' ? token : null
    },

    async release(resource, token) {
      // Check the owner, then delete inside MULTI so the delete is atomic.
      if ((await redis.get(keyOf(resource))) !== token) return false
      const result = await redis.multi().del(keyOf(resource)).exec()
      return result?.[0]?.[1] === 1
    },

    async extend(resource, token, ttlMs) {
      return (await redis.eval(EXTEND, 1, keyOf(resource), token, ttlMs)) === 1
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
