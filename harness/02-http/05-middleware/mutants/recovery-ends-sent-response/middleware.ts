import type { IncomingMessage, ServerResponse } from 'node:http'
import { randomUUID } from 'node:crypto'

/** A handler may be async; a Node request listener ignores what it returns. */
export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>
/** Go's `func(http.Handler) http.Handler`: takes the next handler, returns a wrapped one. */
export type Middleware = (next: Handler) => Handler

export interface LogEntry {
  method: string
  /** The path without the query string. */
  path: string
  status: number
  durationMs: number
  requestId: string | undefined
}

/** chain(h, a, b): a runs first and wraps b, which wraps h. */
export function chain(handler: Handler, ...middlewares: Middleware[]): Handler {
  return middlewares.reduceRight<Handler>((next, mw) => mw(next), handler)
}

// The request id travels with the request object, like a value in Go's request context.
const ids = new WeakMap<IncomingMessage, string>()
const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/

export function getRequestId(req: IncomingMessage): string | undefined {
  return ids.get(req)
}

export function requestId(): Middleware {
  return (next) => (req, res) => {
    const incoming = req.headers['x-request-id']
    // Trust a caller's id only if it is harmless to log and to echo back.
    const id = typeof incoming === 'string' && VALID_ID.test(incoming) ? incoming : randomUUID()
    ids.set(req, id)
    res.setHeader('X-Request-Id', id)
    return next(req, res)
  }
}

export function accessLog(log: (entry: LogEntry) => void): Middleware {
  return (next) => (req, res) => {
    const started = performance.now()
    res.once('finish', () => {
      log({
        method: req.method ?? '',
        path: new URL(req.url ?? '/', 'http://local').pathname,
        status: res.statusCode,
        durationMs: performance.now() - started,
        requestId: getRequestId(req),
      })
    })
    return next(req, res)
  }
}

export function recovery(onError?: (err: unknown, req: IncomingMessage) => void): Middleware {
  return (next) => async (req, res) => {
    try {
      await next(req, res)
    } catch (err) {
      onError?.(err, req)
      // Too late for a 500: the status line is out. Cut the connection so the client
      // sees a broken response instead of a truncated "success".
      if (res.headersSent) return void res.end()
      const body = JSON.stringify({ error: 'internal', requestId: getRequestId(req) })
      res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
      res.end(body)
    }
  }
}

export function timing(): Middleware {
  return (next) => (req, res) => {
    const started = performance.now()
    // Headers leave on the first writeHead (res.write/res.end call it implicitly), so
    // that is the last moment to add one: wrap it, as Go wraps the ResponseWriter.
    const writeHead = res.writeHead
    res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
      if (!this.headersSent) this.setHeader('Server-Timing', `app;dur=${(performance.now() - started).toFixed(1)}`)
      return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args)
    } as ServerResponse['writeHead']
    return next(req, res)
  }
}
