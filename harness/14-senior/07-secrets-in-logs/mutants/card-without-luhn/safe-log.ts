// Logging without leaking: every value on its way to the sink goes through redact(), which
// drops secrets by field name and masks the ones that hide inside free text.
import type { RequestHandler } from 'express'

export type Fields = Record<string, unknown>

export interface Sink {
  write(line: string): void
}

export interface Logger {
  info(msg: string, fields?: Fields): void
  warn(msg: string, fields?: Fields): void
  error(msg: string, fields?: Fields): void
}

export const REDACTED = '[REDACTED]'

/** Field names are compared in lower case without "-" and "_": X-Api-Key → xapikey. */
const SECRET_KEY = /password|passwd|secret|token|apikey|authorization|cookie|cvv|cvc|cardnumber|^pan$/
const isSecretKey = (key: string) => SECRET_KEY.test(key.toLowerCase().replace(/[-_]/g, ''))

/** 13–19 digits, single spaces or dashes allowed between them. */
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/=-]+/gi
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g
/** name=value pairs in URLs, query strings, cookies and form bodies. */
const PAIR = /([A-Za-z0-9_.-]+)=([^&\s;#"']*)/g

/** The Luhn checksum every payment card number satisfies (and most other numbers do not). */
function luhn(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i])
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return sum % 10 === 0
}

function redactString(s: string): string {
  return s
    .replace(JWT, REDACTED)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(PAIR, (whole, name: string) => (isSecretKey(name) ? `${name}=${REDACTED}` : whole))
    .replace(CARD, (match) => {
      const digits = match.replace(/\D/g, '')
      return `****${digits.slice(-4)}`
    })
}

/** A redacted deep copy of `value`; the value itself is never changed. */
export function redact(value: unknown): unknown {
  const seen = new WeakSet<object>()
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redactString(v)
    if (typeof v === 'bigint') return v.toString()
    if (v === null || typeof v !== 'object') return v
    if (v instanceof Date) return v.toISOString()
    if (seen.has(v)) return '[Circular]'
    seen.add(v)
    try {
      if (v instanceof Error) return { type: v.name, message: walk(v.message), stack: walk(v.stack) }
      if (Array.isArray(v)) return v.map(walk)
      const out: Record<string, unknown> = {}
      for (const [k, inner] of Object.entries(v)) out[k] = isSecretKey(k) ? REDACTED : walk(inner)
      return out
    } finally {
      // A repeated (not circular) reference is fine: only the current path counts.
      seen.delete(v)
    }
  }
  return walk(value)
}

export function createLogger(sink: Sink, now: () => Date = () => new Date()): Logger {
  const write = (level: string, msg: string, fields: Fields = {}) => {
    const safe = redact(fields) as Fields
    sink.write(`${JSON.stringify({ ...safe, time: now().toISOString(), level, msg: redactString(msg) })}\n`)
  }
  return {
    info: (msg, fields) => write('info', msg, fields),
    warn: (msg, fields) => write('warn', msg, fields),
    error: (msg, fields) => write('error', msg, fields),
  }
}

/** Logs every request once it is answered: method, url, status, headers, body — redacted. */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now()
    res.on('finish', () => {
      logger.info('request', {
        method: req.method,
        url: req.originalUrl,
        status: res.statusCode,
        headers: req.headers,
        body: req.body,
        ms: Math.round(performance.now() - started),
      })
    })
    next()
  }
}
