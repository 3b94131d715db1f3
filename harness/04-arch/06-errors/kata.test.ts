import express, { type NextFunction, type Request, type Response } from 'express'
import request from 'supertest'
import { describe, expect, it } from 'vitest'
import { describeThrown } from '#support/arch'
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError, errorHandler, toHttpError } from '@kata/arch/errors'

interface HttpError {
  status: number
  code: string
  message: string
  fields?: Record<string, string>
}
interface LogEntry {
  level: string
  requestId: string
  method: string
  path: string
  status: number
  code: string
  err: unknown
}

const GENERIC = { status: 500, code: 'internal', message: 'Internal server error' }

function map(err: unknown, what: string): HttpError {
  try {
    return toHttpError(err) as HttpError
  } catch (e) {
    return expect.fail(`toHttpError(${what}) threw ${describeThrown(e)}: it must always return an answer`)
  }
}

/** What an internal failure looks like: a driver error with SQL, a stack and a class name. */
function dbError(): Error {
  class QueryFailedError extends Error {
    override name = 'QueryFailedError'
    query = 'SELECT * FROM users WHERE email = $1'
  }
  return new QueryFailedError('duplicate key value violates unique constraint "users_email_key" (SELECT * FROM users WHERE email = $1)')
}

const Conflict = ConflictError as new (message: string, options?: ErrorOptions) => Error
class EmailTakenError extends Conflict {
  override name = 'EmailTakenError'
}

describe('toHttpError(err): which answer an error gets', () => {
  it('maps the app errors to 400/403/404/409 with their own message (subclasses included)', () => {
    const cases: [string, unknown, HttpError][] = [
      ['new ValidationError("invalid order", { qty: "must be ≥ 1" })', new ValidationError('invalid order', { qty: 'must be ≥ 1' }), { status: 400, code: 'validation_failed', message: 'invalid order', fields: { qty: 'must be ≥ 1' } }],
      ['new ForbiddenError("not your order")', new ForbiddenError('not your order'), { status: 403, code: 'forbidden', message: 'not your order' }],
      ['new NotFoundError("order 7 not found")', new NotFoundError('order 7 not found'), { status: 404, code: 'not_found', message: 'order 7 not found' }],
      ['new ConflictError("order already paid")', new ConflictError('order already paid'), { status: 409, code: 'conflict', message: 'order already paid' }],
      ['new EmailTakenError(…) (a subclass of ConflictError)', new EmailTakenError('email taken'), { status: 409, code: 'conflict', message: 'email taken' }],
      ['new AppError("cannot refund a gift card") (the base class)', new AppError('cannot refund a gift card'), { status: 400, code: 'bad_request', message: 'cannot refund a gift card' }],
    ]
    for (const [what, err, expected] of cases) expect(map(err, what), `toHttpError(${what})`).toEqual(expected)
  })

  it('finds an app error wrapped in causes, like errors.As, and answers with its message, not the wrapper\'s', () => {
    const inner = new NotFoundError('user 7 not found')
    const wrapped = new Error('loading profile failed', { cause: new Error('repository call failed', { cause: inner }) })
    expect(map(wrapped, 'Error → Error → NotFoundError'), 'toHttpError of a NotFoundError two causes deep').toEqual({ status: 404, code: 'not_found', message: 'user 7 not found' })
  })

  it('answers an app error that wraps an internal one with the app error only: the cause stays hidden', () => {
    const err = new ConflictError('email already registered', { cause: dbError() })
    expect(map(err, 'ConflictError with a database error as cause'), 'toHttpError(ConflictError { cause: db error })').toEqual({
      status: 409,
      code: 'conflict',
      message: 'email already registered',
    })
  })

  it('answers anything else with the same generic 500', () => {
    const upstream404 = Object.assign(new Error('GET https://billing.internal/v1/invoices/9 returned 404'), { status: 404, statusCode: 404 })
    const a: Error = new Error('a')
    const b: Error = new Error('b', { cause: a })
    ;(a as { cause?: unknown }).cause = b // a cycle of causes must not hang
    const cases: [string, unknown][] = [
      ['a database error', dbError()],
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
      ['a thrown string', 'connection refused: 10.0.3.7:5432'],
      ['null', null],
      ['undefined', undefined],
      ['a plain object { message, status: 400 }', { message: 'x', status: 400 }],
      ['an upstream error with status 404 (not marked expose)', upstream404],
      ['an error whose causes form a cycle', a],
    ]
    for (const [what, err] of cases) expect(map(err, what), `toHttpError(${what})`).toEqual(GENERIC)
  })

  it('keeps the status of client errors that express marked as safe to show (expose: true, 4xx)', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, statusCode: 413, expose: true, type: 'entity.too.large' })
    const badJson = Object.assign(new SyntaxError('Unexpected end of JSON input'), { status: 400, statusCode: 400, expose: true, type: 'entity.parse.failed' })
    const notExposed5xx = Object.assign(new Error('bad gateway'), { status: 502, expose: true })
    expect(map(tooLarge, 'a body-parser 413'), 'toHttpError(a body-parser "entity too large", 413)').toEqual({ status: 413, code: 'bad_request', message: 'request entity too large' })
    expect(map(badJson, 'a body-parser 400'), 'toHttpError(a body-parser JSON parse error, 400)').toEqual({ status: 400, code: 'bad_request', message: 'Unexpected end of JSON input' })
    expect(map(notExposed5xx, 'an exposed 502'), 'toHttpError(an error with status 502 and expose: true)').toEqual(GENERIC)
  })
})

