// Errors as values with a meaning: the app's own errors become HTTP answers with their
// message; everything else becomes a 500 that says nothing, while the log gets it all.
import { randomUUID } from 'node:crypto'
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express'

/** Base of the errors meant for the client: their message is safe to show. */
export class AppError extends Error {
  override name = 'AppError'
}
export class ValidationError extends AppError {
  override name = 'ValidationError'
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
    options?: ErrorOptions,
  ) {
    super(message, options)
  }
}
export class ForbiddenError extends AppError {
  override name = 'ForbiddenError'
}
export class NotFoundError extends AppError {
  override name = 'NotFoundError'
}
export class ConflictError extends AppError {
  override name = 'ConflictError'
}

export interface HttpError {
  status: number
  code: string
  message: string
  fields?: Record<string, string>
}

export interface ErrorLogEntry {
  level: 'warn' | 'error'
  requestId: string
  method: string
  path: string
  status: number
  code: string
  /** The value that was thrown, untouched: the log is where the details belong. */
  err: unknown
}

export interface ErrorHandlerDeps {
  log: (entry: ErrorLogEntry) => void
  newId?: () => string
}

const INTERNAL: HttpError = { status: 500, code: 'internal', message: 'Internal server error' }

/** Like Go's errors.As: the first error of type `cls` in the cause chain (cycle-safe). */
function findInChain<T>(err: unknown, cls: abstract new (...args: never[]) => T): T | undefined {
  const seen = new Set<unknown>()
  for (let e = err; e instanceof Error && !seen.has(e); e = e.cause) {
    if (e instanceof cls) return e
    seen.add(e)
  }
  return undefined
}

/** An error from express/body-parser (http-errors): a 4xx it marked as safe to show. */
function exposedClientError(err: unknown): { status: number; message: string } | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const e = err as { expose?: unknown; status?: unknown; statusCode?: unknown; message?: unknown }
  const status = typeof e.status === 'number' ? e.status : e.statusCode
  if (e.expose !== true || typeof status !== 'number' || status < 400) return undefined
  return { status, message: typeof e.message === 'string' ? e.message : 'Bad request' }
}

export function toHttpError(err: unknown): HttpError {
  const app = findInChain(err, AppError)
  if (app instanceof ValidationError) return { status: 400, code: 'validation_failed', message: app.message, fields: { ...app.fields } }
  if (app instanceof ForbiddenError) return { status: 403, code: 'forbidden', message: app.message }
  if (app instanceof NotFoundError) return { status: 404, code: 'not_found', message: app.message }
  if (app instanceof ConflictError) return { status: 409, code: 'conflict', message: app.message }
  if (app) return { status: 400, code: 'bad_request', message: app.message }
  const client = exposedClientError(err)
  if (client) return { status: client.status, code: 'bad_request', message: client.message }
  return { ...INTERNAL }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/

export function errorHandler({ log, newId = randomUUID }: ErrorHandlerDeps): ErrorRequestHandler {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id')
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : newId()
    const http = toHttpError(err)
    log({ level: http.status >= 500 ? 'error' : 'warn', requestId, method: req.method, path: req.path, status: http.status, code: http.code, err })
    // Too late for a clean answer: let express cut the connection.
    if (res.headersSent) return next(err)
    const body: Record<string, unknown> = { code: http.code, message: http.message, requestId }
    if (http.fields) body.fields = http.fields
    res.status(http.status).setHeader('x-request-id', requestId).json({ error: body })
  }
}
