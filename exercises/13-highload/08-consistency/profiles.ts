import type pg from 'pg'

export interface Profile {
  id: string
  name: string
  bio: string
  /** Goes up by one with every write; the replica may hold an older one. */
  version: number
}

/**
 * - strong: the primary, always up to date;
 * - session: read-your-writes and monotonic reads for this session, from the replica
 *   whenever it is recent enough;
 * - eventual: the replica only, possibly stale or missing.
 */
export type Consistency = 'strong' | 'session' | 'eventual'

export interface Session {
  create(id: string, name: string): Promise<Profile>
  update(id: string, patch: { name?: string; bio?: string }): Promise<Profile | undefined>
  get(id: string, options?: { consistency?: Consistency }): Promise<Profile | undefined>
}

export interface ProfileStore {
  /** A new session: one user's view, like a browser holding a cookie. */
  session(): Session
}

/**
 * Profiles on a primary (all writes) and an asynchronous replica (most reads), with
 * read-your-writes and monotonic reads per session.
 */
export function createProfileStore({ primary, replica }: { primary: pg.Pool; replica: pg.Pool }): ProfileStore {
  return {
    session() {
      throw new Error('TODO: session() — create/update on the primary; get() from the replica unless it is older than what this session wrote or saw\nTODO(ru): session() — create/update на основном сервере; get() с реплики, если она не отстаёт от того, что эта сессия записала или прочитала')
    },
  }
}
