import { describe, expect, it } from 'vitest'
import { asError, ErrPermission, isError, NotFoundError, statusOf, ValidationError, wrap } from '@kata/core/errors'

describe('custom error classes', () => {
  it('NotFoundError carries entity and id, a name and a message', () => {
    const e = new NotFoundError('user', '42')
    expect(e, 'new NotFoundError("user", "42") is an Error').toBeInstanceOf(Error)
    expect(e, 'new NotFoundError("user", "42") is a NotFoundError').toBeInstanceOf(NotFoundError)
    expect(e.name, 'name').toBe('NotFoundError')
    expect(e.message, 'message').toBe('user 42 not found')
    expect([e.entity, e.id], '[entity, id]').toEqual(['user', '42'])
    expect(typeof e.stack, 'an Error has a stack').toBe('string')
  })

  it('ValidationError carries the field; both accept { cause }', () => {
    const root = new Error('not a number')
    const e = new ValidationError('age', 'must be a number', { cause: root })
    expect(e, 'new ValidationError(…) is a ValidationError').toBeInstanceOf(ValidationError)
    expect(e.name, 'name').toBe('ValidationError')
    expect(e.message, 'message').toBe('age: must be a number')
    expect(e.field, 'field').toBe('age')
    expect(e.cause, 'cause passed as { cause }').toBe(root)
    expect(new NotFoundError('user', '1', { cause: root }).cause, 'NotFoundError cause').toBe(root)
  })
})

describe('wrap(err, context)', () => {
  it('adds context to the message and keeps the original as cause', () => {
    const root = new NotFoundError('user', '7')
    const w = wrap(root, 'load profile')
    expect(w, 'wrap(…) returns an Error').toBeInstanceOf(Error)
    expect(w.message, 'wrap(NotFoundError user 7, "load profile").message').toBe('load profile: user 7 not found')
    expect(w.cause, 'wrap(…).cause is the very same error object').toBe(root)
  })

  it('nests: each layer adds its context in front', () => {
    const w = wrap(wrap(new Error('connection reset'), 'query users'), 'GET /users')
    expect(w.message, 'two wraps').toBe('GET /users: query users: connection reset')
  })

  it('wraps values that are not Errors (something threw a string)', () => {
    const w = wrap('boom', 'parse config')
    expect(w.message, 'wrap("boom", "parse config").message').toBe('parse config: boom')
    expect(w.cause, 'wrap("boom", …).cause').toBe('boom')
  })
})

describe('isError(err, target) — errors.Is', () => {
  it('finds the target through any number of wraps', () => {
    const err = wrap(wrap(wrap(ErrPermission, 'a'), 'b'), 'c')
    expect(isError(err, ErrPermission), 'isError(wrap³(ErrPermission), ErrPermission)').toBe(true)
    expect(isError(ErrPermission, ErrPermission), 'isError(ErrPermission, ErrPermission)').toBe(true)
  })

  it('compares identity, not messages', () => {
    const lookalike = new Error('permission denied')
    expect(isError(wrap(lookalike, 'x'), ErrPermission), 'a different error with the same message').toBe(false)
    expect(isError(wrap(new Error('other'), 'x'), ErrPermission), 'a chain without the target').toBe(false)
  })

  it('looks inside AggregateError members (errors.Join)', () => {
    const agg = new AggregateError([new Error('a'), wrap(ErrPermission, 'write file')], 'two failures')
    expect(isError(wrap(agg, 'batch'), ErrPermission), 'isError(wrap(AggregateError[a, wrap(ErrPermission)]))').toBe(true)
    expect(isError(new AggregateError([new Error('a')]), ErrPermission), 'AggregateError without the target').toBe(false)
  })

  it('stops on cause cycles instead of looping forever', () => {
    const a = new Error('a')
    const b = new Error('b', { cause: a })
    ;(a as { cause?: unknown }).cause = b
    expect(isError(a, ErrPermission), 'isError on a ↔ b cause cycle without the target').toBe(false)
    expect(isError(a, b), 'isError on a ↔ b cause cycle, target b').toBe(true)
  })

  it('handles values that are not errors', () => {
    expect(isError(undefined, ErrPermission), 'isError(undefined, …)').toBe(false)
    expect(isError(null, ErrPermission), 'isError(null, …)').toBe(false)
    expect(isError('permission denied', ErrPermission), 'isError("permission denied", …)').toBe(false)
    expect(isError(new Error('x', { cause: 'str' }), 'str'), 'a string cause is compared too').toBe(true)
  })
})

