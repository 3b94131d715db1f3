/** A lookup found nothing. */
export class NotFoundError extends Error {
  override name = 'NotFoundError'
  readonly entity: string
  readonly id: string
  constructor(entity: string, id: string, options?: ErrorOptions) {
    super(`${entity} ${id} not found`, options)
    this.entity = entity
    this.id = id
  }
}

/** Input that breaks a rule; `field` names the offending field. */
export class ValidationError extends Error {
  override name = 'ValidationError'
  readonly field: string
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options)
    this.field = field
  }
}

/** A sentinel: compare with isError(err, ErrPermission), never by message. */
export const ErrPermission: Error = new Error('permission denied')

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err))

/** `fmt.Errorf("context: %w", err)`: a new Error whose cause is `err`. */
export function wrap(err: unknown, context: string): Error {
  return new Error(`${context}: ${messageOf(err)}`, { cause: err })
}

/**
 * Every error reachable from `err`, depth-first: itself, its cause chain, and the
 * members of an AggregateError. Each error is visited once, so a cycle ends.
 */
function* walk(err: unknown, seen = new Set<unknown>()): Generator<unknown> {
  if (!(err instanceof Error) || seen.has(err)) return
  seen.add(err)
  yield err
  if (err instanceof AggregateError) for (const e of err.errors as unknown[]) yield* walk(e, seen)
  if (typeof err === 'object' && 'cause' in err) yield* walk(err.cause, seen)
}

/** errors.Is: true when `target` itself is somewhere in `err`'s tree. */
export function isError(err: unknown, target: unknown): boolean {
  for (const e of walk(err)) if (e === target) return true
  return false
}

/** errors.As: the first error in `err`'s tree that is an instance of `type`. */
export function asError<T extends Error>(err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (const e of walk(err)) if (e instanceof type) return e
  return undefined
}

/** The HTTP status a handler answers for `err`, found anywhere in its tree. */
export function statusOf(err: unknown): number {
  if (asError(err, ValidationError)) return 400
  if (isError(err, ErrPermission)) return 403
  if (asError(err, NotFoundError)) return 404
  return 500
}
