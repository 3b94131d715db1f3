export interface User {
  id: string
  email: string
  createdAt: Date
}

/** Where users live. The service only knows this interface, never a concrete store. */
export interface UserRepo {
  findByEmail(email: string): Promise<User | undefined>
  insert(user: User): Promise<void>
}

export interface Mailer {
  send(to: string, subject: string, body: string): Promise<void>
}

export interface Clock {
  now(): Date
}

export interface IdGenerator {
  next(): string
}

export interface SignupDeps {
  repo: UserRepo
  mailer: Mailer
  clock: Clock
  ids: IdGenerator
}

/** Thrown by register() when the (normalized) email is already registered. */
export class EmailTakenError extends Error {
  override name = 'EmailTakenError'
  readonly email: string
  constructor(email: string) {
    super(`email ${email} is already registered`)
    this.email = email
  }
}

/** A UserRepo that keeps users in a Map. Each instance has its own users. */
export class MemoryUserRepo implements UserRepo {
  async findByEmail(email: string): Promise<User | undefined> {
    throw new Error('TODO: MemoryUserRepo.findByEmail — look the user up in a Map\nTODO(ru): MemoryUserRepo.findByEmail — найти пользователя в Map')
  }

  async insert(user: User): Promise<void> {
    throw new Error('TODO: MemoryUserRepo.insert — store the user in a Map\nTODO(ru): MemoryUserRepo.insert — сохранить пользователя в Map')
  }
}

/** Registers users. Everything it needs comes in through `deps`, as interfaces. */
export class SignupService {
  readonly #deps: SignupDeps

  constructor(deps: SignupDeps) {
    this.#deps = deps
  }

  async register(email: string): Promise<User> {
    throw new Error('TODO: SignupService.register — normalize, check, build the user from deps, insert, send the welcome mail\nTODO(ru): SignupService.register — нормализовать данные, проверить их, создать пользователя через deps, сохранить и отправить приветственное письмо')
  }
}
