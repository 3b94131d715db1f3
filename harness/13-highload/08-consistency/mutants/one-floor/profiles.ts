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

const COLUMNS = 'id, name, bio, version'

/**
 * Profiles on a primary (all writes) and an asynchronous replica (most reads). Each
 * session remembers, per profile, the newest version it wrote or saw (its "floor"): the
 * replica serves a read when its copy is at least that new, the primary otherwise.
 */
export function createProfileStore({ primary, replica }: { primary: pg.Pool; replica: pg.Pool }): ProfileStore {
  const one = async (db: pg.Pool, sql: string, params: unknown[]) => (await db.query<Profile>(sql, params)).rows[0]

  return {
    session() {
      const floor = new Map<string, number>()
      const saw = (p: Profile | undefined) => {
        // The newest version this session has seen, of anything.
        if (p && p.version > (floor.get('*') ?? 0)) floor.set('*', p.version)
        return p
      }
      return {
        async create(id, name) {
          return saw(await one(primary, `insert into profiles (id, name, bio, version) values ($1, $2, '', 1) returning ${COLUMNS}`, [id, name]))!
        },
        async update(id, patch) {
          return saw(
            await one(
              primary,
              `update profiles set name = coalesce($2, name), bio = coalesce($3, bio), version = version + 1 where id = $1 returning ${COLUMNS}`,
              [id, patch.name ?? null, patch.bio ?? null],
            ),
          )
        },
        async get(id, { consistency = 'session' } = {}) {
          const byId = `select ${COLUMNS} from profiles where id = $1`
          if (consistency === 'strong') return saw(await one(primary, byId, [id]))
          const copy = await one(replica, byId, [id])
          if (consistency === 'eventual') return saw(copy)
          // The replica is good enough when it has what this session already knows.
          const needed = floor.get('*')
          if (copy && (needed === undefined || copy.version >= needed)) return saw(copy)
          // Behind, or missing (perhaps not replicated yet): ask the primary.
          return saw(await one(primary, byId, [id]))
        },
      }
    },
  }
}
