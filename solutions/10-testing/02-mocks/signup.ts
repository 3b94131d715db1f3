// The code under test. Its dependencies are interfaces, so your tests can hand it
// doubles: fakes (small working implementations) and mocks (vi.fn() that record calls).

export interface User {
  id: string
  email: string
  createdAt: Date
}

export interface UserRepo {
  findByEmail(email: string): Promise<User | undefined>
  insert(user: User): Promise<void>
}

export interface Mailer {
  sendWelcome(to: string, userId: string): Promise<void>
}

export interface Clock {
  now(): Date
}

export interface SignupDeps {
  users: UserRepo
  mailer: Mailer
  clock: Clock
  /** Returns a new unique id. */
  newId: () => string
}

export class SignupError extends Error {
  override name = 'SignupError'
  constructor(readonly code: 'invalid_email' | 'email_taken') {
    super(code)
  }
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

export function createSignup({ users, mailer, clock, newId }: SignupDeps) {
  return {
    async signup(rawEmail: string): Promise<User> {
      const email = rawEmail.trim().toLowerCase()
      if (!EMAIL.test(email)) throw new SignupError('invalid_email')
      if (await users.findByEmail(email)) throw new SignupError('email_taken')

      const user: User = { id: newId(), email, createdAt: clock.now() }
      await users.insert(user)

      // The welcome mail is best effort: one retry, and a mail failure never fails signup.
      for (let attempt = 1; attempt <= 2; attempt++) {
        try {
          await mailer.sendWelcome(user.email, user.id)
          break
        } catch {
          // try once more, then give up quietly
        }
      }
      return user
    },
  }
}
