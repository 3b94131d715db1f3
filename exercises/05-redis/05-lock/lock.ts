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

/**
 * A distributed lock in Redis:
 * - acquire: take the lock for ttlMs if nobody holds it; return a token that proves ownership, or null;
 * - release / extend: only with the owner's token, checked and applied atomically;
 * - withLock: wait for the lock (up to waitMs), run fn, always release.
 */
export function createLocker(redis: Redis): Locker {
  return {
    async acquire(resource, ttlMs) {
      throw new Error('TODO: acquire(resource, ttlMs) — SET the lock key to a random token only if it does not exist, with a TTL\nTODO(ru): acquire(resource, ttlMs) — SET ключа блокировки в случайный токен с TTL, только если ключа ещё нет')
    },
    async release(resource, token) {
      throw new Error('TODO: release(resource, token) — delete the lock only if it still holds this token, atomically\nTODO(ru): release(resource, token) — атомарно удалить блокировку, только если она всё ещё хранит этот токен')
    },
    async extend(resource, token, ttlMs) {
      throw new Error('TODO: extend(resource, token, ttlMs) — renew the TTL only if the lock still holds this token\nTODO(ru): extend(resource, token, ttlMs) — продлить TTL, только если блокировка всё ещё хранит этот токен')
    },
    async withLock(resource, fn, options) {
      throw new Error('TODO: withLock(resource, fn, { ttlMs, waitMs }) — retry acquire until waitMs, run fn, release in finally\nTODO(ru): withLock(resource, fn, { ttlMs, waitMs }) — повторять acquire в течение waitMs, выполнить fn, освободить в finally')
    },
  }
}