/** A small app whose routes fail in every way, finished by the learner's error handler. */
function appWith(log: (e: LogEntry) => void, newId: () => string = () => 'generated-id') {
  const app = express()
  app.use(express.json({ limit: '1kb' }))
  app.post('/orders', (req: Request, res: Response) => void res.status(201).json({ got: req.body }))
  app.get('/sync-throw', () => {
    throw new NotFoundError('order 7 not found')
  })
  app.get('/async-reject', async () => {
    await Promise.resolve()
    throw new ValidationError('invalid filter', { status: 'unknown status "lost"' })
  })
  app.get('/next-err', (_req: Request, _res: Response, next: NextFunction) => next(new ForbiddenError('not your order')))
  app.get('/wrapped', async () => {
    throw new Error('service failed', { cause: new ConflictError('order already paid') })
  })
  app.get('/db', async () => {
    throw dbError()
  })
  app.get('/string', () => {
    throw 'redis://:hunter2@cache.internal:6379 refused'
  })
  app.use(errorHandler({ log, newId }))
  return app
}

function recorder() {
  const entries: LogEntry[] = []
  return { entries, log: (e: LogEntry) => void entries.push(e) }
}

describe('errorHandler({ log, newId }): the express error middleware', () => {
  it('answers app errors from sync throws, rejected promises and next(err) as { error: { code, message, requestId } }', async () => {
    const app = appWith(recorder().log)
    const cases: [string, number, Record<string, unknown>][] = [
      ['/sync-throw', 404, { code: 'not_found', message: 'order 7 not found', requestId: 'generated-id' }],
      ['/async-reject', 400, { code: 'validation_failed', message: 'invalid filter', requestId: 'generated-id', fields: { status: 'unknown status "lost"' } }],
      ['/next-err', 403, { code: 'forbidden', message: 'not your order', requestId: 'generated-id' }],
      ['/wrapped', 409, { code: 'conflict', message: 'order already paid', requestId: 'generated-id' }],
    ]
    for (const [path, status, error] of cases) {
      const res = await request(app).get(path)
      expect([res.status, res.body], `GET ${path}: [status, body]`).toEqual([status, { error }])
      expect(res.headers['content-type'] ?? '', `GET ${path}: content-type`).toMatch(/application\/json/)
    }
  })

  it('uses the caller\'s x-request-id when it is sane, a new id otherwise, and returns it in the x-request-id header', async () => {
    const app = appWith(recorder().log, () => 'fresh-id')
    const kept = await request(app).get('/sync-throw').set('x-request-id', 'req-42')
    expect([kept.body?.error?.requestId, kept.headers['x-request-id']], 'requestId in body and header for x-request-id: req-42').toEqual(['req-42', 'req-42'])
    const bad = await request(app).get('/sync-throw').set('x-request-id', 'bad id<script>')
    expect([bad.body?.error?.requestId, bad.headers['x-request-id']], 'requestId in body and header for x-request-id: "bad id<script>"').toEqual(['fresh-id', 'fresh-id'])
    const longest = await request(app).get('/sync-throw').set('x-request-id', 'k'.repeat(64))
    expect(longest.headers['x-request-id'], 'x-request-id header for an incoming id of 64 characters (allowed)').toBe('k'.repeat(64))
    const tooLong = await request(app).get('/sync-throw').set('x-request-id', 'k'.repeat(65))
    expect(tooLong.headers['x-request-id'], 'x-request-id header for an incoming id of 65 characters (over 1-64: a new id)').toBe('fresh-id')
  })

  it('turns express\'s own client errors into 400 and 413 instead of 500', async () => {
    const app = appWith(recorder().log)
    const broken = await request(app).post('/orders').set('content-type', 'application/json').send('{"qty": ')
    expect([broken.status, broken.body?.error?.code], 'POST /orders with broken JSON: [status, code]').toEqual([400, 'bad_request'])
    const huge = await request(app).post('/orders').send({ note: 'x'.repeat(4000) })
    expect([huge.status, huge.body?.error?.code], 'POST /orders with a 4 kB body (limit 1 kB): [status, code]').toEqual([413, 'bad_request'])
  })

  it('answers an internal failure with a fixed 500 body: no message, SQL, stack, class name or secret', async () => {
    const app = appWith(recorder().log)
    for (const path of ['/db', '/string']) {
      const res = await request(app).get(path).set('x-request-id', 'trace-9')
      expect([res.status, res.body], `GET ${path}: [status, body]`).toEqual([500, { error: { code: 'internal', message: 'Internal server error', requestId: 'trace-9' } }])
      for (const leak of ['duplicate key', 'SELECT', 'users_email_key', 'QueryFailedError', 'hunter2', 'redis://', '    at ', '.ts:']) {
        expect(res.text.includes(leak), `GET ${path}: the body must not contain "${leak}"; it was ${res.text}`).toBe(false)
      }
    }
  })

  it('logs every failure once, with the thrown value and the request id, so the details are not lost', async () => {
    const rec = recorder()
    const app = appWith(rec.log)
    await request(app).get('/db').set('x-request-id', 'log-1')
    await request(app).get('/sync-throw').set('x-request-id', 'log-2')
    expect(rec.entries.length, 'log entries after two failed requests').toBe(2)
    const [internal, notFound] = rec.entries
    expect(
      [internal?.level, internal?.requestId, internal?.method, internal?.path, internal?.status, internal?.code],
      'log entry of GET /db: [level, requestId, method, path, status, code]',
    ).toEqual(['error', 'log-1', 'GET', '/db', 500, 'internal'])
    expect(internal?.err instanceof Error && internal.err.name === 'QueryFailedError', 'log entry of GET /db: err is the thrown database error itself').toBe(true)
    expect([notFound?.level, notFound?.requestId, notFound?.status, notFound?.code], 'log entry of GET /sync-throw: [level, requestId, status, code]').toEqual(['warn', 'log-2', 404, 'not_found'])
    expect(notFound?.err, 'log entry of GET /sync-throw: err is the thrown NotFoundError').toBeInstanceOf(NotFoundError)
  })

  it('still lets good requests through untouched', async () => {
    const rec = recorder()
    const res = await request(appWith(rec.log)).post('/orders').send({ qty: 2 })
    expect([res.status, res.body], 'POST /orders { qty: 2 }').toEqual([201, { got: { qty: 2 } }])
    expect(rec.entries.length, 'log entries after a good request').toBe(0)
  })
})