describe('asError(err, Class) — errors.As', () => {
  it('returns the very instance found in the chain, with its fields', () => {
    const root = new NotFoundError('order', '9')
    const found = asError(wrap(wrap(root, 'repo'), 'service'), NotFoundError)
    expect(found, 'asError(wrap²(NotFoundError order 9), NotFoundError)').toBe(root)
    expect(found?.id, 'found.id').toBe('9')
  })

  it('returns undefined when no error of that class is there', () => {
    expect(asError(wrap(new Error('x'), 'y'), ValidationError), 'asError(chain without ValidationError)').toBeUndefined()
    expect(asError(undefined, Error), 'asError(undefined, Error)').toBeUndefined()
  })

  it('matches subclasses and returns the first match, outermost first', () => {
    class UserNotFound extends NotFoundError {
      constructor(id: string, options?: ErrorOptions) {
        super('user', id, options)
      }
    }
    const inner = new NotFoundError('row', 'r1')
    const outer = new UserNotFound('u1', { cause: inner })
    const got = asError(wrap(outer, 'handler'), NotFoundError)
    expect(got, 'asError(wrap(UserNotFound(cause: NotFoundError)), NotFoundError) is the outer UserNotFound').toBe(outer)
  })

  it('visits an AggregateError\'s members before its cause (depth-first, members first)', () => {
    const member = new NotFoundError('member', 'm1')
    const viaCause = new NotFoundError('cause', 'c1')
    const agg = new AggregateError([new Error('x'), wrap(member, 'inner')], 'batch', { cause: viaCause })
    expect(
      asError(wrap(agg, 'outer'), NotFoundError),
      'asError(wrap(AggregateError[…, wrap(NotFoundError member)] with cause NotFoundError cause), NotFoundError): the members come before the cause',
    ).toBe(member)
  })

  it('searches AggregateError members and survives cycles', () => {
    const v = new ValidationError('email', 'required')
    expect(asError(new AggregateError([new Error('a'), wrap(v, 'b')]), ValidationError), 'asError in AggregateError').toBe(v)
    const a = new Error('a')
    ;(a as { cause?: unknown }).cause = wrap(a, 'loop')
    expect(asError(a, ValidationError), 'asError on a cycle without a match').toBeUndefined()
  })
})

describe('statusOf(err)', () => {
  it('maps the error tree to an HTTP status', () => {
    expect(statusOf(wrap(new ValidationError('age', 'negative'), 'create user')), 'wrapped ValidationError').toBe(400)
    expect(statusOf(wrap(wrap(ErrPermission, 'delete'), 'DELETE /x')), 'wrapped ErrPermission').toBe(403)
    expect(statusOf(wrap(new NotFoundError('user', '1'), 'load')), 'wrapped NotFoundError').toBe(404)
    expect(statusOf(new Error('permission denied')), 'an Error that only looks like ErrPermission').toBe(500)
    expect(statusOf('weird'), 'a thrown string').toBe(500)
  })

  it('checks ValidationError, then ErrPermission, then NotFoundError, whatever their place in the tree', () => {
    const notFoundCausedByValidation = new NotFoundError('user', '1', { cause: new ValidationError('id', 'not a number') })
    expect(statusOf(wrap(notFoundCausedByValidation, 'load')), 'NotFoundError whose cause is a ValidationError: ValidationError wins').toBe(400)
    const notFoundCausedByPermission = new NotFoundError('file', 'f', { cause: ErrPermission })
    expect(statusOf(notFoundCausedByPermission), 'NotFoundError whose cause is ErrPermission: ErrPermission wins').toBe(403)
    const both = new AggregateError([wrap(ErrPermission, 'write'), new ValidationError('name', 'empty')])
    expect(statusOf(both), 'AggregateError[ErrPermission, ValidationError]: ValidationError wins').toBe(400)
  })
})
