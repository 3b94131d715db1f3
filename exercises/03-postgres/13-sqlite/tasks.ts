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

/** Backed by PostgreSQL: the production implementation. */
export function createPgTaskRepo(pool: Pool): TaskRepo {
  throw new Error('TODO: createPgTaskRepo — implement TaskRepo with pool.query and $1, $2 placeholders\nTODO(ru): createPgTaskRepo — реализовать TaskRepo через pool.query с параметрами $1, $2')
}

/** Backed by SQLite (node:sqlite): the one tests can run in memory. */
export function createSqliteTaskRepo(db: DatabaseSync): TaskRepo {
  throw new Error('TODO: createSqliteTaskRepo — implement TaskRepo with db.prepare(sql).all/get/run and ? placeholders\nTODO(ru): createSqliteTaskRepo — реализовать TaskRepo через db.prepare(sql).all/get/run с параметрами ?')
}
