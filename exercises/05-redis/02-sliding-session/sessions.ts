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

/**
 * Sessions in Redis under `session:<token>`, with a sliding expiry:
 * - create(userId): a new random token; the session expires after `idleMs` without reads;
 * - get(token): the session (and its expiry slides forward), or null when it is gone;
 *   never past `maxAgeMs` after creation;
 * - destroy(token): logs out; true when there was such a session.
 */
export function createSessionStore({ redis, idleMs, maxAgeMs }: SessionStoreOptions): SessionStore {
  return {
    async create(userId) {
      throw new Error('TODO: create(userId) — store the session under session:<token> with a TTL of idleMs, return the token\nTODO(ru): create(userId) — сохранить сессию под ключом session:<token> с TTL, равным idleMs, и вернуть токен')
    },
    async get(token) {
      throw new Error('TODO: get(token) — read the session and push its expiry forward (PEXPIRE), never past maxAgeMs\nTODO(ru): get(token) — прочитать сессию и продлить её срок (PEXPIRE), но не дальше maxAgeMs')
    },
    async destroy(token) {
      throw new Error('TODO: destroy(token) — delete the session, true when it existed\nTODO(ru): destroy(token) — удалить сессию; true, если она существовала')
    },
  }
}
