import type { DatabaseSync } from 'node:sqlite'
import type { Pool } from 'pg'

export interface Task {
  id: number
  title: string
  done: boolean
  priority: number
  /** 'YYYY-MM-DD' or null. */
  dueOn: string | null
  createdAt: Date
}

export interface NewTask {
  title: string
  /** 1 (low) … 5 (urgent); 3 when omitted. */
  priority?: number
  dueOn?: string | null
}

export interface TaskFilter {
  done?: boolean
  /** Case-insensitive substring of the title. */
  search?: string
}

/** The contract both implementations keep: the rest of the service only sees this. */
export interface TaskRepo {
  migrate(): Promise<void>
  add(input: NewTask): Promise<Task>
  get(id: number): Promise<Task | null>
  list(filter?: TaskFilter): Promise<Task[]>
  complete(id: number): Promise<boolean>
  remove(id: number): Promise<boolean>
  stats(): Promise<{ total: number; done: number }>
}

// Rules of the domain live once, outside both implementations.
function validate(input: NewTask): Required<NewTask> {
  const title = input.title?.trim() ?? ''
  if (!title) throw new RangeError('title must not be blank')
  const priority = input.priority ?? 3
  if (!Number.isInteger(priority) || priority < 1 || priority > 5) throw new RangeError(`priority must be an integer from 1 to 5, got ${priority}`)
  const dueOn = input.dueOn ?? null
  if (dueOn !== null && !/^\d{4}-\d{2}-\d{2}$/.test(dueOn)) throw new RangeError(`dueOn must be YYYY-MM-DD, got ${dueOn}`)
  return { title, priority, dueOn }
}

/** `%`, `_` and `\` are wildcards in LIKE: match the search text literally. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`

// ---------------- PostgreSQL ----------------

interface PgRow {
  id: number
  title: string
  done: boolean
  priority: number
  due_on: string | null
  created_at: Date
}
const PG_COLUMNS = 'id, title, done, priority, due_on::text AS due_on, created_at'
const fromPg = (r: PgRow): Task => ({ id: r.id, title: r.title, done: r.done, priority: r.priority, dueOn: r.due_on, createdAt: r.created_at })

export function createPgTaskRepo(pool: Pool): TaskRepo {
  return {
    async migrate() {
      await pool.query(`CREATE TABLE IF NOT EXISTS tasks (
        id serial PRIMARY KEY,
        title text NOT NULL,
        done boolean NOT NULL DEFAULT false,
        priority int NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
        due_on date,
        created_at timestamptz NOT NULL DEFAULT now())`)
    },
    async add(input) {
      const t = validate(input)
      const { rows } = await pool.query<PgRow>(
        `INSERT INTO tasks (title, priority, due_on) VALUES ($1, $2, $3::date) RETURNING ${PG_COLUMNS}`,
        [t.title, t.priority, t.dueOn],
      )
      return fromPg(rows[0]!)
    },
    async get(id) {
      const { rows } = await pool.query<PgRow>(`SELECT ${PG_COLUMNS} FROM tasks WHERE id = $1`, [id])
      return rows[0] ? fromPg(rows[0]) : null
    },
    async list(filter = {}) {
      const where: string[] = []
      const params: unknown[] = []
      if (filter.done !== undefined) where.push(`done = $${params.push(filter.done)}`)
      if (filter.search !== undefined) where.push(`title LIKE $${params.push(likePattern(filter.search))}`)
      const { rows } = await pool.query<PgRow>(
        `SELECT ${PG_COLUMNS} FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY priority DESC, id`,
        params,
      )
      return rows.map(fromPg)
    },
    async complete(id) {
      const { rowCount } = await pool.query('UPDATE tasks SET done = true WHERE id = $1 AND NOT done', [id])
      return (rowCount ?? 0) > 0
    },
    async remove(id) {
      const { rowCount } = await pool.query('DELETE FROM tasks WHERE id = $1', [id])
      return (rowCount ?? 0) > 0
    },
    async stats() {
      // count() is bigint: pg sends a string.
      const { rows } = await pool.query<{ total: string; done: string }>('SELECT count(*) AS total, count(*) FILTER (WHERE done) AS done FROM tasks')
      return { total: Number(rows[0]!.total), done: Number(rows[0]!.done) }
    },
  }
}

// ---------------- SQLite ----------------

interface SqliteRow {
  id: number
  title: string
  done: number // SQLite has no boolean: 0 or 1
  priority: number
  due_on: string | null
  created_at: string // no timestamp type either: ISO text
}
const fromSqlite = (r: SqliteRow): Task => ({
  id: r.id,
  title: r.title,
  done: r.done === 1,
  priority: r.priority,
  dueOn: r.due_on,
  createdAt: new Date(r.created_at),
})

export function createSqliteTaskRepo(db: DatabaseSync): TaskRepo {
  // DatabaseSync is synchronous; async methods keep the shared interface.
  const all = (sql: string, ...params: (string | number | null)[]) => db.prepare(sql).all(...params) as unknown as SqliteRow[]
  return {
    async migrate() {
      db.exec(`CREATE TABLE IF NOT EXISTS tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        title TEXT NOT NULL,
        done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
        priority INTEGER NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 5),
        due_on TEXT,
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`)
    },
    async add(input) {
      const t = validate(input)
      const [row] = all('INSERT INTO tasks (title, priority, due_on) VALUES (?, ?, ?) RETURNING *', t.title, t.priority, t.dueOn)
      return fromSqlite(row!)
    },
    async get(id) {
      const [row] = all('SELECT * FROM tasks WHERE id = ?', id)
      return row ? fromSqlite(row) : null
    },
    async list(filter = {}) {
      const where: string[] = []
      const params: (string | number)[] = []
      if (filter.done !== undefined) {
        where.push('done = ?')
        params.push(filter.done ? 1 : 0)
      }
      if (filter.search !== undefined) {
        // SQLite's LIKE ignores case (for ASCII) already; ESCAPE must be spelled out.
        where.push("title LIKE ? ESCAPE '\\'")
        params.push(likePattern(filter.search))
      }
      return all(`SELECT * FROM tasks ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY priority DESC, id`, ...params).map(fromSqlite)
    },
    async complete(id) {
      return Number(db.prepare('UPDATE tasks SET done = 1 WHERE id = ? AND done = 0').run(id).changes) > 0
    },
    async remove(id) {
      return Number(db.prepare('DELETE FROM tasks WHERE id = ?').run(id).changes) > 0
    },
    async stats() {
      const row = db.prepare('SELECT count(*) AS total, coalesce(sum(done), 0) AS done FROM tasks').get() as { total: number; done: number }
      return { total: row.total, done: row.done }
    },
  }
}
