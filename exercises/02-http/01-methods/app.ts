import type { RequestListener } from 'node:http'

export interface Book {
  id: string
  title: string
  author: string
  year?: number
}

/**
 * A Books API on plain node:http (see README.md):
 *   GET /books, POST /books, GET|PUT|PATCH|DELETE /books/:id.
 * Each call returns a fresh app with its own in-memory collection.
 */
export function createApp(): RequestListener {
  throw new Error('TODO: return a request listener (req, res) => … that serves /books and /books/:id\nTODO(ru): вернуть обработчик запросов (req, res) => …, который обслуживает /books и /books/:id')
}
