import type { RequestListener } from 'node:http'

export type Role = 'user' | 'admin'

export interface UserRecord {
  id: string
  email: string
  passwordHash: string
  role: Role
  createdAt: string
}

/** The users table. The suite passes its own and inspects what you store. */
export interface UserStore {
  /** Rejects with an error whose `code` is 'duplicate' when the email is taken (a UNIQUE constraint). */
  insert(user: UserRecord): Promise<void>
  findByEmail(email: string): Promise<UserRecord | undefined>
  findById(id: string): Promise<UserRecord | undefined>
  list(): Promise<UserRecord[]>
  update(id: string, changes: Partial<Omit<UserRecord, 'id'>>): Promise<UserRecord | undefined>
}

export interface AppOptions {
  users: UserStore
  /** The HMAC key that signs tokens. */
  secret: string
  /** Token lifetime in seconds (default 900). */
  tokenTtlSec?: number
  /** Emails that register as admins. */
  adminEmails?: string[]
  /** The clock in ms (default Date.now). */
  now?: () => number
}

/** The Auth API, step by step (see README.md). */
export function createApp(options: AppOptions): RequestListener {
  throw new Error('TODO: step 1 — return a request listener with POST /auth/register that stores a salted password hash\nTODO(ru): шаг 1 — вернуть обработчик запросов с POST /auth/register, который сохраняет хеш пароля с солью')
}
