// A structured logger: one JSON object per line, levels, fields, child loggers, and an
// express middleware that gives every request its own logger carrying its request id.
import type { RequestHandler } from 'express'

export type Level = 'debug' | 'info' | 'warn' | 'error'
export type Fields = Record<string, unknown>

/** Where lines go: a file, stdout, a test's array. One call per line. */
export interface Sink {
  write(line: string): void
}

export interface Logger {
  debug(message: string, fields?: Fields): void
  info(message: string, fields?: Fields): void
  warn(message: string, fields?: Fields): void
  error(message: string, fields?: Fields): void
  /** A logger that adds `fields` to every line it writes. */
  child(fields: Fields): Logger
}

export interface LoggerOptions {
  sink: Sink
  level?: Level
  /** Fields on every line (service name, version…). */
  fields?: Fields
  now?: () => Date
}

export function createLogger(_options: LoggerOptions): Logger {
  throw new Error('TODO: createLogger: write one JSON line per call to the sink (see README.md)\nTODO(ru): createLogger: на каждый вызов писать в sink одну строку JSON (см. README.ru.md)')
}

/**
 * Gives each request an id (the caller's x-request-id if it is sane, else a new one),
 * echoes it in the response, puts a child logger carrying it in `res.locals.log`, and
 * logs one line when the response is finished.
 */
export function requestLogger(_logger: Logger, _opts: { newId?: () => string } = {}): RequestHandler {
  throw new Error('TODO: requestLogger: a middleware with a request-scoped child logger (see README.md)\nTODO(ru): requestLogger: middleware с дочерним логгером на каждый запрос (см. README.ru.md)')
}
