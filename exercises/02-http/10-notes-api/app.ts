import type { RequestListener } from 'node:http'

export interface Note {
  id: string
  title: string
  body: string
  tags: string[]
  createdAt: string
  updatedAt: string
}

export interface AppOptions {
  /** The clock in ms (default Date.now); the suite moves it by hand. */
  now?: () => number
}

/** The Notes API, step by step (see README.md). */
export function createApp(options: AppOptions = {}): RequestListener {
  throw new Error('TODO: step 1 — return a request listener with POST/GET /notes and GET/PATCH/DELETE /notes/:id\nTODO(ru): шаг 1 — вернуть обработчик запросов с POST/GET /notes и GET/PATCH/DELETE /notes/:id')
}
