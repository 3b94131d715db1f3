// Sign-up: a use case that depends only on ports, an adapter for the mail vendor's
// SDK, and the composition root that wires real adapters into the use case.
import type { DatabaseSync } from 'node:sqlite'
import type { Express } from 'express'
import {
  EmailTakenError,
  InvalidSignupError,
  MailDeliveryError,
  createScryptHasher,
  createSignupApp,
  createSqliteUserRepository,
  systemClock,
  uuidIds,
  type Clock,
  type IdGenerator,
  type LegacyMailSdk,
  type Mailer,
  type PasswordHasher,
  type SignupService,
  type UserRepository,
} from './given.ts'

export interface SignupDeps {
  users: UserRepository
  hasher: PasswordHasher
  mailer: Mailer
  clock: Clock
  ids: IdGenerator
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/

/** The use case. Everything it touches comes in through `deps`: no imports of adapters. */
export function createSignupService({ users, hasher, mailer, clock, ids }: SignupDeps): SignupService {
  return {
    async signUp(input) {
      const email = typeof input.email === 'string' ? input.email.trim().toLowerCase() : ''
      if (!EMAIL.test(email)) throw new InvalidSignupError('email must look like name@example.com')
      const password = input.password
      if (typeof password !== 'string' || password.length < 8 || password.length > 128) {
        throw new InvalidSignupError('password must be 8-128 characters')
      }
      // Cheap checks first: hashing is deliberately slow.
      if (await users.findByEmail(email)) throw new EmailTakenError(`${email} is taken`)
      const user = { id: ids.next(), email, passwordHash: await hasher.hash(password), createdAt: clock.now().toISOString() }
      await users.insert(user)
      let welcomeMailSent = true
      try {
        await mailer.send({ to: email, subject: 'Welcome!', text: `Hi ${email}, your account is ready.` })
      } catch {
        // The account exists either way; a lost welcome mail must not undo the sign-up.
        welcomeMailSent = false
      }
      return { id: user.id, email: user.email, createdAt: user.createdAt, welcomeMailSent }
    },
  }
}

/** Adapter: the vendor's callback SDK behind our Mailer port. */
export function legacyMailerAdapter(sdk: LegacyMailSdk): Mailer {
  return {
    send({ to, subject, text }) {
      return new Promise<void>((resolve, reject) => {
        sdk.deliver({ rcpt: [to], subj: subject, body: text, format: 'plain' }, (err) => {
          if (err) reject(new MailDeliveryError(`mail to ${to} was not delivered`, { cause: err }))
          else resolve()
        })
      })
    },
  }
}

export interface AppEnv {
  db: DatabaseSync
  mailSdk: LegacyMailSdk
  clock?: Clock
  ids?: IdGenerator
}

/** Composition root: the one place that picks concrete adapters. Builds a new graph per call. */
export function composeApp({ db, mailSdk, clock = systemClock, ids = uuidIds }: AppEnv): Express {
  const service = createSignupService({
    users: createSqliteUserRepository(db),
    hasher: createScryptHasher(),
    mailer: legacyMailerAdapter(mailSdk),
    clock,
    ids,
  })
  return createSignupApp(service)
}
