// Sign-up: a use case that depends only on ports, an adapter for the mail vendor's
// SDK, and the composition root that wires real adapters into the use case.
import type { DatabaseSync } from 'node:sqlite'
import type { Express } from 'express'
import type { Clock, IdGenerator, LegacyMailSdk, Mailer, PasswordHasher, SignupService, UserRepository } from './given.ts'

export interface SignupDeps {
  users: UserRepository
  hasher: PasswordHasher
  mailer: Mailer
  clock: Clock
  ids: IdGenerator
}

/** The use case. Everything it touches comes in through `deps`: no imports of adapters. */
export function createSignupService(_deps: SignupDeps): SignupService {
  throw new Error('TODO: createSignupService: validate, check the email, hash, store, send the welcome mail (see README.md)\nTODO(ru): createSignupService: проверить данные и email, захешировать пароль, сохранить, отправить приветственное письмо (см. README.ru.md)')
}

/** Adapter: the vendor's callback SDK behind our Mailer port. */
export function legacyMailerAdapter(_sdk: LegacyMailSdk): Mailer {
  throw new Error('TODO: legacyMailerAdapter: turn Mailer.send into sdk.deliver (see README.md)\nTODO(ru): legacyMailerAdapter: превратить вызов Mailer.send в sdk.deliver (см. README.ru.md)')
}

export interface AppEnv {
  db: DatabaseSync
  mailSdk: LegacyMailSdk
  clock?: Clock
  ids?: IdGenerator
}

/** Composition root: the one place that picks concrete adapters. Builds a new graph per call. */
export function composeApp(_env: AppEnv): Express {
  throw new Error('TODO: composeApp: build the adapters from env and wire them into the service and the HTTP app (see README.md)\nTODO(ru): composeApp: создать адаптеры по env и подключить их к сервису и HTTP-приложению (см. README.ru.md)')
}
