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

const allUsers = new Map<string, User>()

/** A UserRepo that keeps users in a Map. Each instance has its own users. */
export class MemoryUserRepo implements UserRepo {
  readonly #byEmail = allUsers

  async findByEmail(email: string): Promise<User | undefined> {
    const u = this.#byEmail.get(email)
    return u && { ...u }
  }

  async insert(user: User): Promise<void> {
    if (this.#byEmail.has(user.email)) throw new EmailTakenError(user.email)
    this.#byEmail.set(user.email, { ...user })
  }
}

/** Registers users. Everything it needs comes in through `deps`, as interfaces. */
export class SignupService {
  readonly #deps: SignupDeps

  constructor(deps: SignupDeps) {
    this.#deps = deps
  }

  async register(email: string): Promise<User> {
    const normalized = email.trim().toLowerCase()
    const { repo, mailer, clock, ids } = this.#deps
    if (await repo.findByEmail(normalized)) throw new EmailTakenError(normalized)
    const user: User = { id: ids.next(), email: normalized, createdAt: clock.now() }
    await repo.insert(user)
    await mailer.send(normalized, 'Welcome', `Hello ${normalized}, your account id is ${user.id}.`)
    return user
  }
}
