// A structured logger: one JSON object per line, levels, fields, child loggers, and an
// express middleware that gives every request its own logger carrying its request id.
import { randomUUID } from 'node:crypto'
import type { NextFunction, Request, RequestHandler, Response } from 'express'

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

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }
const RESERVED = new Set(['time', 'level', 'message'])

function serializeError(err: Error, depth = 0): Fields {
  const out: Fields = { type: err.name, message: err.message, stack: err.stack }
  if (err.cause !== undefined && depth < 5) out.cause = err.cause instanceof Error ? serializeError(err.cause, depth + 1) : err.cause
  return out
}

/** JSON.stringify that never throws: cycles and BigInts become strings. */
function safeStringify(entry: Fields): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(entry, (_key, value: unknown) => {
    if (typeof value === 'bigint') return value.toString()
    if (typeof value === 'object' && value !== null) {
      if (seen.has(value)) return '[Circular]'
      seen.add(value)
    }
    return value
  })
}

export function createLogger({ sink, level = 'info', fields = {}, now = () => new Date() }: LoggerOptions): Logger {
  if (!Object.hasOwn(RANK, level)) throw new Error(`unknown log level ${JSON.stringify(level)}`)
  const min = RANK[level]

  function make(bound: Fields): Logger {
    const write = (lvl: Level, message: string, extra: Fields = {}) => {
      if (RANK[lvl] < min) return
      const entry: Fields = { time: now().toISOString(), level: lvl, message: String(message) }
      for (const [k, v] of Object.entries({ ...bound, ...extra })) {
        if (!RESERVED.has(k)) entry[k] = v instanceof Error ? serializeError(v) : v
      }
      // A log call must never break the code that makes it.
      let line: string
      try {
        line = safeStringify(entry)
      } catch {
        line = JSON.stringify({ time: entry.time, level: lvl, message: entry.message, logError: 'fields could not be serialized' })
      }
      sink.write(`${line}\n`)
    }
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (more) => make({ ...bound, ...more }),
    }
  }
  return make({ ...fields })
}

const REQUEST_ID = /[A-Za-z0-9._-]{1,64}/

/**
 * Gives each request an id (the caller's x-request-id if it is sane, else a new one),
 * echoes it in the response, puts a child logger carrying it in `res.locals.log`, and
 * logs one line when the response is finished.
 */
export function requestLogger(logger: Logger, opts: { newId?: () => string } = {}): RequestHandler {
  const newId = opts.newId ?? randomUUID
  return (req: Request, res: Response, next: NextFunction) => {
    const started = performance.now()
    const incoming = req.get('x-request-id')
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : newId()
    const log = logger.child({ requestId })
    res.locals.log = log
    res.setHeader('x-request-id', requestId)
    res.on('finish', () => {
      const status = res.statusCode
      const fields = { method: req.method, path: req.path, status, durationMs: Math.round((performance.now() - started) * 100) / 100 }
      if (status >= 500) log.error('request completed', fields)
      else if (status >= 400) log.warn('request completed', fields)
      else log.info('request completed', fields)
    })
    next()
  }
}
