/** A lookup found nothing. */
export class NotFoundError extends Error {
  readonly entity: string
  readonly id: string
  constructor(entity: string, id: string, options?: ErrorOptions) {
    super('TODO', options)
    this.entity = entity
    this.id = id
    throw new Error('TODO: NotFoundError — message "<entity> <id> not found", name "NotFoundError"\nTODO(ru): NotFoundError — сообщение «<entity> <id> not found», имя «NotFoundError»')
  }
}

/** Input that breaks a rule; `field` names the offending field. */
export class ValidationError extends Error {
  readonly field: string
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(message, options)
    this.field = field
    throw new Error('TODO: ValidationError — message "<field>: <message>", name "ValidationError"\nTODO(ru): ValidationError — сообщение «<field>: <message>», имя «ValidationError»')
  }
}

/** A sentinel: compare with isError(err, ErrPermission), never by message. */
export const ErrPermission: Error = new Error('permission denied')

/** `fmt.Errorf("context: %w", err)`: a new Error whose cause is `err`. */
export function wrap(err: unknown, context: string): Error {
  throw new Error('TODO: wrap — new Error(`${context}: ${message}`, { cause: err })\nTODO(ru): wrap — вернуть new Error(`${context}: ${message}`, { cause: err })')
}

/** errors.Is: true when `target` itself is somewhere in `err`'s tree. */
export function isError(err: unknown, target: unknown): boolean {
  throw new Error('TODO: isError — walk the cause chain (and AggregateError members) looking for target\nTODO(ru): isError — искать target в цепочке cause (и среди ошибок AggregateError)')
}

/** errors.As: the first error in `err`'s tree that is an instance of `type`. */
export function asError<T extends Error>(err: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  throw new Error('TODO: asError — walk the tree, return the first instanceof type\nTODO(ru): asError — обойти дерево ошибок и вернуть первую, для которой верно instanceof type')
}

/** The HTTP status a handler answers for `err`, found anywhere in its tree. */
export function statusOf(err: unknown): number {
  throw new Error('TODO: statusOf — 400 / 403 / 404 / 500 using asError and isError\nTODO(ru): statusOf — 400 / 403 / 404 / 500 с помощью asError и isError')
}
