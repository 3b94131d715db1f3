import type { RequestListener } from 'node:http'

export type Priority = 'low' | 'normal' | 'high'

export interface Todo {
  id: string
  title: string
  done: boolean
  priority: Priority
  /** A calendar date "YYYY-MM-DD", or null. */
  dueDate: string | null
  createdAt: string
}

export interface AppOptions {
  /** The clock in ms (default Date.now). */
  now?: () => number
}

/** The ToDo API, step by step (see README.md). */
export function createApp(options: AppOptions = {}): RequestListener {
  throw new Error('TODO: step 1 — return a request listener with POST/GET /todos and GET/PATCH/DELETE /todos/:id\nTODO(ru): шаг 1 — вернуть обработчик запросов с POST/GET /todos и GET/PATCH/DELETE /todos/:id')
}
