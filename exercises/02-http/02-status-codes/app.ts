import type { RequestListener } from 'node:http'

export interface User {
  id: string
  name: string
  email: string
}

/** Where users live; the suite passes its own (and sometimes a broken one). */
export interface UserStore {
  list(): Promise<User[]>
  get(id: string): Promise<User | undefined>
  findByEmail(email: string): Promise<User | undefined>
  insert(user: User): Promise<void>
  remove(id: string): Promise<boolean>
}

export interface AppOptions {
  store: UserStore
  /** Clients must send `Authorization: Bearer <apiKey>`. */
  apiKey: string
  /** The largest accepted request body, in bytes (default 1024). */
  maxBodyBytes?: number
}

/**
 * A Users API that answers every outcome with the right status code (see README.md):
 * 200, 201, 204, 400, 401, 404, 405, 409, 413, 415 and 500.
 */
export function createApp(options: AppOptions): RequestListener {
  throw new Error('TODO: return a request listener for /users and /users/:id that picks the right status code for each outcome\nTODO(ru): вернуть обработчик запросов для /users и /users/:id, который для каждого исхода выбирает правильный код ответа')
}
