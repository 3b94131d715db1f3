import { describe, it } from 'vitest'
import { mutationGrader, type Mutant } from '#support/testing'
import * as spec from '@kata/testing/mocks'

// The suite's own copy of signup.ts, with switches that break one rule each.
interface User {
  id: string
  email: string
  createdAt: Date
}
interface SignupDeps {
  users: { findByEmail(email: string): Promise<User | undefined>; insert(user: User): Promise<void> }
  mailer: { sendWelcome(to: string, userId: string): Promise<void> }
  clock: { now(): Date }
  newId: () => string
}
class SignupError extends Error {
  override name = 'SignupError'
  constructor(readonly code: 'invalid_email' | 'email_taken') {
    super(code)
  }
}
type Bug =
  | 'lookup-before-validation'
  | 'no-lowercase'
  | 'no-trim'
  | 'insert-error-swallowed'
  | 'taken-ignored'
  | 'mail-before-insert'
  | 'system-clock'
  | 'random-id'
  | 'mail-failure-fails-signup'
  | 'no-retry'
  | 'retry-forever'
  | 'mail-raw-address'
  | 'mail-without-id'
  | 'insert-twice'
  | 'wrong-error-code'

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

function signupModule(bug?: Bug) {
  function createSignup({ users, mailer, clock, newId }: SignupDeps) {
    return {
      async signup(rawEmail: string): Promise<User> {
        const email = bug === 'no-lowercase' ? rawEmail.trim() : bug === 'no-trim' ? rawEmail.toLowerCase() : rawEmail.trim().toLowerCase()
        if (bug === 'lookup-before-validation') {
          const found = await users.findByEmail(email)
          if (!EMAIL.test(email)) throw new SignupError('invalid_email')
          if (found) throw new SignupError('email_taken')
        } else {
          if (!EMAIL.test(email)) throw new SignupError('invalid_email')
          const found = await users.findByEmail(email)
          if (found && bug !== 'taken-ignored') throw new SignupError(bug === 'wrong-error-code' ? 'invalid_email' : 'email_taken')
        }
        const user: User = {
          id: bug === 'random-id' ? `u-${Math.random().toString(36).slice(2)}` : newId(),
          email,
          createdAt: bug === 'system-clock' ? new Date() : clock.now(),
        }
        const to = bug === 'mail-raw-address' ? rawEmail : user.email
        const id = bug === 'mail-without-id' ? '' : user.id
        const send = async () => {
          const attempts = bug === 'no-retry' || bug === 'mail-failure-fails-signup' ? 1 : bug === 'retry-forever' ? 5 : 2
          for (let attempt = 1; attempt <= attempts; attempt++) {
            try {
              await mailer.sendWelcome(to, id)
              return
            } catch (err) {
              if (bug === 'mail-failure-fails-signup') throw err
            }
          }
        }
        if (bug === 'mail-before-insert') await send()
        if (bug === 'insert-error-swallowed') {
          // Saving failed: the user gets an answer all the same (and no mail).
          if (!(await users.insert(user).then(() => true, () => false))) return user
        } else await users.insert(user)
        if (bug === 'insert-twice') await users.insert(user).catch(() => undefined)
        if (bug !== 'mail-before-insert') await send()
        return user
      },
    }
  }
  return { createSignup, SignupError }
}

const mutants: Mutant<ReturnType<typeof signupModule>>[] = [
  { when: 'an invalid email still queries the repository before being rejected', impl: signupModule('lookup-before-validation') },
  { when: 'the email is not lower-cased, so "Ada@Example.com" and "ada@example.com" are two users', impl: signupModule('no-lowercase') },
  { when: 'the email is not trimmed, so " ada@example.com " is saved with its spaces', impl: signupModule('no-trim') },
  { when: 'a failing insert is swallowed: signup resolves with a user that was never saved', impl: signupModule('insert-error-swallowed') },
  { when: 'a taken email is registered again', impl: signupModule('taken-ignored') },
  { when: 'a taken email is rejected with code "invalid_email" instead of "email_taken"', impl: signupModule('wrong-error-code') },
  { when: 'the welcome mail is sent before the user is saved (a failed save still mails)', impl: signupModule('mail-before-insert') },
  { when: 'createdAt comes from the system clock, not the injected clock', impl: signupModule('system-clock') },
  { when: 'the id is made up instead of taken from newId()', impl: signupModule('random-id') },
  { when: 'a failing mailer makes signup fail', impl: signupModule('mail-failure-fails-signup') },
  { when: 'a failed welcome mail is not retried', impl: signupModule('no-retry') },
  { when: 'a failing mailer is tried 5 times instead of twice', impl: signupModule('retry-forever') },
  { when: 'the welcome mail goes to the address as typed (" Ada@Example.com ") instead of the normalised one', impl: signupModule('mail-raw-address') },
  { when: 'the welcome mail does not carry the new user\'s id', impl: signupModule('mail-without-id') },
  { when: 'the user is inserted twice', impl: signupModule('insert-twice') },
]

const grader = mutationGrader(spec.defineTests, () => signupModule())

describe('your tests of createSignup(deps).signup(email)', () => {
  it('pass on the correct implementation', async () => {
    const problem = await grader.referenceProblem()
    if (problem) throw new Error(problem)
  })

  for (const m of mutants) {
    it(`catch the bug: ${m.when}`, async () => {
      if (await grader.referenceProblem()) throw new Error('first make your tests pass on the correct implementation (see the first failing test)')
      const { killed } = await grader.killed(m)
      if (!killed) throw new Error(`your tests still pass when ${m.when}`)
    })
  }
})
