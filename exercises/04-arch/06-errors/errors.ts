// Errors as values with a meaning: the app's own errors become HTTP answers with their
// message; everything else becomes a 500 that says nothing, while the log gets it all.
import type { ErrorRequestHandler } from 'express'

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

export function toHttpError(_err: unknown): HttpError {
  throw new Error('TODO: toHttpError: find the app error in the cause chain, or answer 500 (see README.md)\nTODO(ru): toHttpError: найти ошибку приложения в цепочке cause, иначе ответить 500 (см. README.ru.md)')
}

export function errorHandler(_deps: ErrorHandlerDeps): ErrorRequestHandler {
  throw new Error('TODO: errorHandler: an express error middleware built on toHttpError (see README.md)\nTODO(ru): errorHandler: middleware обработки ошибок express на основе toHttpError (см. README.ru.md)')
}
