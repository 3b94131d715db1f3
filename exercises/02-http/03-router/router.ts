import type { IncomingMessage, ServerResponse } from 'node:http'

export interface RouteContext {
  /** Decoded path parameters: `/users/:id` on `/users/42` gives `{ id: '42' }`. */
  params: Record<string, string>
  /** Decoded query: a key seen once is a string, a repeated key an array. */
  query: Record<string, string | string[]>
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => void | Promise<void>

export interface Router {
  /** Registers `handler` for `method` and `pattern`; returns the router for chaining. */
  on(method: string, pattern: string, handler: RouteHandler): Router
  /** The request listener: runs the matching route, or answers 400/404/405. */
  handle(req: IncomingMessage, res: ServerResponse): void
}

/** A router with `:param` and `*rest` segments, 404 vs 405 and query parsing (see README.md). */
export function createRouter(): Router {
  throw new Error('TODO: return a Router whose on() registers routes and whose handle(req, res) dispatches them\nTODO(ru): вернуть Router: on() регистрирует маршруты, handle(req, res) передаёт запрос нужному')
}
