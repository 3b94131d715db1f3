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

/**
 * CRUD over the table `users (id serial primary key, email text unique, name text)`.
 * Every value travels as a query parameter ($1, $2, …), never inside the SQL text.
 */
export function createUserRepo(db: Db): UserRepo {
  const todo = (what: string, ru: string) => async (): Promise<never> => {
    throw new Error(`TODO: ${what} with a parameterized query (db.query(sql, [values]))\nTODO(ru): ${ru}, запросом с параметрами (db.query(sql, [values]))`)
  }
  return {
    create: todo('create(input): INSERT … RETURNING id, email, name', 'create(input): INSERT … RETURNING id, email, name'),
    get: todo('get(id): SELECT one user or null', 'get(id): SELECT одного пользователя или null'),
    list: todo('list(): every user ordered by id', 'list(): все пользователи по возрастанию id'),
    search: todo('search(text): users whose name contains text, case-insensitively', 'search(text): пользователи, в имени которых есть text, без учёта регистра'),
    update: todo('update(id, patch): change the given fields, return the user or null', 'update(id, patch): изменить переданные поля, вернуть пользователя или null'),
    remove: todo('remove(id): DELETE, return whether a row was deleted', 'remove(id): DELETE, вернуть, была ли удалена строка'),
  }
}
