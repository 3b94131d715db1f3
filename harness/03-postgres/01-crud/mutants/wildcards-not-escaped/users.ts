import type { Pool } from 'pg'

/** The one method this module needs from a pg Pool (or Client). */
export type Db = Pick<Pool, 'query'>

export interface User {
  id: number
  email: string
  name: string
}

export interface UserRepo {
  create(input: { email: string; name: string }): Promise<User>
  get(id: number): Promise<User | null>
  list(): Promise<User[]>
  search(text: string): Promise<User[]>
  update(id: number, patch: { email?: string; name?: string }): Promise<User | null>
  remove(id: number): Promise<boolean>
}

/** Thrown by create/update when another user already has the email. */
export class DuplicateEmailError extends Error {
  constructor(readonly email: string) {
    super(`a user with email ${email} already exists`)
    this.name = 'DuplicateEmailError'
  }
}

const COLUMNS = 'id, email, name'

// 23505 is unique_violation: the database, not a prior SELECT, decides (no race).
function duplicate(err: unknown, email: string | undefined): never {
  if ((err as { code?: string }).code === '23505' && email !== undefined) throw new DuplicateEmailError(email)
  throw err
}

/** `%`, `_` and `\` are wildcards in LIKE: escape them so the text is matched literally. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`)

export function createUserRepo(db: Db): UserRepo {
  return {
    async create({ email, name }) {
      try {
        const { rows } = await db.query<User>(`INSERT INTO users (email, name) VALUES ($1, $2) RETURNING ${COLUMNS}`, [email, name])
        return rows[0]!
      } catch (err) {
        duplicate(err, email)
      }
    },

    async get(id) {
      const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id])
      return rows[0] ?? null
    },

    async list() {
      const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users ORDER BY id`)
      return rows
    },

    async search(text) {
      const { rows } = await db.query<User>(`SELECT ${COLUMNS} FROM users WHERE name ILIKE '%' || $1 || '%' ORDER BY id`, [text])
      return rows
    },

    async update(id, patch) {
      // COALESCE keeps a column when its field is absent: one statement, no string building.
      try {
        const { rows } = await db.query<User>(
          `UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name) WHERE id = $1 RETURNING ${COLUMNS}`,
          [id, patch.email ?? null, patch.name ?? null],
        )
        return rows[0] ?? null
      } catch (err) {
        duplicate(err, patch.email)
      }
    },

    async remove(id) {
      const { rowCount } = await db.query('DELETE FROM users WHERE id = $1', [id])
      return (rowCount ?? 0) > 0
    },
  }
}
