// Bookmarks in three layers: the handler speaks HTTP, the service owns the rules,
// the repository owns the SQL. Each one only talks to the next through an interface.
import type { DatabaseSync } from 'node:sqlite'
import type { Express } from 'express'

export interface Bookmark {
  id: string
  url: string
  title: string
  tags: string[]
  createdAt: string
}

/** What a client may send to create a bookmark (the id and the date are ours). */
export interface NewBookmark {
  url: string
  title?: string
  tags?: string[]
}

export interface ListQuery {
  tag?: string
  limit?: number
  offset?: number
}

export class ValidationError extends Error {
  override name = 'ValidationError'
}
export class NotFoundError extends Error {
  override name = 'NotFoundError'
}
export class ConflictError extends Error {
  override name = 'ConflictError'
}

// ---------------------------------------------------------------- repository

export interface BookmarkRepository {
  /** Rejects with ConflictError when the id or the url is taken. */
  insert(bookmark: Bookmark): Promise<void>
  findById(id: string): Promise<Bookmark | undefined>
  findByUrl(url: string): Promise<Bookmark | undefined>
  /** Newest first (createdAt descending, then id ascending). */
  list(query: { tag?: string; limit: number; offset: number }): Promise<Bookmark[]>
  /** True when a bookmark was deleted. */
  remove(id: string): Promise<boolean>
}

export function createSqliteBookmarkRepository(_db: DatabaseSync): BookmarkRepository {
  throw new Error('TODO: the repository layer: store bookmarks in a SQLite table of the db passed in (see README.md)\nTODO(ru): слой репозитория: хранить закладки в таблице SQLite в переданной базе db (см. README.ru.md)')
}

// ---------------------------------------------------------------- service

export interface BookmarkService {
  create(input: NewBookmark): Promise<Bookmark>
  get(id: string): Promise<Bookmark>
  list(query: ListQuery): Promise<Bookmark[]>
  remove(id: string): Promise<void>
}

export interface ServiceDeps {
  newId?: () => string
  now?: () => Date
}

export function createBookmarkService(_repo: BookmarkRepository, _deps: ServiceDeps = {}): BookmarkService {
  throw new Error('TODO: the service layer: the rules for url, title, tags and paging, on top of the repository (see README.md)\nTODO(ru): слой сервиса: правила для url, title, tags и постраничного вывода поверх репозитория (см. README.ru.md)')
}

// ---------------------------------------------------------------- handler

export function createBookmarkApp(_service: BookmarkService): Express {
  throw new Error('TODO: the handler layer: an express app with the four routes that calls the service (see README.md)\nTODO(ru): слой обработчиков: приложение express с четырьмя маршрутами, которое вызывает сервис (см. README.ru.md)')
}
