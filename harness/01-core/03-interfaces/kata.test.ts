import { describe, expect, it } from 'vitest'
import { EmailTakenError, MemoryUserRepo, SignupService } from '@kata/core/interfaces'

interface User { id: string; email: string; createdAt: Date }
interface Mail { to: string; subject: string; body: string }

const FIXED = new Date('2001-02-03T04:05:06.000Z')

/** Test doubles built right here: plain objects, no class, no import from the kata. */
function fakes() {
  const rows = new Map<string, User>()
  const inserts: User[] = []
  const mails: Mail[] = []
  let n = 0
  const repo = {
    async findByEmail(email: string) {
      return rows.get(email)
    },
    async insert(user: User) {
      inserts.push({ ...user })
      rows.set(user.email, { ...user })
    },
  }
  const mailer = {
    async send(to: string, subject: string, body: string) {
      mails.push({ to, subject, body })
    },
  }
  const clock = { now: () => new Date(FIXED) }
  const ids = { next: () => `u-${++n}` }
  return { repo, mailer, clock, ids, inserts, mails, rows }
}

describe('SignupService.register(email) with injected fakes', () => {
  it('builds the user from the injected id generator and clock, not from Date or random', async () => {
    const f = fakes()
    const svc = new SignupService(f)
    const user = await svc.register('ada@example.com')
    expect(user, 'register("ada@example.com") with ids u-1, u-2… and a clock stuck at 2001-02-03').toEqual({
      id: 'u-1',
      email: 'ada@example.com',
      createdAt: FIXED,
    })
    const second = await svc.register('bob@example.com')
    expect(second.id, 'id of the second registered user').toBe('u-2')
  })

  it('normalizes the email: trimmed and lower-cased', async () => {
    const f = fakes()
    const user = await new SignupService(f).register('  Ada@Example.COM ')
    expect(user.email, 'register("  Ada@Example.COM ").email').toBe('ada@example.com')
  })

  it('stores the user through repo.insert, exactly once', async () => {
    const f = fakes()
    const user = await new SignupService(f).register('ada@example.com')
    expect(f.inserts, 'calls to the injected repo.insert').toEqual([user])
  })

  it('sends one welcome mail through the injected mailer', async () => {
    const f = fakes()
    const user = await new SignupService(f).register('Ada@Example.com')
    expect(f.mails.length, 'mails sent for one registration').toBe(1)
    expect(f.mails[0]!.to, 'welcome mail recipient').toBe('ada@example.com')
    expect(f.mails[0]!.subject, 'welcome mail subject').toBe('Welcome')
    expect(f.mails[0]!.body, 'welcome mail body mentions the account id').toContain(user.id)
  })

  it('rejects an email that is already registered (in any case or spacing) with EmailTakenError, without insert or mail', async () => {
    const f = fakes()
    const svc = new SignupService(f)
    await svc.register('ada@example.com')
    const err = await svc.register(' ADA@example.com').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err, 'second register(" ADA@example.com")').toBeInstanceOf(EmailTakenError)
    expect((err as { email?: string }).email, 'EmailTakenError.email').toBe('ada@example.com')
    expect(f.inserts.length, 'repo.insert calls after a duplicate').toBe(1)
    expect(f.mails.length, 'mails after a duplicate').toBe(1)
  })

  it('sends no mail when repo.insert fails, and rejects with the repo\'s error', async () => {
    const f = fakes()
    const boom = new Error('insert failed: connection reset')
    const svc = new SignupService({
      ...f,
      repo: {
        findByEmail: f.repo.findByEmail,
        insert: async () => {
          await new Promise((r) => setImmediate(r))
          throw boom
        },
      },
    })
    const err = await svc.register('ada@example.com').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err, 'register() when repo.insert rejects: it must reject with that same error').toBe(boom)
    expect(f.mails, 'mails sent although repo.insert failed: send the welcome mail only after the user is stored').toEqual([])
  })

  it('keeps no users of its own: the state lives behind the injected repo', async () => {
    const f = fakes()
    const first = new SignupService(f)
    await first.register('ada@example.com')
    const other = new SignupService(f)
    await expect(other.register('ada@example.com'), 'a second service over the same repo registering the same email').rejects.toBeInstanceOf(
      EmailTakenError,
    )
    f.rows.clear()
    await expect(
      first.register('ada@example.com'),
      'the same service registering ada again after the repo was emptied: it must ask the repo, not a list of its own',
    ).resolves.toMatchObject({ email: 'ada@example.com' })
  })
})

describe('MemoryUserRepo (your implementation of UserRepo)', () => {
  const user = (email: string, id = 'x'): User => ({ id, email, createdAt: FIXED })

  it('finds what it stored and returns undefined for unknown emails', async () => {
    const repo = new MemoryUserRepo()
    expect(await repo.findByEmail('nobody@example.com'), 'findByEmail on an empty repo').toBeUndefined()
    await repo.insert(user('ada@example.com', 'u-1'))
    expect(await repo.findByEmail('ada@example.com'), 'findByEmail after insert').toEqual(user('ada@example.com', 'u-1'))
  })

  it('gives each instance its own users', async () => {
    const a = new MemoryUserRepo()
    const b = new MemoryUserRepo()
    await a.insert(user('ada@example.com'))
    expect(await b.findByEmail('ada@example.com'), 'repo b after inserting into repo a').toBeUndefined()
  })

  it('plugs into SignupService in place of the fake: implementations swap', async () => {
    const f = fakes()
    const repo = new MemoryUserRepo()
    const svc = new SignupService({ ...f, repo })
    const ada = await svc.register('Ada@example.com')
    expect(await repo.findByEmail('ada@example.com'), 'MemoryUserRepo after register via the service').toEqual(ada)
    await expect(svc.register('ada@example.com'), 'duplicate register over MemoryUserRepo').rejects.toBeInstanceOf(EmailTakenError)
    expect(f.rows.size, 'the fake repo must stay unused when MemoryUserRepo is injected').toBe(0)
  })
})
